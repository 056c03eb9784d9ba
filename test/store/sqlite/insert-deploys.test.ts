// DeployBatchWriter (a batch in one statement) must leave the store exactly as insertDeploy one deploy after another
// would, and answer each deploy as it would: checked on random batches (repeated ids, shared services, deploys dated
// ahead of their arrival, watches stored before the batch) and on the store's group commit under concurrent POSTs.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../../src/store/sqlite/db.js';
import { insertDeploy } from '../../../src/store/sqlite/deploys.js';
import { DeployBatchWriter, MAX_DEPLOY_BATCH } from '../../../src/store/sqlite/intake.js';
import { sqliteStore } from '../../../src/store/sqlite/index.js';
import { migrate } from '../../../src/store/sqlite/migrate.js';
import type { DeployRecord, NewWatch } from '../../../src/store/records.js';
import { deployRecord, newWatch } from '../sample-records.js';

interface Item {
  deploy: DeployRecord;
  watch: NewWatch;
}

/** A deploy of one of two services, with an id from a small pool (so ids repeat) and times close together. */
const item = fc
  .record({
    id: fc.integer({ min: 0, max: 11 }),
    service: fc.constantFrom('checkout', 'search'),
    environment: fc.constantFrom('production', 'staging'),
    startedAt: fc.integer({ min: 0, max: 6 }),
    // Mostly received after it started; sometimes dated ahead (it supersedes nothing on arrival).
    lateBy: fc.integer({ min: -2, max: 4 }),
    version: fc.constantFrom('v1', 'v2'),
  })
  .map((r): Item => ({
    deploy: deployRecord({
      id: `d-${r.id}`,
      service: r.service,
      environment: r.environment,
      version: r.version,
      startedAt: 1_000 + r.startedAt,
      receivedAt: 1_000 + r.startedAt + r.lateBy + 0.25,
    }),
    watch: newWatch({ windowEnd: 2_000 + r.startedAt }),
  }));

async function freshDb(): Promise<Db> {
  const db = await openDb(':memory:');
  await migrate(db);
  return db;
}

const dump = async (db: Db) => ({
  deploys: await db.all('SELECT * FROM deploys ORDER BY id'),
  watches: await db.all('SELECT * FROM watches ORDER BY deploy_id'),
});

let one: Db;
let batch: Db;
let writer: DeployBatchWriter;

beforeAll(async () => {
  one = await freshDb();
  batch = await freshDb();
  writer = new DeployBatchWriter();
});

afterAll(async () => {
  await one.close();
  await batch.close();
});

