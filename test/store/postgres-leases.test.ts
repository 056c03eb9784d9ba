// Leases on PostgreSQL: one holder per watch across replicas, takeover after expiry, and the fence that stops a
// replica whose lease was taken over from acting, checked in the transaction that acts.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migratePg, PG_MIGRATIONS } from '../../src/store/postgres/migrate.js';
import { openPgDb, numberPlaceholders, type PgDb } from '../../src/store/postgres/pg-db.js';
import { checkLease, isLeaseLost, leaseNew, newLeaseState, releaseAll, tendWatches } from '../../src/store/postgres/leases.js';
import { testSchema, type TestSchema } from './pg-schema.js';

let ts: TestSchema;
let db: PgDb;

beforeEach(async () => {
  ts = await testSchema();
  db = openPgDb({ url: ts.url, poolSize: 4, schema: ts.schema });
  await migratePg(db);
});
afterEach(async () => {
  await db.close();
  await ts.drop();
});

async function addWatch(id: string, startedAt = 1000): Promise<void> {
  await db.run(`INSERT INTO deploys (id, service, environment, version, started_at, origin, received_at) VALUES (?, 'shop', ?, 'v1', ?, 'api', 0)`, [
    id,
    id,
    startedAt,
  ]);
  await db.run(
    `INSERT INTO watches (deploy_id, service, environment, started_at, status, source, time_scale, window_end, interval_s, updated_at)
     VALUES (?, 'shop', ?, ?, 'watching', 'demo', 1, 2000, 60, 0)`,
    [id, id, startedAt],
  );
}

describe('postgres plumbing', () => {
  it('numbers ? placeholders outside quoted strings', () => {
    expect(numberPlaceholders("SELECT ? AS a, '?' AS b, x = ? AND y IN (?, ?)")).toBe("SELECT $1 AS a, '?' AS b, x = $2 AND y IN ($3, $4)");
  });

  it('applies the numbered migrations once, also when replicas migrate at the same time', async () => {
    const others = [openPgDb({ url: ts.url, poolSize: 2, schema: ts.schema }), openPgDb({ url: ts.url, poolSize: 2, schema: ts.schema })];
    const applied = await Promise.all(others.map((o) => migratePg(o)));
    expect(applied).toEqual([[], []]);
    const rows = await db.all<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
    expect(rows.map((r) => r.version)).toEqual(PG_MIGRATIONS.map((m) => m.version));
    await Promise.all(others.map((o) => o.close()));
  });

  it('refuses a schema written by a newer release-guard', async () => {
    await db.run(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'future', 0)`);
    await expect(migratePg(db)).rejects.toThrow(`has version 99, newer than this release-guard knows (${PG_MIGRATIONS.length})`);
  });
});

describe('watch leases', () => {
  it('gives each open watch to exactly one of three replicas competing for it', async () => {
    for (let i = 0; i < 30; i++) await addWatch(`d-${String(i).padStart(2, '0')}`, 1000 + i);
    const replicas = ['a', 'b', 'c'].map((r) => newLeaseState(r, 30));
    const results = await Promise.all(replicas.map((s) => db.transaction((tx) => tendWatches(tx, s, 12))));
    const all = results.flatMap((r) => r.taken);
    expect(all).toHaveLength(30);
    expect(new Set(all).size).toBe(30);
    for (const r of results) expect(r.taken.length).toBeLessThanOrEqual(12);
    const holders = await db.all<{ n: string }>(`SELECT COUNT(DISTINCT lease_holder) AS n FROM watches`);
    expect(Number(holders[0]!.n)).toBe(3);
  });

  it('lets another replica take a lapsed lease, and the fence then stops the old holder acting', async () => {
    await addWatch('d-1');
    const a = newLeaseState('a', 1);
    const b = newLeaseState('b', 30);
    expect((await tendWatches(db, a, 10)).taken).toEqual(['d-1']);
    expect((await tendWatches(db, b, 10)).taken).toEqual([]);
    await db.transaction((tx) => checkLease(tx, 'watches', 'd-1', a));
    await new Promise((r) => setTimeout(r, 1200));
    expect((await tendWatches(db, b, 10)).taken).toEqual(['d-1']);
    const acting = db.transaction((tx) => checkLease(tx, 'watches', 'd-1', a));
    await expect(acting).rejects.toThrow(/lease on the watch of d-1 lost: replica b holds it now/);
    expect(await acting.catch(isLeaseLost)).toBe(true);
    expect(await tendWatches(db, a, 0)).toEqual({ taken: [], lost: [] });
    await db.transaction((tx) => checkLease(tx, 'watches', 'd-1', b));
  });

  it('refuses to act on an expired lease even before anyone took it over, and renews it if nobody did', async () => {
    await addWatch('d-1');
    const a = newLeaseState('a', 1);
    await db.transaction((tx) => leaseNew(tx, 'watches', 'd-1', a));
    await new Promise((r) => setTimeout(r, 1200));
    await expect(db.transaction((tx) => checkLease(tx, 'watches', 'd-1', a))).rejects.toThrow(/the lease expired before this replica acted/);
    expect(await tendWatches(db, a, 0)).toEqual({ taken: [], lost: [] });
    await db.transaction((tx) => checkLease(tx, 'watches', 'd-1', a));
  });

  it('hands everything back on a clean shutdown, and reports watches that ended as lost', async () => {
    await addWatch('d-1');
    await addWatch('d-2');
    const a = newLeaseState('a', 30);
    const b = newLeaseState('b', 30);
    await tendWatches(db, a, 10);
    await db.run(`UPDATE watches SET status = 'stopped' WHERE deploy_id = 'd-2'`);
    expect(await tendWatches(db, a, 10)).toEqual({ taken: [], lost: ['d-2'] });
    await releaseAll(db, a);
    expect((await tendWatches(db, b, 10)).taken).toEqual(['d-1']);
  });
});
