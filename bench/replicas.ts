// Replica benchmark (`npm run bench:replicas -- --watches 10000`): N open watches shared by three replica processes on
// one PostgreSQL — per-replica store time per watch tick, statements per tick, lease round time while they tick, and
// the takeover time after one replica is SIGKILLed — beside the same tick load on one SQLite guard.
// Store work only: metric queries and the judge are not included (bench:perf measures those).
// Flags: --watches N (default 1000; or BENCH_WATCHES), --ticks T per watch (default 3), --lease S (default 30, the
// config's default; a lease lost while ticking is counted, as the watcher logs and drops it),
// --batch B watches taken per lease round (default 1000, the LeaseKeeper's), --no-sqlite. RELEASE_GUARD_TEST_PG
// names the server (default the local `test` database).
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import type { Judgement } from '../src/judge/types.js';
import type { Store } from '../src/store/interfaces.js';
import { isLeaseLost } from '../src/store/lease-lost.js';
import { openPostgresStore } from '../src/store/postgres/index.js';
import type { DeployRecord, NewWatch } from '../src/store/records.js';
import { openSqliteStore } from '../src/store/sqlite/index.js';

const { values: flags } = parseArgs({
  options: {
    watches: { type: 'string', default: process.env.BENCH_WATCHES ?? '1000' },
    ticks: { type: 'string', default: process.env.BENCH_TICKS ?? '3' },
    lease: { type: 'string', default: '30' },
    batch: { type: 'string', default: '1000' },
    'no-sqlite': { type: 'boolean', default: false },
    // Set by the parent for its replica processes.
    replica: { type: 'string' },
    schema: { type: 'string' },
  },
});
const positive = (name: string, v: string | undefined): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a whole number ≥ 1, not "${v}"`);
  return n;
};
const N = positive('watches', flags.watches);
const TICKS = positive('ticks', flags.ticks);
const LEASE_S = positive('lease', flags.lease);
const BATCH = positive('batch', flags.batch);
const URL_ = process.env.RELEASE_GUARD_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';
const REPLICAS = ['r1', 'r2', 'r3'];
const IN_FLIGHT = 8;
const METRICS = ['error_rate', 'latency_p95', 'cpu', 'memory', 'throughput'];
const T0 = 1_763_647_200;
/** The watch interval of the load: every watch ticks once per 60 s. */
const INTERVAL_S = 60;

const deploy = (i: number): DeployRecord => ({
  id: `b-${i}`,
  service: `svc-${i % 50}`,
  environment: `env-${i}`,
  version: 'v2',
  previousVersion: 'v1',
  commit: null,
  startedAt: T0,
  labels: {},
  links: {},
  origin: 'api',
  receivedAt: T0 + i / 1000,
});
const watch: NewWatch = {
  status: 'watching',
  source: 'demo',
  timeScale: 1,
  windowEnd: T0 + 900,
  interval: INTERVAL_S,
  evaluatedAt: null,
  supersededBy: null,
  reason: null,
};
const judgement = (step: number): Judgement => ({
  state: 'watching',
  verdict: null,
  severity: null,
  rollback: false,
  rollbackAt: null,
  findings: [],
  evaluatedAt: T0 + 60 * step,
  windowEnd: T0 + 900,
  reason: null,
});

/** What one watcher tick asks of the store (without the metric source and the judge). */
async function tick(store: Store, id: string, step: number): Promise<void> {
  await store.getDeploy(id);
  for (const m of METRICS) await store.recordSamples(id, 'deploy', m, [[T0 + 60 * step, Math.random()]]);
  await store.observations(id);
  await store.saveJudgement(id, judgement(step), 'watching', T0 + 60 * step);
}

/** Runs `fn` over `items` with IN_FLIGHT at a time. */
async function inFlight<T>(items: readonly T[], fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

/** Ticks every id `TICKS` times, IN_FLIGHT at once; returns ms of wall time per tick and the ticks whose lease was lost. */
async function tickAll(store: Store, ids: string[]): Promise<{ msPerTick: number; leaseLost: number }> {
  const started = performance.now();
  let leaseLost = 0;
  for (let step = 1; step <= TICKS; step++) {
    await inFlight(ids, (id) =>
      tick(store, id, step).catch((err: unknown) => {
        if (!isLeaseLost(err)) throw err;
        leaseLost++;
      }),
    );
  }
  return { msPerTick: (performance.now() - started) / (ids.length * TICKS), leaseLost };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

type ToReplica = { do: 'create'; from: number; to: number } | { do: 'tick' };
type FromReplica =
  | { ready: true }
  | { created: number; ms: number }
  | { ticked: number; msPerTick: number; leaseLost: number; statementsPerTick: number; roundsMs: number[]; roundStatements: number };

/** One replica process: creates its share of the deploys (it holds their leases), ticks them, keeps its leases. */
async function replicaMain(name: string, schema: string): Promise<void> {
  const send = (m: FromReplica) => process.send?.(m);
  const store = await openPostgresStore({
    url: URL_,
    schema,
    poolSize: 8,
    replica: name,
    leaseSeconds: LEASE_S,
    applicationName: `release-guard-bench/${name}`,
  });
  const rounds: number[] = [];
  // The LeaseKeeper's loop: a round every third of the lease, taking at most BATCH watches.
  const round = async (): Promise<void> => {
    const t = performance.now();
    await store.leases.tend(BATCH, Date.now() / 1000).catch(() => undefined);
    rounds.push(performance.now() - t);
    setTimeout(() => void round(), (LEASE_S * 1000) / 3);
  };
  void round();
  let mine: string[] = [];
  process.on('message', (m: ToReplica) => {
    void (async () => {
      if (m.do === 'create') {
        const t = performance.now();
        const ids = Array.from({ length: m.to - m.from }, (_, k) => m.from + k);
        await inFlight(ids, async (i) => void (await store.createDeploy(deploy(i), watch)));
        mine = ids.map((i) => `b-${i}`);
        send({ created: ids.length, ms: performance.now() - t });
      } else {
        // A round's statements, counted alone (the count is shared with the ticks while they run).
        const alone = store.db.statements;
        await store.leases.tend(BATCH, Date.now() / 1000);
        const roundStatements = store.db.statements - alone;
        rounds.length = 0;
        const before = store.db.statements;
        const { msPerTick, leaseLost } = await tickAll(store, mine);
        // Statements of the lease rounds that ran meanwhile are not the ticks'.
        const statementsPerTick = (store.db.statements - before - rounds.length * roundStatements) / (mine.length * TICKS);
        send({ ticked: mine.length, msPerTick, leaseLost, statementsPerTick, roundsMs: [...rounds], roundStatements });
      }
    })();
  });
  send({ ready: true });
}

/** Starts a replica process and a reader of its messages. */
function startReplica(name: string, schema: string): { child: ChildProcess; next: <T extends FromReplica>() => Promise<T> } {
  const child = fork(
    import.meta.filename,
    ['--replica', name, '--schema', schema, '--lease', String(LEASE_S), '--batch', String(BATCH), '--ticks', String(TICKS), '--watches', String(N)],
    {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );
  const queue: FromReplica[] = [];
  const waiting: Array<(m: FromReplica) => void> = [];
  child.on('message', (m: FromReplica) => (waiting.length > 0 ? waiting.shift()!(m) : queue.push(m)));
  child.on('exit', (code, signal) => {
    if (signal !== 'SIGKILL' && signal !== 'SIGTERM')
      for (const w of waiting.splice(0)) w(Promise.reject(new Error(`replica ${name} exited (${code ?? signal})`)) as never);
  });
  return {
    child,
    next: <T extends FromReplica>() => new Promise<T>((resolve) => (queue.length > 0 ? resolve(queue.shift() as T) : waiting.push((m) => resolve(m as T)))),
  };
}

async function postgresRun(): Promise<void> {
  const schema = `rg_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: URL_ });
  await admin.connect();
  const replicas = REPLICAS.map((name) => ({ name, ...startReplica(name, schema) }));
  try {
    // One at a time at first: the first replica's start-up creates the schema (the others wait on its advisory lock).
    for (const r of replicas) await r.next();
    const share = Math.ceil(N / REPLICAS.length);
    const created = await Promise.all(
      replicas.map((r, k) => {
        r.child.send({ do: 'create', from: k * share, to: Math.min(N, (k + 1) * share) } satisfies ToReplica);
        return r.next<{ created: number; ms: number }>();
      }),
    );
    console.log(
      `PostgreSQL, 3 replica processes, ${N} watches (${created.map((c) => c.created).join(' + ')}), ${TICKS} ticks each, ${IN_FLIGHT} in flight per replica, lease ${LEASE_S} s:`,
    );
    console.log(`  created in ${(Math.max(...created.map((c) => c.ms)) / 1000).toFixed(1)} s (each replica its share, as if it had received the webhooks)`);
    const ticked = await Promise.all(
      replicas.map((r) => {
        r.child.send({ do: 'tick' } satisfies ToReplica);
        return r.next<Extract<FromReplica, { ticked: number }>>();
      }),
    );
    for (const [k, t] of ticked.entries()) {
      const roundS = (t.ticked * t.msPerTick) / 1000;
      console.log(
        `  ${REPLICAS[k]}: ${t.ticked} watches, ${t.msPerTick.toFixed(2)} ms of wall time per tick, ${t.statementsPerTick.toFixed(1)} statements per tick; ` +
          `one tick of all its watches takes ${roundS.toFixed(1)} s of the ${INTERVAL_S} s interval; ${t.leaseLost} ticks dropped for a lost lease; lease rounds meanwhile ${t.roundsMs.length}× median ${median(t.roundsMs).toFixed(0)} ms, max ${Math.max(...t.roundsMs).toFixed(0)} ms, ${t.roundStatements} statements`,
      );
    }

    // r1 dies (SIGKILL: no hand-back); r2 and r3 take its watches as its leases lapse, BATCH per round each.
    const heldByR1 = async () =>
      Number((await admin.query<{ n: string }>(`SELECT COUNT(*) AS n FROM ${schema}.watches WHERE status = 'watching' AND lease_holder = 'r1'`)).rows[0]!.n);
    const r1Watches = await heldByR1();
    replicas[0]!.child.kill('SIGKILL');
    const killedAt = performance.now();
    let firstTaken: number | null = null;
    for (;;) {
      const left = await heldByR1();
      if (left < r1Watches && firstTaken === null) firstTaken = performance.now() - killedAt;
      if (left === 0) break;
      if (performance.now() - killedAt > 600_000) throw new Error(`takeover incomplete after 10 min: ${left} watches still leased to r1`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const total = (performance.now() - killedAt) / 1000;
    const split = (
      await admin.query<{ holder: string; n: string }>(
        `SELECT lease_holder AS holder, COUNT(*) AS n FROM ${schema}.watches WHERE status = 'watching' GROUP BY 1 ORDER BY 1`,
      )
    ).rows;
    console.log(
      `  takeover after SIGKILL of r1: its ${r1Watches} watches all taken by r2+r3 in ${total.toFixed(1)} s (first ones after ${((firstTaken ?? 0) / 1000).toFixed(1)} s; ` +
        `lease ${LEASE_S} s, rounds every ${(LEASE_S / 3).toFixed(1)} s taking ≤ ${BATCH} each); now ${split.map((r) => `${r.holder} ${r.n}`).join(', ')}`,
    );
  } finally {
    for (const r of replicas) if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill('SIGTERM');
    await Promise.all(
      replicas.map((r) => (r.child.exitCode !== null || r.child.signalCode !== null ? undefined : new Promise((res) => r.child.once('exit', res)))),
    );
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  }
}

async function sqliteRun(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'rg-bench-'));
  const store = await openSqliteStore(join(dir, 'guard.db'));
  try {
    for (let i = 0; i < N; i++) await store.createDeploy(deploy(i), watch);
    const { msPerTick: ms } = await tickAll(
      store,
      Array.from({ length: N }, (_, i) => `b-${i}`),
    );
    console.log(
      `SQLite, one guard, ${N} watches, ${TICKS} ticks each:\n  ${ms.toFixed(2)} ms of wall time per tick with ${IN_FLIGHT} in flight (store work only); one tick of all ${N} watches takes ${((N * ms) / 1000).toFixed(1)} s of the ${INTERVAL_S} s interval`,
    );
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

if (flags.replica && flags.schema) {
  await replicaMain(flags.replica, flags.schema);
} else {
  await postgresRun();
  if (!flags['no-sqlite']) await sqliteRun();
}
