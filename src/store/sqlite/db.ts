// A small promise wrapper over one sqlite3 connection: pragmas, run/get/all, and serialized transactions.
import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import sqlite3 from 'sqlite3';
import { DATA_VERSION, ReadCache } from './read-cache.js';

/** A value sqlite can bind to a `?` placeholder. */
export type SqlValue = string | number | bigint | null | Buffer;

/** What a statement changed: rows affected and the last inserted rowid. */
export interface RunResult {
  changes: number;
  lastID: number;
}

/** The statements a repository needs; both `Db` and the `tx` inside `Db.transaction` provide them. */
export interface Queryable {
  run(sql: string, params?: readonly SqlValue[]): Promise<RunResult>;
  get<T>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  all<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  /**
   * Like `all`, for a statement that only reads and whose answer may be kept: a read-only connection answers the rows
   * it gave the last time for the same SQL and parameters when nothing has been committed since (./read-cache.ts).
   * The rows are shared between callers: do not change them. Absent on a transaction's `tx`; falls back to `all`
   * on a connection that writes.
   */
  allCached?<T>(sql: string, params?: readonly SqlValue[]): Promise<readonly T[]>;
  /** Runs several `;`-separated statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
  /** The SQL dialect, where a repository shared by both backends reads differently (see rows.ts deployRows). */
  readonly dialect?: 'sqlite' | 'postgres';
}

/**
 * One sqlite connection. Every call is queued behind the previous one, so statements from one async caller
 * never land inside another caller's open transaction.
 */
export interface Db extends Queryable {
  /** The file this connection is open on. */
  readonly path: string;
  /** BEGIN IMMEDIATE, run `fn` with a connection reserved for it, COMMIT; ROLLBACK and rethrow if anything throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Like `transaction` but BEGIN DEFERRED: a consistent read snapshot that takes no write lock. */
  snapshot<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * Runs `fn` with the connection to itself (no other call on it runs meanwhile), without BEGIN or COMMIT: each of
   * its statements commits on its own. For a write that is one statement and needs nothing else to come between.
   */
  exclusive<T>(fn: (conn: Queryable) => Promise<T>): Promise<T>;
  /** Waits for queued work, then closes the connection. Further calls fail. */
  close(): Promise<void>;
}

const PRAGMAS = ['PRAGMA journal_mode=WAL', 'PRAGMA foreign_keys=ON', 'PRAGMA busy_timeout=5000', 'PRAGMA synchronous=NORMAL'];
/** A reader changes nothing: the journal mode is the file's (WAL, set by the writer), and it waits out a checkpoint. */
const READER_PRAGMAS = ['PRAGMA busy_timeout=5000', 'PRAGMA query_only=ON'];

export interface OpenDbOptions {
  /**
   * A second connection that only reads, beside the writer on the same file: in WAL mode it reads the last commit
   * while the writer's transactions run, instead of queueing behind them. The file must exist (the writer made it).
   */
  readOnly?: boolean;
}

/** Opens (creating it and its directory if needed) the sqlite file at `path` and applies the connection pragmas. */
export async function openDb(path: string, opts: OpenDbOptions = {}): Promise<Db> {
  if (!opts.readOnly && path !== ':memory:' && !path.startsWith('file:')) {
    await mkdir(dirname(path), { recursive: true }).catch((cause: unknown) => {
      throw new Error(`cannot create the directory for the database ${path}; check the data dir and its permissions`, { cause });
    });
  }
  const mode = opts.readOnly ? sqlite3.OPEN_READONLY : sqlite3.OPEN_READWRITE | sqlite3.OPEN_CREATE;
  const raw = await new Promise<sqlite3.Database>((resolve, reject) => {
    const handle: sqlite3.Database = new sqlite3.Database(path, mode, (err) => {
      if (err) reject(new Error(`cannot open the sqlite database ${path}: ${err.message}; check the path and its permissions`, { cause: err }));
      else resolve(handle);
    });
  });
  const db = new SerialDb(raw, path, opts.readOnly === true);
  try {
    for (const pragma of opts.readOnly ? READER_PRAGMAS : PRAGMAS) await db.run(pragma);
  } catch (err) {
    await db.close().catch(() => undefined);
    throw err;
  }
  return db;
}

/** Wraps a sqlite failure with the operation and statement it came from. */
function wrap(op: string, path: string, sql: string, cause: unknown): Error {
  const message = cause instanceof Error ? cause.message : String(cause);
  const statement = sql.replace(/\s+/g, ' ').trim().slice(0, 120);
  return new Error(`sqlite ${op} failed on ${path}: ${message} (statement: ${statement})`, { cause });
}

