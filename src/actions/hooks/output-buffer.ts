// Collects a hook's output up to a byte limit and says how much was cut, so a chatty script cannot exhaust memory.

/** Exec output kept per hook run. */
export const OUTPUT_LIMIT = 64 * 1024;

/** Appends chunks in arrival order (stdout and stderr interleave) and keeps the first `limit` bytes. */
export class OutputBuffer {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  private dropped = 0;

  constructor(private readonly limit: number = OUTPUT_LIMIT) {}

  append(chunk: Buffer | string): void {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    const room = this.limit - this.kept;
    if (room > 0) {
      const part = bytes.subarray(0, room);
      this.chunks.push(part);
      this.kept += part.length;
    }
    this.dropped += Math.max(0, bytes.length - Math.max(0, room));
  }

  /** The kept output as UTF-8, with a marker line when anything was cut. */
  text(): string {
    const text = Buffer.concat(this.chunks).toString('utf8');
    return this.dropped > 0 ? `${text}\n[output truncated: ${this.dropped} more bytes not kept]` : text;
  }
}
