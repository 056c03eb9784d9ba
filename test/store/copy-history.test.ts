// `release-guard store copy` for real: a SQLite guard's history (hostile values included) into a PostgreSQL schema of
// its own on 127.0.0.1, row for row with ids kept; refusals (non-empty target, live replicas, a running guard) and
// all-or-nothing on a row PostgreSQL rejects.
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { storeCopy } from '../../src/cli/store-copy.js';
import { SQLITE_FILE } from '../../src/store/config.js';
import { copyHistory, CopyRefusedError } from '../../src/store/copy/copy-history.js';
import { COPIED_TABLES } from '../../src/store/copy/tables.js';
import { lockDataDir } from '../../src/store/data-dir-lock.js';
import type { Store } from '../../src/store/interfaces.js';
import { openPostgresStore, type PostgresStore } from '../../src/store/postgres/index.js';
import { openPgDb, type PgDb } from '../../src/store/postgres/pg-db.js';
import { openDb, type Db } from '../../src/store/sqlite/db.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { testSchema, type TestSchema } from './pg-schema.js';
import { deployRecord, judgement, newWatch, tempDir } from './sample-records.js';

const T = 1763647200;
const HOSTILE_ID = `it's "quoted" ☃ 𝄞 ?$1 \\ ; DROP TABLE deploys; --`;
const BIG_LABELS = { blob: 'ü'.repeat(150_000), nested: Array.from({ length: 500 }, (_, i) => ({ i, s: `'"${i}"'` })), emoji: '🚀' };

let dir: string;
let remove: () => Promise<void>;
let schema: TestSchema;
let target: PgDb;

beforeEach(async () => {
  ({ dir, remove } = await tempDir());
  schema = await testSchema('rg_copy');
  target = openPgDb({ url: schema.url, poolSize: 2, schema: schema.schema });
});
afterEach(async () => {
  await target.close();
  await schema.drop();
  await remove();
});

