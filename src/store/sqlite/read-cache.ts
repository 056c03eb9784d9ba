// Answers of read statements kept by a read-only connection for as long as nothing is committed to the file.
/** Answers kept per connection; the least recently used beyond this many are dropped. */
export const READ_CACHE_SIZE = 8;

/** The statement `PRAGMA data_version` answers with: a number that changes when another connection commits. */
export const DATA_VERSION = 'PRAGMA data_version';

interface Entry {
  version: number;
  rows: readonly unknown[];
}

/**
 * The rows a statement gave, by SQL text and parameters, with the connection's `PRAGMA data_version` read before it
 * ran. SQLite changes that number whenever another connection (in this process or not) commits, so an answer kept
 * under the current number is the answer the statement would give now. Only for a connection that never writes: its
 * own commits do not change the number.
 */
export class ReadCache {
  private readonly entries = new Map<string, Entry>();

  /** The key of a statement and its parameters, or null for parameters that are not text, numbers or null. */
  static key(sql: string, params: readonly unknown[]): string | null {
    if (!params.every((p) => p === null || typeof p === 'string' || typeof p === 'number')) return null;
    return `${sql}\u0000${JSON.stringify(params)}`;
  }

  /** The rows kept for `key` under `version`, or undefined. */
  get(key: string, version: number): readonly unknown[] | undefined {
    const entry = this.entries.get(key);
    if (!entry || entry.version !== version) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.rows;
  }

  set(key: string, version: number, rows: readonly unknown[]): void {
    this.entries.delete(key);
    this.entries.set(key, { version, rows });
    if (this.entries.size > READ_CACHE_SIZE) this.entries.delete(this.entries.keys().next().value as string);
  }
}