describe('DeployBatchWriter', () => {
  it('answers and stores what insertDeploy one after another does', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(item, { maxLength: 4 }), fc.array(item, { minLength: 1, maxLength: 24 }), async (before, items) => {
        for (const db of [one, batch]) {
          await db.exec('DELETE FROM watches; DELETE FROM deploys;');
          await db.transaction(async (tx) => {
            for (const b of before) await insertDeploy(tx, b.deploy, b.watch);
          });
        }
        const expected = await one.transaction(async (tx) => {
          const out: Array<string[] | null> = [];
          for (const i of items) out.push(await insertDeploy(tx, i.deploy, i.watch));
          return out;
        });
        const got = await batch.exclusive((conn) => writer.write(conn, items));
        expect(got).toEqual(expected);
        expect(await dump(batch)).toEqual(await dump(one));
        // The intake table keeps no input row.
        expect(await batch.all('SELECT * FROM temp.deploy_intake')).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('answers superseded ids exactly, whatever characters they hold', async () => {
    await batch.exec('DELETE FROM watches; DELETE FROM deploys;');
    const odd = ['d-"quoted"', 'd-back\\slash', 'd-comma, space', 'd-\u0001control', 'd-é😀', "d-'single'"];
    const items = [...odd, 'd-last'].map((id, i) => ({ deploy: deployRecord({ id, startedAt: 1_000 + i, receivedAt: 1_000 + i }), watch: newWatch() }));
    const got = await batch.exclusive((conn) => writer.write(conn, items));
    expect(got.slice(0, odd.length)).toEqual([[], ...odd.slice(0, -1).map((id) => [id])]);
    expect(got.at(-1)).toEqual([odd.at(-1)]);
  });

  it('refuses a batch larger than MAX_DEPLOY_BATCH and answers [] for none', async () => {
    const many = Array.from({ length: MAX_DEPLOY_BATCH + 1 }, (_, i) => ({ deploy: deployRecord({ id: `d-${i}` }), watch: newWatch() }));
    await expect(batch.exclusive((conn) => writer.write(conn, many))).rejects.toThrow(`at most ${MAX_DEPLOY_BATCH}`);
    expect(await batch.exclusive((conn) => writer.write(conn, []))).toEqual([]);
  });
});

describe('createDeploy under concurrent calls (group commit)', () => {
  it('writes a burst in fewer writes than calls, and answers each call as if alone', async () => {
    const db = await freshDb();
    const store = sqliteStore(db);
    let writes = 0;
    const exclusive = db.exclusive.bind(db);
    db.exclusive = (fn) => {
      writes++;
      return exclusive(fn);
    };
    try {
      // One call alone is written by itself.
      await store.createDeploy(deployRecord({ id: 'd-alone', service: 'alone' }), newWatch());
      expect(writes).toBe(1);
      writes = 0;
      const burst = Array.from({ length: 40 }, (_, i) =>
        store.createDeploy(deployRecord({ id: `d-${i % 30}`, service: `svc-${i % 3}`, startedAt: 1_000 + i, receivedAt: 1_000 + i }), newWatch()),
      );
      const answers = await Promise.all(burst);
      // All 40 calls came in the same turn of the event loop: they share one write.
      expect(writes).toBe(1);
      expect(answers.filter((a) => a.created).map((a) => a.view.deploy.id)).toEqual(Array.from({ length: 30 }, (_, i) => `d-${i}`));
      // A repeated id answers the deploy as first stored (its service is that of call i % 30).
      expect(answers[35]).toMatchObject({ created: false, view: { deploy: { id: 'd-5', service: 'svc-2' } }, superseded: [] });
      // Each service's deploys supersede the one before: d-3 replaced d-0 (svc-0), d-4 replaced d-1, …
      expect(answers[3]!.superseded).toEqual(['d-0']);
      expect(answers[29]!.superseded).toEqual(['d-26']);
      const watching = await db.all<{ deploy_id: string }>("SELECT deploy_id FROM watches WHERE status = 'watching' ORDER BY deploy_id");
      expect(watching.map((w) => w.deploy_id)).toEqual(['d-27', 'd-28', 'd-29', 'd-alone']);
    } finally {
      await store.close();
    }
  });

  it('fails only the call whose deploy cannot be stored when its batch fails', async () => {
    const db = await freshDb();
    const store = sqliteStore(db);
    try {
      const calls = [
        store.createDeploy(deployRecord({ id: 'd-first' }), newWatch()),
        store.createDeploy(deployRecord({ id: 'd-ok-1', service: 'a' }), newWatch()),
        // The schema refuses an origin it does not know: this one deploy cannot be stored.
        store.createDeploy(deployRecord({ id: 'd-bad', service: 'b', origin: 'carrier-pigeon' as DeployRecord['origin'] }), newWatch()),
        store.createDeploy(deployRecord({ id: 'd-ok-2', service: 'c' }), newWatch()),
      ];
      const settled = await Promise.allSettled(calls);
      expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
      expect(String((settled[2] as PromiseRejectedResult).reason)).toMatch(/CHECK constraint failed/);
      const stored = await db.all<{ id: string }>('SELECT id FROM deploys ORDER BY id');
      expect(stored.map((r) => r.id)).toEqual(['d-first', 'd-ok-1', 'd-ok-2']);
    } finally {
      await store.close();
    }
  });
});
