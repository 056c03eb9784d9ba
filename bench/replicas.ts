// Replica benchmark (`npm run bench:replicas`): N open watches shared by three replicas on PostgreSQL — per-replica
// store time per watch tick, statements per tick, lease round time, takeover time after a replica stops dead —
// beside the same tick load on one SQLite guard. Store work only: metric queries and the judge are not included.
// BENCH_WATCHES (default 1000), BENCH_TICKS (default 3 per watch), RELEASE_GUARD_TEST_PG (default local `test`).
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { Judgement } from '../src/judge/types.js';
import type { Store } from '../src/store/interfaces.js';
import { openPostgresStore, type PostgresStore } from '../src/store/postgres/index.js';
import type { DeployRecord, NewWatch } from '../src/store/records.js';
import { openSqliteStore } from '../src/store/sqlite/index.js';

const N = Number(process.env.BENCH_WATCHES ?? 1000);
const TICKS = Number(process.env.BENCH_TICKS ?? 3);
const URL_ = process.env.RELEASE_GUARD_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';
const LEASE_S = 5;
const METRICS = ['error_rate', 'latency_p95', 'cpu', 'memory', 'throughput'];
const T0 = 1_763_647_200;

const deploy = (i: number): DeployRecord => ({
  id: `b-${i}`, service: `svc-${i % 50}`, environment: `env-${i}`, version: 'v2', previousVersion: 'v1', commit: null,
  startedAt: T0, labels: {}, links: {}, origin: 'api', receivedAt: T0 + i / 1000,
});
const watch: NewWatch = { status: 'watching', source: 'demo', timeScale: 1, windowEnd: T0 + 900, interval: 60, evaluatedAt: null, supersededBy: null, reason: null };
const judgement = (step: number): Judgement => ({ state: 'watching', verdict: null, severity: null, rollback: false, rollbackAt: null, findings: [], evaluatedAt: T0 + 60 * step, windowEnd: T0 + 900, reason: null });

/** What one watcher tick asks of the store (without the metric source and the judge). */
async function tick(store: Store, id: string, step: number): Promise<void> {
  await store.getDeploy(id);
  for (const m of METRICS) await store.recordSamples(id, 'deploy', m, [[T0 + 60 * step, Math.random()]]);
  await store.observations(id);
  await store.saveJudgement(id, judgement(step), 'watching', T0 + 60 * step);
}

/** Ticks every id `TICKS` times with 8 ticks in flight; returns ms per tick. */
async function tickAll(store: Store, ids: string[]): Promise<number> {
  const started = performance.now();
  for (let step = 1; step <= TICKS; step++) {
    let next = 0;
    await Promise.all(Array.from({ length: 8 }, async () => {
      while (next < ids.length) await tick(store, ids[next++]!, step);
    }));
  }
  return (performance.now() - started) / (ids.length * TICKS);
}

async function postgresRun(): Promise<void> {
  const schema = `rg_bench_${randomBytes(4).toString('hex')}`;
  const open = (replica: string) => openPostgresStore({ url: URL_, schema, poolSize: 8, replica, leaseSeconds: LEASE_S, applicationName: `release-guard-bench/${replica}` });
  const replicas: PostgresStore[] = [];
  for (const r of ['r1', 'r2', 'r3']) replicas.push(await open(r));
  try {
    // Each replica renews its leases every third of the lease, as the LeaseKeeper does.
    const keepers = replicas.map((s) => setInterval(() => void s.leases.tend(0, Date.now() / 1000).catch(() => undefined), (LEASE_S * 1000) / 3));
    for (let i = 0; i < N; i += 24) {
      await Promise.all(Array.from({ length: Math.min(24, N - i) }, (_, k) => replicas[(i + k) % 3]!.createDeploy(deploy(i + k), watch)));
    }
    const held = replicas.map((_, r) => Array.from({ length: N }, (_, i) => i).filter((i) => i % 3 === r).map((i) => `b-${i}`));
    const rows: string[] = [];
    await Promise.all(replicas.map(async (store, r) => {
      const before = store.db.statements;
      const msPerTick = await tickAll(store, held[r]!);
      const perTick = (store.db.statements - before) / (held[r]!.length * TICKS);
      const t = performance.now();
      await store.leases.tend(100, Date.now() / 1000);
      rows.push(`  ${store.leases.replica}: ${held[r]!.length} watches, ${msPerTick.toFixed(2)} ms of wall time per tick with 8 in flight (store work only), ${perTick.toFixed(1)} statements per tick, lease round ${(performance.now() - t).toFixed(0)} ms`);
    }));
    console.log(`PostgreSQL, 3 replicas, ${N} watches, ${TICKS} ticks each:\n${rows.sort().join('\n')}`);

    // r1 stops dead (no hand-back); r2 and r3 go on tending and take its watches.
    for (const k of keepers) clearInterval(k);
    await replicas[0]!.close();
    const stoppedAt = performance.now();
    let left = held[0]!.length;
    while (left > 0) {
      await new Promise((r) => setTimeout(r, (LEASE_S * 1000) / 3));
      for (const s of replicas.slice(1)) left -= (await s.leases.tend(N, Date.now() / 1000)).watches.taken.length;
    }
    console.log(`  takeover of r1's ${held[0]!.length} watches by r2+r3: ${((performance.now() - stoppedAt) / 1000).toFixed(1)} s (lease ${LEASE_S} s, rounds every ${LEASE_S / 3} s)`);
  } finally {
    for (const s of replicas.slice(1)) await s.close().catch(() => undefined);
    const admin = new pg.Client({ connectionString: URL_ });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  }
}

async function sqliteRun(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'rg-bench-'));
  const store = await openSqliteStore(join(dir, 'guard.db'));
  try {
    for (let i = 0; i < N; i++) await store.createDeploy(deploy(i), watch);
    const ms = await tickAll(store, Array.from({ length: N }, (_, i) => `b-${i}`));
    console.log(`SQLite, one guard, ${N} watches, ${TICKS} ticks each:\n  ${ms.toFixed(2)} ms of wall time per tick with 8 in flight (store work only)`);
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

await postgresRun();
await sqliteRun();
