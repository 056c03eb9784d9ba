// Answers of read statements kept by a read-only connection for as long as nothing is committed to the file.

/** Answers kept per connection; the least recently used beyond this many are dropped. */
export const READ_CACHE_SIZE = 4;

/**
 * Answers whose text columns hold more characters than this are not kept: a list page of 50 is some 25–40 thousand,
 * one of 500 ten times that, and what callers make of a kept answer lives as long as it does.
 */
export const READ_CACHE_MAX_CHARS = 256 * 1024;

/** The statement `PRAGMA data_version` answers with: a number that changes when another connection commits. */
export const DATA_VERSION = 'PRAGMA data_version';

/** Statements whose answers may be kept, by SQL text (the list's few filter combinations; more are not kept). */
const statementIds = new Map<string, number>();
const MAX_STATEMENTS = 256;

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

  /**
   * The key of a statement and its parameters, or null for parameters that are not text, numbers or null. The SQL is
   * keyed by a number (a page's SQL is some 3,000 characters: a key made of it would be hashed whole at every call).
   */
  static key(sql: string, params: readonly unknown[]): string | null {
    if (!params.every((p) => p === null || typeof p === 'string' || typeof p === 'number')) return null;
    let id = statementIds.get(sql);
    if (id === undefined) {
      if (statementIds.size >= MAX_STATEMENTS) return null;
      statementIds.set(sql, (id = statementIds.size));
    }
    return `${id}\u0000${JSON.stringify(params)}`;
  }

  /** The rows kept for `key` under `version`, or undefined. */
  get(key: string, version: number): readonly unknown[] | undefined {
    const entry = this.entries.get(key);
    if (!entry || entry.version !== version) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.rows;
  }

  /** Keeps `rows` for `key` under `version` (unless their text is over READ_CACHE_MAX_CHARS). */
  set(key: string, version: number, rows: readonly unknown[]): void {
    this.entries.delete(key);
    if (textLength(rows) > READ_CACHE_MAX_CHARS) return;
    this.entries.set(key, { version, rows });
    if (this.entries.size > READ_CACHE_SIZE) this.entries.delete(this.entries.keys().next().value as string);
  }
}

/** The characters of the text columns of `rows`. */
function textLength(rows: readonly unknown[]): number {
  let n = 0;
  for (const row of rows) {
    if (typeof row !== 'object' || row === null) continue;
    for (const v of Object.values(row)) if (typeof v === 'string') n += v.length;
  }
  return n;
}