/** A SQLite guard's history touching every copied table. */
async function fillSqlite(file: string): Promise<void> {
  const store = await openSqliteStore(file);
  try {
    await store.createDeploy(deployRecord({ id: HOSTILE_ID, service: 'chëckout \'"', labels: BIG_LABELS as never, commit: null }), newWatch());
    await store.createDeploy(deployRecord({ id: 'd-2', environment: 'staging', receivedAt: T + 5 }), newWatch({ windowEnd: T + 1800 }));
    await store.recordSamples(HOSTILE_ID, 'deploy', 'error_rate', [
      [T + 60, 0.1],
      [T + 120, 1e-300],
      [T + 180, 12345.678901234567],
    ]);
    await store.recordSamples(HOSTILE_ID, 'control', 'latency "p95"', [[T - 60, 0.25]]);
    await store.recordBlindSpot(HOSTILE_ID, { metric: 'cpu', at: T + 60, kind: 'error', message: 'source said: "500 \'oops\'" ✗' });
    const finding = {
      rule: 'spike ☃',
      metric: 'error_rate',
      severity: 'P1' as const,
      at: T + 120,
      observed: 0.3,
      baseline: null,
      condition: "value > 0.1 and name = 'x'",
      kind: 'breach' as const,
      summary: 'error_rate 30% — 🔥',
      shadow: true,
    };
    await store.saveJudgement(
      HOSTILE_ID,
      judgement({ state: 'done', verdict: 'fail', severity: 'P1', rollback: true, rollbackAt: T + 121, findings: [finding], reason: 'rolled back' }),
      'fail',
      T + 130,
    );
    await store.beginRecovery({ deployId: HOSTILE_ID, rolledBackAt: T + 121, windowEnd: T + 721, rules: ['spike ☃'] }, T + 122);
    const silence = await store.createSilence(
      { service: 'chëckout', environment: null, startsAt: T, endsAt: T + 3600, createdBy: "o'brien", reason: 'maintenance "window"' },
      T,
    );
    await store.createSilence({ service: 'b', environment: 'prod', startsAt: T, endsAt: T + 60, createdBy: 'x', reason: 'y' }, T);
    await store.enqueueDeliveries(
      [
        {
          dedupKey: `rollback:${HOSTILE_ID}`,
          deployId: HOSTILE_ID,
          service: 'chëckout',
          environment: 'production',
          kind: 'hook',
          event: 'rollback',
          channel: 'k8s-undo',
          channelType: 'exec',
          severity: 'P1',
          thread: HOSTILE_ID,
          payload: BIG_LABELS,
          status: 'pending',
          silenceId: null,
          deadlineAt: T + 900,
          action: { kind: 'rollback', target: 'k8s-undo', request: { argv: ['kubectl', "it's"] } },
        },
        {
          dedupKey: 'alert:1',
          deployId: HOSTILE_ID,
          service: 'chëckout',
          environment: 'production',
          kind: 'notification',
          event: 'alert',
          channel: 'slack',
          channelType: 'slack',
          severity: 'P1',
          thread: HOSTILE_ID,
          payload: { text: '🔥 "fail"' },
          status: 'muted',
          silenceId: silence.id,
          deadlineAt: T + 900,
          action: null,
        },
      ],
      T + 125,
    );
    // One attempt in the delivery's history: the hook's receiver failed once with a hostile error.
    const [claimed] = await store.claimDeliveries({ now: T + 126, limit: 1 });
    await store.finishDelivery(
      claimed!.id,
      { status: 'retry', nextAttemptAt: T + 186, error: 'exit 1: "it\'s" ✗', output: null, startedAt: T + 126, httpStatus: null },
      T + 127,
    );
    await store.recordReviewAction({ deployId: HOSTILE_ID, action: 'acknowledge', actor: 'ålice', reason: "it's fine", outcome: null, createdAt: T + 200 });
    await store.recordFeedback({ deployId: HOSTILE_ID, label: 'false-alarm', rule: 'spike ☃', note: 'noisy "rule"', actor: 'bob', createdAt: T + 300 });
    await store.rememberNonce('sig-"1"', T + 600, T);
    await store.saveSourceOutage({ source: 'prom "eu" ☁', since: T + 10, lastFailure: T + 70, deploys: [HOSTILE_ID, 'd-2'] });
  } finally {
    await store.close();
  }
}

type Row = Record<string, unknown>;

/** Every row of every copied table, ordered by its key, PostgreSQL's BIGINT strings as numbers. */
async function dump(q: { all<T>(sql: string): Promise<T[]> }, columnsOf: (table: string) => Promise<string[]>): Promise<Record<string, Row[]>> {
  const out: Record<string, Row[]> = {};
  for (const { table } of COPIED_TABLES) {
    const cols = await columnsOf(table);
    const rows = await q.all<Row>(`SELECT ${cols.join(', ')} FROM ${table} ORDER BY ${cols.join(', ')}`);
    out[table] = rows.map((r) =>
      Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'string' && /^(id|silence_id)$/.test(k) ? Number(v) : v])),
    );
  }
  return out;
}

async function sqliteColumns(db: Db, table: string): Promise<string[]> {
  return (await db.all<{ name: string }>('SELECT name FROM pragma_table_info(?) ORDER BY cid', [table])).map((c) => c.name);
}

