// A PostgreSQL pool behind the same Queryable the repositories use: `?` placeholders, run/get/all/exec, transactions.
import pg from 'pg';
import type { Queryable, RunResult, SqlValue } from '../sqlite/db.js';

/** Transient PostgreSQL failures after which a whole transaction is safely run again. */
const RETRYABLE = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '23505', // unique_violation: a concurrent replica inserted the same key; the retry sees it and skips
]);
const MAX_ATTEMPTS = 4;

export interface PgDbOptions {
  /** postgres://user@host:port/database — the password may come from PGPASSWORD or ~/.pgpass instead of the URL. */
  url: string;
  poolSize: number;
  /** Schema the tables live in (search_path); created if missing. Default `public`. */
  schema?: string;
  /** Told about errors of idle pooled connections (e.g. the server terminated them); the pool replaces them. */
  onIdleError?(err: Error): void;
  /**
   * Milliseconds after which the server ends a session left idle inside a transaction (a paused or partitioned
   * replica), releasing its row locks so that other replicas can take its leased work. Default 10000.
   */
  idleInTransactionMs?: number;
  /** Shown in pg_stat_activity; default `release-guard`. */
  applicationName?: string;
  /** Milliseconds to wait for a connection before a call fails. Default 5000. */
  connectTimeoutMs?: number;
}

/** A pool of connections; `transaction` reserves one connection for its callback. */
export interface PgDb extends Queryable {
  /** The URL without its password, for messages. */
  readonly where: string;
  readonly schema: string;
  /** Statements sent so far (for the benchmark's queries per tick). */
  readonly statements: number;
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** A read-only, repeatable-read transaction: one consistent snapshot for several reads. */
  snapshot<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** `?` placeholders (outside quoted strings) as `$1, $2, …`. */
export function numberPlaceholders(sql: string): string {
  let n = 0;
  let out = '';
  let quoted = false;
  for (const ch of sql) {
    if (ch === "'") quoted = !quoted;
    out += ch === '?' && !quoted ? `$${++n}` : ch;
  }
  return out;
}

/** The URL with any password replaced by `***`. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(unparseable URL)';
  }
}

/** Whether an error means the server or the connection went away (not a bug in a statement). */
export function isConnectionError(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | null;
  if (!e) return false;
  if (
    typeof e.code === 'string' &&
    (e.code.startsWith('08') ||
      e.code === '57P01' ||
      e.code === '57P02' ||
      e.code === '57P03' ||
      ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT'].includes(e.code))
  )
    return true;
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(e.message ?? '');
}

export function openPgDb(opts: PgDbOptions): PgDb {
  const schema = opts.schema ?? 'public';
  if (!/^[a-z_][a-z0-9_]*$/.test(schema))
    throw new Error(`store.schema "${schema}" must be lower-case letters, digits and _ (it is used as an SQL identifier)`);
  const where = redactUrl(opts.url);
  const pool = new pg.Pool({
    connectionString: opts.url,
    max: opts.poolSize,
    connectionTimeoutMillis: opts.connectTimeoutMs ?? 5000,
    idleTimeoutMillis: 30_000,
    options: `-c search_path=${schema} -c idle_in_transaction_session_timeout=${Math.round(opts.idleInTransactionMs ?? 10_000)}`,
    application_name: opts.applicationName ?? 'release-guard',
  });
  // Without a listener an idle connection's error (pg_terminate_backend, a restart) would crash the process.
  pool.on('error', (err) => opts.onIdleError?.(err));
  // …and the same for a connection lost while checked out: the failing query rejects, the 'error' event must not throw.
  pool.on('connect', (client) => client.on('error', (err) => opts.onIdleError?.(err)));
  let statements = 0;
  let closed = false;

  const wrap = (op: string, sql: string, cause: unknown): Error => {
    const message = cause instanceof Error ? cause.message : String(cause);
    const statement = sql.replace(/\s+/g, ' ').trim().slice(0, 120);
    const err = new Error(`postgres ${op} failed on ${where}: ${message} (statement: ${statement})`, { cause });
    (err as Error & { code?: string }).code = (cause as { code?: string } | null)?.code;
    return err;
  };

  const on = (client: pg.Pool | pg.PoolClient, isOpen: () => boolean): Queryable => {
    const query = async <R extends pg.QueryResultRow>(op: string, sql: string, params: readonly SqlValue[] = []): Promise<pg.QueryResult<R>> => {
      if (!isOpen()) throw new Error(`postgres ${op} on ${where} after its transaction ended or the store closed (statement: ${sql.slice(0, 80)})`);
      // Outside a transaction, a read that lost its connection is simply asked again on a fresh one.
      const attempts = client === pool && /^\s*SELECT/i.test(sql) ? MAX_ATTEMPTS : 1;
      for (let attempt = 1; ; attempt++) {
        statements++;
        try {
          return await client.query<R>(numberPlaceholders(sql), params as unknown[]);
        } catch (err) {
          if (attempt < attempts && isConnectionError(err)) continue;
          throw wrap(op, sql, err);
        }
      }
    };
    return {
      dialect: 'postgres',
      run: async (sql, params): Promise<RunResult> => {
        const r = await query('run', sql, params);
        return { changes: r.rowCount ?? 0, lastID: 0 };
      },
      get: async <T>(sql: string, params?: readonly SqlValue[]) => (await query('get', sql, params)).rows[0] as T | undefined,
      all: async <T>(sql: string, params?: readonly SqlValue[]) => (await query('all', sql, params)).rows as T[],
      exec: async (sql) => {
        if (!isOpen()) throw new Error(`postgres exec on ${where} after close`);
        statements++;
        try {
          await client.query(sql);
        } catch (err) {
          throw wrap('exec', sql, err);
        }
      },
    };
  };

  const inside = async <T>(begin: string, fn: (tx: Queryable) => Promise<T>): Promise<T> => {
    for (let attempt = 1; ; attempt++) {
      const client = await pool.connect().catch((cause: unknown) => {
        throw wrap('connect', begin, cause);
      });
      let active = true;
      let broken = false;
      const tx = on(client, () => active && !closed);
      try {
        await tx.run(begin);
        const value = await fn(tx);
        await tx.run('COMMIT');
        return value;
      } catch (err) {
        broken = isConnectionError(err) || isConnectionError((err as Error).cause);
        if (!broken) await client.query('ROLLBACK').catch(() => (broken = true));
        const code = (err as { code?: string }).code;
        // A lost connection is retried too: every transaction of the store is safe to run again (upserts, dedup
        // keys, lease checks), also in the rare case that the connection died after the server committed.
        if (attempt < MAX_ATTEMPTS && ((code !== undefined && RETRYABLE.has(code)) || broken)) {
          await new Promise((r) => setTimeout(r, 50 * attempt));
          continue;
        }
        throw err;
      } finally {
        active = false;
        // A connection that failed mid-transaction is dropped rather than handed to the next caller.
        client.release(broken ? true : undefined);
      }
    }
  };

  const direct = on(pool, () => !closed);
  return {
    where,
    schema,
    get statements() {
      return statements;
    },
    ...direct,
    transaction: (fn) => inside('BEGIN', fn),
    snapshot: (fn) => inside('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', fn),
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}
