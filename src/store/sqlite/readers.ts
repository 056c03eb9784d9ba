// Read-only connections to one SQLite file, used as one Db: the API's reads beside the one writing connection.
import { openDb, type Db, type Queryable, type RunResult, type SqlValue } from './db.js';

/**
 * Read-only connections to one file used as one Db: each call goes to the connection with the fewest calls in
 * flight, so reads (each connection's calls are queued, a snapshot's statements too) run side by side on the
 * thread pool instead of one after another. Reads only: a write through it is refused by the connections.
 */
export async function openReaders(path: string, count: number): Promise<Db> {
  const members: Db[] = [];
  try {
    for (let i = 0; i < count; i++) members.push(await openDb(path, { readOnly: true }));
  } catch (err) {
    await Promise.all(members.map((m) => m.close().catch(() => undefined)));
    throw err;
  }
  return new ReaderPool(path, members);
}

class ReaderPool implements Db {
  readonly dialect = 'sqlite' as const;
  private readonly busy: number[];

  constructor(
    readonly path: string,
    private readonly members: Db[],
  ) {
    this.busy = members.map(() => 0);
  }

  run(sql: string, params?: readonly SqlValue[]): Promise<RunResult> {
    return this.on((db) => db.run(sql, params));
  }

  get<T>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined> {
    return this.on((db) => db.get<T>(sql, params));
  }

  all<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    return this.on((db) => db.all<T>(sql, params));
  }

  allCached<T>(sql: string, params?: readonly SqlValue[]): Promise<readonly T[]> {
    return this.on((db) => (db.allCached ? db.allCached<T>(sql, params) : db.all<T>(sql, params)));
  }

  exec(sql: string): Promise<void> {
    return this.on((db) => db.exec(sql));
  }

  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.on((db) => db.transaction(fn));
  }

  snapshot<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.on((db) => db.snapshot(fn));
  }

  exclusive<T>(fn: (conn: Queryable) => Promise<T>): Promise<T> {
    return this.on((db) => db.exclusive(fn));
  }

  async close(): Promise<void> {
    await Promise.all(this.members.map((m) => m.close()));
  }

  /** Runs `call` on the least busy connection. */
  private async on<T>(call: (db: Db) => Promise<T>): Promise<T> {
    let i = 0;
    for (let j = 1; j < this.members.length; j++) if (this.busy[j]! < this.busy[i]!) i = j;
    this.busy[i]!++;
    try {
      return await call(this.members[i]!);
    } finally {
      this.busy[i]!--;
    }
  }
}
