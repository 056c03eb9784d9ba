// The API's reads go through a second, read-only connection: they answer while the writer holds a transaction open.
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../../src/store/sqlite/db.js';
import { openReaders } from '../../../src/store/sqlite/readers.js';
import { sqliteStore } from '../../../src/store/sqlite/index.js';
import { migrate } from '../../../src/store/sqlite/migrate.js';
import { deployRecord, newWatch, tempDir } from '../sample-records.js';

let file: string;
let remove: () => Promise<void>;
let writer: Db;
let reader: Db;

beforeEach(async () => {
  let dir: string;
  ({ dir, remove } = await tempDir());
  file = join(dir, 'guard.db');
  writer = await openDb(file);
  await migrate(writer);
  reader = await openDb(file, { readOnly: true });
});

afterEach(async () => {
  await reader.close().catch(() => undefined);
  await writer.close().catch(() => undefined);
  await remove();
});

describe('the SQLite store reader', () => {
  it('answers a deploy and the list from the last commit while the writer holds a transaction, then sees the next commit', async () => {
    const store = sqliteStore(writer, reader);
    await store.createDeploy(deployRecord({ id: 'd-1' }), newWatch());
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    // A write transaction held open (a long tick), and a POST queued behind it on the writer.
    const holding = writer.transaction(async (tx) => {
      await tx.run("UPDATE watches SET reason = 'held' WHERE deploy_id = 'd-1'");
      await held;
    });
    const second = store.createDeploy(deployRecord({ id: 'd-2', service: 'cart', receivedAt: 1763647300 }), newWatch());
    // Both reads answer now, from the last commit (the held update is not visible yet).
    expect((await store.listDeploys({})).map((s) => s.deploy.id)).toEqual(['d-1']);
    expect((await store.getDeploy('d-1'))!.watch!.reason).toBeNull();
    release();
    await holding;
    await second;
    expect((await store.listDeploys({})).map((s) => s.deploy.id)).toEqual(['d-2', 'd-1']);
    expect((await store.getDeploy('d-1'))!.watch!.reason).toBe('held');
  });

  it('is read-only: a write through it is refused', async () => {
    await expect(reader.run("INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'x', 0)")).rejects.toThrow(
      /readonly|read-only|query_only|attempt to write/i,
    );
  });

  it('reads side by side on a pool of readers: a read is answered while another holds its connection', async () => {
    const pool = await openReaders(file, 2);
    try {
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      const long = pool.snapshot(async (tx) => {
        const row = await tx.get<{ n: number }>('SELECT COUNT(*) AS n FROM schema_migrations');
        await held;
        return row;
      });
      // The first connection is busy until release(); this read goes to the other one and answers now.
      expect(await pool.get<{ one: number }>('SELECT 1 AS one')).toEqual({ one: 1 });
      release();
      expect((await long)!.n).toBeGreaterThan(0);
      await expect(pool.run('DELETE FROM schema_migrations')).rejects.toThrow(/readonly|read-only|query_only|attempt to write/i);
    } finally {
      await pool.close();
    }
  });
});