/**
 * Prepared statements kept per connection; the least recently used beyond this many are finalized. Group commit
 * (./intake.ts) has one text per batch size, up to 128 sizes, beside the loop's and the API's few dozen.
 */
const STATEMENT_CACHE_SIZE = 512;

/**
 * The connection's prepared statements by SQL text, least recently used first: the hot statements of the watch loop
 * and the API (the same text with new parameters) are parsed and planned once, not at every call.
 */
class StatementCache {
  private readonly statements = new Map<string, Promise<sqlite3.Statement>>();

  constructor(
    private readonly raw: sqlite3.Database,
    private readonly path: string,
  ) {}

  /** The prepared statement for `sql`; a statement that does not prepare rejects as a failure of `op`. */
  get(sql: string, op: string): Promise<sqlite3.Statement> {
    const cached = this.statements.get(sql);
    if (cached) {
      this.statements.delete(sql);
      this.statements.set(sql, cached);
      return cached;
    }
    const prepared = new Promise<sqlite3.Statement>((resolve, reject) => {
      const stmt: sqlite3.Statement = this.raw.prepare(sql, (err: Error | null) => (err ? reject(wrap(op, this.path, sql, err)) : resolve(stmt)));
    });
    prepared.catch(() => this.statements.delete(sql));
    this.statements.set(sql, prepared);
    if (this.statements.size > STATEMENT_CACHE_SIZE) {
      const [oldest, stmt] = this.statements.entries().next().value as [string, Promise<sqlite3.Statement>];
      this.statements.delete(oldest);
      void stmt.then(
        (s) => s.finalize(),
        () => undefined,
      );
    }
    return prepared;
  }

  /** Finalizes every statement (before the connection closes). */
  async clear(): Promise<void> {
    const all = [...this.statements.values()];
    this.statements.clear();
    await Promise.all(
      all.map((p) =>
        p.then(
          (s) => new Promise<void>((resolve) => s.finalize(() => resolve())),
          () => undefined,
        ),
      ),
    );
  }
}

/** Statements that answer rows when `run`: stepped once, they stay in progress until reset. */
const RETURNS_ROWS = /\b(RETURNING|SELECT|PRAGMA)\b/i;

/** Ends a statement's run (it is reusable, holds no read open and does not block COMMIT). */
function reset(stmt: sqlite3.Statement): Promise<void> {
  return new Promise<void>((resolve) => stmt.reset(() => resolve()));
}

/** Direct, unqueued access to the connection; only used while holding the queue. */
function direct(raw: sqlite3.Database, path: string, isOpen: () => boolean, cache: StatementCache): Queryable {
  const guard = (op: string, sql: string): void => {
    if (!isOpen())
      throw new Error(
        `sqlite ${op} on ${path} after its transaction or exclusive turn ended (statement: ${sql.slice(0, 80)}); keep using tx only inside the callback`,
      );
  };
  // async, so that a refused call rejects rather than throws.
  return {
    dialect: 'sqlite',
    run: async (sql, params = []) => {
      guard('run', sql);
      const stmt = await cache.get(sql, 'run');
      const result = await new Promise<RunResult>((resolve, reject) => {
        stmt.run(params, function (this: sqlite3.RunResult, err: Error | null) {
          if (err) reject(wrap('run', path, sql, err));
          else resolve({ changes: this.changes, lastID: this.lastID });
        });
      });
      // `run` steps once: a statement that returns rows (RETURNING) would stay in progress and block COMMIT. One that
      // ran to SQLITE_DONE holds nothing open and is rebound by its next run, so it needs no reset (a round trip).
      if (RETURNS_ROWS.test(sql)) await reset(stmt);
      return result;
    },
    get: async <T>(sql: string, params: readonly SqlValue[] = []) => {
      guard('get', sql);
      const stmt = await cache.get(sql, 'get');
      // Without parameters node-sqlite3 neither rebinds nor resets before a `get`, and a statement whose last run
      // ended (an `all`, or a `get` that found nothing) would answer no row: start it from the top.
      if (params.length === 0) await reset(stmt);
      const row = await new Promise<T | undefined>((resolve, reject) => {
        stmt.get<T>(params, (err: Error | null, r: T | undefined) => (err ? reject(wrap('get', path, sql, err)) : resolve(r)));
      });
      // A statement stopped after its first row is still reading; reset it so that it holds no snapshot open.
      await reset(stmt);
      return row;
    },
    all: async <T>(sql: string, params: readonly SqlValue[] = []) => {
      guard('all', sql);
      const stmt = await cache.get(sql, 'all');
      return new Promise<T[]>((resolve, reject) => {
        stmt.all<T>(params, (err: Error | null, rows: T[]) => (err ? reject(wrap('all', path, sql, err)) : resolve(rows)));
      });
    },
    exec: async (sql) => {
      guard('exec', sql);
      return new Promise<void>((resolve, reject) => {
        raw.exec(sql, (err: Error | null) => (err ? reject(wrap('exec', path, sql, err)) : resolve()));
      });
    },
  };
}