describe('copyHistory (SQLite → PostgreSQL)', () => {
  it('copies every table row for row, ids and hostile values kept, and the PostgreSQL store reads the same history', async () => {
    const file = join(dir, SQLITE_FILE);
    await fillSqlite(file);
    const source = await openDb(file);
    let before: Record<string, Row[]>;
    try {
      const report = await copyHistory(source, target, { pageRows: 1 });
      expect(Object.fromEntries(report.tables.map((t) => [t.table, t.rows]))).toEqual({
        deploys: 2,
        watches: 2,
        samples: 4,
        blind_spots: 1,
        findings: 1,
        verdicts: 1,
        recoveries: 1,
        silences: 2,
        deliveries: 2,
        delivery_attempts: 1,
        review_actions: 1,
        feedback: 1,
        nonces: 1,
        source_outages: 1,
      });
      const cols = (t: string) => sqliteColumns(source, t);
      before = await dump(source, cols);
      expect(await dump(target, cols)).toEqual(before);
    } finally {
      await source.close();
    }

    const sqlite = await openSqliteStore(file);
    const pg: PostgresStore = await openPostgresStore({ url: schema.url, schema: schema.schema, poolSize: 2, replica: 'after-copy', leaseSeconds: 30 });
    try {
      const views = async (s: Store) => ({
        deploy: await s.getDeploy(HOSTILE_ID),
        list: await s.listDeploys({ limit: 10 }),
        observations: await s.observations(HOSTILE_ID),
        deliveries: await s.listDeliveries({ deployId: HOSTILE_ID, limit: 10 }),
        silences: await s.listSilences({ now: T, all: true }),
        review: await s.listReviewActions(HOSTILE_ID),
        feedback: await s.listFeedback(HOSTILE_ID),
        recovery: await s.getRecovery(HOSTILE_ID),
        seen: await s.seenNonce('sig-"1"', T + 1),
        outages: await s.openSourceOutages(),
      });
      const expected = await views(sqlite);
      expect(expected.deploy?.deploy.labels).toEqual(BIG_LABELS);
      expect(await views(pg)).toEqual(expected);
      // New rows are numbered after the copied ids: the identity sequences moved past them.
      const silence = await pg.createSilence({ service: 'c', environment: null, startsAt: T, endsAt: T + 60, createdBy: 'x', reason: 'y' }, T);
      expect(silence.id).toBe(3);
      expect((await pg.recordFeedback({ deployId: 'd-2', label: 'correct', rule: null, note: '', actor: 'x', createdAt: T })).id).toBe(2);
      // The open watch of d-2 is free work for the replicas.
      expect((await pg.leases.tend(10, T)).watches.taken).toEqual(['d-2']);
    } finally {
      await sqlite.close();
      await pg.close();
    }
  }, 60_000);

  it('refuses a non-empty target and changes nothing; --replace swaps its rows in the same transaction', async () => {
    const file = join(dir, SQLITE_FILE);
    await fillSqlite(file);
    const source = await openDb(file);
    try {
      await copyHistory(source, target);
      await schema.sql(`INSERT INTO nonces (key, expires_at) VALUES ('extra', 1)`);
      const err = await copyHistory(source, target).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CopyRefusedError);
      expect((err as Error).message).toMatch(
        /is not empty \(deploys: 2, .*nonces: 2, source_outages: 1\); copy into an empty schema \(--schema\), or pass --replace/,
      );
      expect(await schema.sql(`SELECT key FROM nonces ORDER BY key`)).toEqual([{ key: 'extra' }, { key: 'sig-"1"' }]);

      const report = await copyHistory(source, target, { replace: true });
      expect(report.replaced).toBe(22);
      expect(await schema.sql(`SELECT key FROM nonces`)).toEqual([{ key: 'sig-"1"' }]);
      expect(await schema.sql(`SELECT COUNT(*)::int AS n FROM deploys`)).toEqual([{ n: 2 }]);
    } finally {
      await source.close();
    }
  }, 60_000);

  it('refuses a target that replicas are working on, even with --replace', async () => {
    const file = join(dir, SQLITE_FILE);
    await fillSqlite(file);
    const replica = await openPostgresStore({ url: schema.url, schema: schema.schema, poolSize: 2, replica: 'live', leaseSeconds: 30 });
    const source = await openDb(file);
    try {
      await replica.createDeploy(deployRecord({ id: 'live-1' }), newWatch());
      const err = await copyHistory(source, target, { replace: true }).catch((e: unknown) => e);
      expect((err as Error).message).toMatch(/replicas are working on the PostgreSQL schema rg_copy_\w+ .*\(1 live leases\); stop every replica/);
      expect(await schema.sql(`SELECT id FROM deploys`)).toEqual([{ id: 'live-1' }]);
    } finally {
      await source.close();
      await replica.close();
    }
  }, 60_000);

  it('is all or nothing: a row PostgreSQL rejects leaves the target without any copied row', async () => {
    const file = join(dir, SQLITE_FILE);
    await fillSqlite(file);
    const source = await openDb(file);
    try {
      // SQLite keeps text in a REAL column; PostgreSQL refuses it, after deploys and watches were already inserted.
      await source.run(`INSERT INTO samples (deploy_id, scope, metric, t, value) VALUES ('d-2', 'deploy', 'x', 1, 'not a number')`);
      await expect(copyHistory(source, target)).rejects.toThrow(/invalid input syntax for type double precision/);
      for (const { table } of COPIED_TABLES) expect(await schema.sql(`SELECT COUNT(*)::int AS n FROM ${table}`), table).toEqual([{ n: 0 }]);
    } finally {
      await source.close();
    }
  }, 60_000);

  it('refuses a SQLite file at another schema version, naming the fix', async () => {
    const file = join(dir, 'old.db');
    const db = await openDb(file);
    try {
      await db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at REAL NOT NULL)');
      await db.run(`INSERT INTO schema_migrations VALUES (3, 'old', 0)`);
      await expect(copyHistory(db, target)).rejects.toThrow(
        /has schema version 3 but this release-guard writes version \d+; start and stop the guard once with this release/,
      );
    } finally {
      await db.close();
    }
  });
});

