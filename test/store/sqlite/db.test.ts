// The sqlite wrapper: pragmas, error wrapping, transactions and the queue that keeps callers out of each other's transactions.
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../../src/store/sqlite/db.js';
import { tempDir } from '../sample-records.js';

let dir: string;
let remove: () => Promise<void>;
let db: Db;

beforeEach(async () => {
  ({ dir, remove } = await tempDir());
  db = await openDb(join(dir, 'nested', 'deeper', 'guard.db'));
  await db.exec('CREATE TABLE t (v TEXT NOT NULL)');
});

afterEach(async () => {
  await db.close().catch(() => undefined);
  await remove();
});

const values = async (): Promise<string[]> => (await db.all<{ v: string }>('SELECT v FROM t ORDER BY rowid')).map((r) => r.v);

describe('openDb', () => {
  it('creates the parent directory and sets WAL, foreign keys, busy timeout and synchronous=NORMAL', async () => {
    expect(await db.get('PRAGMA journal_mode')).toEqual({ journal_mode: 'wal' });
    expect(await db.get('PRAGMA foreign_keys')).toEqual({ foreign_keys: 1 });
    expect(await db.get('PRAGMA busy_timeout')).toEqual({ timeout: 5000 });
    expect(await db.get('PRAGMA synchronous')).toEqual({ synchronous: 1 });
  });

  it('returns changes and lastID from run, undefined from get when nothing matches', async () => {
    expect(await db.run("INSERT INTO t (v) VALUES ('a'), ('b')")).toEqual({ changes: 2, lastID: 2 });
    expect(await db.get("SELECT v FROM t WHERE v = 'z'")).toBeUndefined();
    expect(await db.all('SELECT v FROM t WHERE v = ?', ['b'])).toEqual([{ v: 'b' }]);
  });

  it('wraps sqlite errors with the operation, the file and the statement', async () => {
    const failure = db.run('INSERT INTO missing (v) VALUES (1)');
    await expect(failure).rejects.toThrow(/^sqlite run failed on .*guard\.db: SQLITE_ERROR: no such table: missing \(statement: INSERT INTO missing/);
    const err: unknown = await failure.catch((e: unknown) => e);
    expect((err as Error).cause).toMatchObject({ code: 'SQLITE_ERROR' });
  });

  it('refuses calls after close', async () => {
    await db.close();
    await expect(db.run('SELECT 1')).rejects.toThrow('db.run on ' + db.path + ' after close()');
  });
});

describe('transaction', () => {
  it('commits what the callback wrote and returns its value', async () => {
    const n = await db.transaction(async (tx) => {
      await tx.run("INSERT INTO t (v) VALUES ('a')");
      return (await tx.get<{ n: number }>('SELECT COUNT(*) AS n FROM t'))?.n;
    });
    expect(n).toBe(1);
    expect(await values()).toEqual(['a']);
  });

  it('rolls back everything and rethrows when the callback throws', async () => {
    const failing = db.transaction(async (tx) => {
      await tx.run("INSERT INTO t (v) VALUES ('a')");
      await tx.run("INSERT INTO t (v) VALUES ('b')");
      throw new Error('boom');
    });
    await expect(failing).rejects.toThrow('boom');
    expect(await values()).toEqual([]);
  });

  it('keeps a concurrent caller out of an open transaction', async () => {
    const failing = db.transaction(async (tx) => {
      await tx.run("INSERT INTO t (v) VALUES ('in-tx')");
      await new Promise((resolve) => setImmediate(resolve));
      await tx.run("INSERT INTO t (v) VALUES ('in-tx-2')");
      throw new Error('boom');
    });
    const outside = db.run("INSERT INTO t (v) VALUES ('outside')");
    await expect(failing).rejects.toThrow('boom');
    await outside;
    expect(await values()).toEqual(['outside']);
  });

  it('runs queued calls in the order they were made', async () => {
    await Promise.all([
      db.run("INSERT INTO t (v) VALUES ('1')"),
      db.transaction(async (tx) => {
        await tx.run("INSERT INTO t (v) VALUES ('2')");
        await tx.run("INSERT INTO t (v) VALUES ('3')");
      }),
      db.run("INSERT INTO t (v) VALUES ('4')"),
    ]);
    expect(await values()).toEqual(['1', '2', '3', '4']);
  });

  it('turns a call on the outer db inside the callback into an error instead of a deadlock', async () => {
    const misuse = db.transaction(async () => {
      await db.run("INSERT INTO t (v) VALUES ('a')");
    });
    await expect(misuse).rejects.toThrow(/db\.run called inside a transaction .*use the tx passed to the callback/);
    expect(await values()).toEqual([]);
  });

  it('refuses a tx used after its transaction ended', async () => {
    const leaked = await db.transaction(async (tx) => tx);
    await expect(leaked.run("INSERT INTO t (v) VALUES ('late')")).rejects.toThrow(/after its transaction or exclusive turn ended/);
  });

  it('runs an exclusive turn alone, before what was queued after it, and refuses the connection after it', async () => {
    let release!: () => void;
    let waiting!: () => void;
    const inTurn = new Promise<void>((resolve) => (waiting = resolve));
    const turn = db.exclusive(async (conn) => {
      await conn.run("INSERT INTO t (v) VALUES ('in turn')");
      // A call on the db itself would wait for this turn forever: it is refused instead.
      await expect(db.run("INSERT INTO t (v) VALUES ('nested')")).rejects.toThrow(/inside a transaction or exclusive turn/);
      await new Promise<void>((resolve) => {
        release = resolve;
        waiting();
      });
      return { conn, seen: (await conn.all<{ v: string }>('SELECT v FROM t ORDER BY rowid')).map((r) => r.v) };
    });
    // Queued behind the turn: given time, it still runs only once the turn is over.
    const after = db.run("INSERT INTO t (v) VALUES ('after')");
    await inTurn;
    await new Promise((r) => setTimeout(r, 20));
    release();
    const { conn: leaked, seen } = await turn;
    await after;
    expect(seen).toEqual(['in turn']);
    expect(await values()).toEqual(['in turn', 'after']);
    await expect(leaked.run("INSERT INTO t (v) VALUES ('late')")).rejects.toThrow(/after its transaction or exclusive turn ended/);
  });
});

describe('prepared statements', () => {
  it('reuse the statement of the same SQL with new parameters, also past the cache size and inside transactions', async () => {
    for (let i = 0; i < 300; i++) await db.run(i % 2 === 0 ? 'INSERT INTO t (v) VALUES (?)' : `INSERT INTO t (v) VALUES (? || '${i}')`, [`x${i}`]);
    expect((await values()).slice(0, 3)).toEqual(['x0', 'x11', 'x2']);
    // A `get` that stops after its first row and a `run` of a statement that returns rows leave nothing in progress:
    // the transaction commits, and the next `get` of the same SQL reads from the start again.
    await db.transaction(async (tx) => {
      expect(await tx.get<{ v: string }>('SELECT v FROM t ORDER BY rowid')).toEqual({ v: 'x0' });
      await tx.run("INSERT INTO t (v) VALUES ('r') RETURNING v");
      expect(await tx.get<{ v: string }>('SELECT v FROM t ORDER BY rowid')).toEqual({ v: 'x0' });
    });
    expect(await db.get<{ n: number }>("SELECT count(*) AS n FROM t WHERE v = 'r'")).toEqual({ n: 1 });
    expect(await db.get<{ v: string } | undefined>('SELECT v FROM t WHERE v = ?', ['nope'])).toBeUndefined();
    await db.run("INSERT INTO t (v) VALUES ('late')");
    expect(await db.get<{ n: number }>("SELECT count(*) AS n FROM t WHERE v = 'late'")).toEqual({ n: 1 });
  });
});
