// The progress bar `replay` draws on a terminal's stderr while it judges a directory of recordings.

/** One frame of the bar: "[########------------]  12/40  30%  checkout-d-42.json". */
export function progressLine(done: number, total: number, label: string, width = 30): string {
  const fraction = total === 0 ? 1 : Math.min(1, done / total);
  const filled = Math.round(fraction * width);
  const bar = `${'#'.repeat(filled)}${'-'.repeat(width - filled)}`;
  const count = `${String(done).padStart(String(total).length)}/${total}`;
  const short = label.length > 40 ? `…${label.slice(-39)}` : label;
  return `[${bar}] ${count} ${String(Math.round(fraction * 100)).padStart(3)}%  ${short}`;
}

/** Draws the bar in place on a TTY stream (carriage return, clear line); a no-op on anything else. */
export class ProgressBar {
  private readonly live: boolean;

  constructor(
    private readonly stream: NodeJS.WritableStream,
    private readonly total: number,
  ) {
    this.live = (stream as { isTTY?: boolean }).isTTY === true && total > 0;
  }

  update(done: number, label: string): void {
    if (this.live) this.stream.write(`\r\x1b[2K${progressLine(done, this.total, label)}`);
  }

  /** Clears the bar so the next output starts on a clean line. */
  done(): void {
    if (this.live) this.stream.write('\r\x1b[2K');
  }
}