describe('storeCopy (the CLI command)', () => {
  it('refuses while a guard holds the data dir, and copies once it has stopped', async () => {
    await fillSqlite(join(dir, SQLITE_FILE));
    const env = { RELEASE_GUARD_STORE_URL: schema.url };
    const lines: string[] = [];
    const guard = lockDataDir(dir);
    try {
      const err = await storeCopy({ from: dir, schema: schema.schema }, (l) => lines.push(l), env).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CopyRefusedError);
      expect((err as Error).message).toMatch(new RegExp(`in use by another release-guard \\(PID ${process.pid} .*A guard still runs on .*stop it first`));
    } finally {
      guard.release();
    }
    expect(lines).toEqual([]);
    await storeCopy({ from: join(dir, SQLITE_FILE), schema: schema.schema }, (l) => lines.push(l), env);
    expect(lines[0]).toMatch(/^copying .*release-guard\.db into postgres:\/\/postgres@127\.0\.0\.1:5432\/test \(schema rg_copy_\w+\) in one transaction/);
    expect(lines).toContain('  deploys                  2  deploys');
    expect(lines.at(-1)).toBe('done: 21 rows in 14 tables; row counts verified equal in SQLite and PostgreSQL before the commit');
    // The lock was handed back: a guard can start on the data dir again.
    lockDataDir(dir).release();
  }, 60_000);

  it('refuses a missing source file and a missing target, saying what to pass', async () => {
    await expect(storeCopy({ from: join(dir, 'nope.db') }, () => undefined, {})).rejects.toThrow(
      /no SQLite database at .*nope\.db; pass the guard's SQLite file, its data dir or its config/,
    );
    await fillSqlite(join(dir, SQLITE_FILE));
    await expect(storeCopy({ from: dir }, () => undefined, {})).rejects.toThrow(/no target: pass --to .*or set RELEASE_GUARD_STORE_URL/);
    await expect(storeCopy({ from: dir, to: 'mysql://x' }, () => undefined, {})).rejects.toThrow(/--to must be a postgres:\/\/ URL or a config file/);
  });
});