class SerialDb implements Db {
  readonly dialect = 'sqlite' as const;
  private tail: Promise<unknown> = Promise.resolve();
  private closed = false;
  private readonly conn: Queryable;
  /** Set while a transaction's or an exclusive turn's callback runs, to turn a would-be deadlock (db.* in fn) into an error. */
  private readonly inTransaction = new AsyncLocalStorage<true>();
  private readonly statements: StatementCache;
  /** Kept answers of `allCached`; null on a connection that writes (its own commits leave data_version as it is). */
  private readonly answers: ReadCache | null;

  constructor(
    private readonly raw: sqlite3.Database,
    readonly path: string,
    readOnly = false,
  ) {
    this.statements = new StatementCache(raw, path);
    this.conn = direct(raw, path, () => !this.closed, this.statements);
    this.answers = readOnly ? new ReadCache() : null;
  }

  run(sql: string, params?: readonly SqlValue[]): Promise<RunResult> {
    return this.queued('run', () => this.conn.run(sql, params));
  }

  get<T>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined> {
    return this.queued('get', () => this.conn.get<T>(sql, params));
  }

  all<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    return this.queued('all', () => this.conn.all<T>(sql, params));
  }

  allCached<T>(sql: string, params: readonly SqlValue[] = []): Promise<readonly T[]> {
    const answers = this.answers;
    const key = answers && ReadCache.key(sql, params);
    if (!answers || key === null) return this.all<T>(sql, params);
    return this.queued('all', async () => {
      // Read before the statement runs: a commit after this read changes the number, so it is never kept as current.
      const [row] = await this.conn.all<{ data_version: number }>(DATA_VERSION);
      const version = row?.data_version ?? NaN;
      const kept = answers.get(key, version);
      if (kept) return kept as readonly T[];
      const rows = await this.conn.all<T>(sql, params);
      answers.set(key, version, rows);
      return rows;
    });
  }

  exec(sql: string): Promise<void> {
    return this.queued('exec', () => this.conn.exec(sql));
  }

  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.queued('transaction', () => this.inside('BEGIN IMMEDIATE', fn));
  }

  snapshot<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.queued('snapshot', () => this.inside('BEGIN DEFERRED', fn));
  }

  exclusive<T>(fn: (conn: Queryable) => Promise<T>): Promise<T> {
    return this.queued('exclusive', () => this.reserved(fn));
  }

  close(): Promise<void> {
    return this.queued('close', async () => {
      this.closed = true;
      await this.statements.clear();
      await new Promise<void>((resolve, reject) => {
        this.raw.close((err) => (err ? reject(new Error(`cannot close the sqlite database ${this.path}: ${err.message}`, { cause: err })) : resolve()));
      });
    });
  }

  /** Runs `fn` once everything queued before it has settled; the promise-chain mutex. */
  private queued<T>(op: string, fn: () => Promise<T>): Promise<T> {
    if (this.inTransaction.getStore()) {
      return Promise.reject(
        new Error(
          `db.${op} called inside a transaction or exclusive turn on ${this.path}; use the tx passed to the callback (the outer call would wait for it forever)`,
        ),
      );
    }
    if (this.closed) return Promise.reject(new Error(`db.${op} on ${this.path} after close()`));
    const result = this.tail.then(() => {
      if (this.closed) throw new Error(`db.${op} on ${this.path} after close()`);
      return fn();
    });
    this.tail = result.catch(() => undefined);
    return result;
  }

  private async inside<T>(begin: string, fn: (tx: Queryable) => Promise<T>): Promise<T> {
    await this.conn.run(begin);
    try {
      const value = await this.reserved(fn);
      await this.conn.run('COMMIT');
      return value;
    } catch (err) {
      // sqlite may already have rolled back on its own (e.g. SQLITE_FULL); the original error is what matters.
      await this.conn.run('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }

  /** Runs `fn` (holding the queue) with a connection handle that refuses use once `fn` has settled. */
  private async reserved<T>(fn: (conn: Queryable) => Promise<T>): Promise<T> {
    let active = true;
    const conn = direct(this.raw, this.path, () => active && !this.closed, this.statements);
    try {
      return await this.inTransaction.run(true, () => fn(conn));
    } finally {
      active = false;
    }
  }
}
