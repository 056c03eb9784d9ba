// Upgrading old SQLite files: migration 2 keeps v1 actions, migration 4 folds actions into the one outbox without
// losing history or re-sending anything; and the live CHECK lists equal the TypeScript consts.
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SEVERITIES } from '../../../src/judge/types.js';
import {
  ACTION_KINDS,
  ATTEMPT_OUTCOMES,
  BLIND_SPOT_KINDS,
  DELIVERY_KINDS,
  DELIVERY_STATUSES,
  DEPLOY_ORIGINS,
  FINDING_KINDS,
  RECOVERY_STATUSES,
  SAMPLE_SCOPES,
  VERDICTS,
  WATCH_STATUSES,
} from '../../../src/store/records.js';
import { openDb, type Db } from '../../../src/store/sqlite/db.js';
import { openSqliteStore } from '../../../src/store/sqlite/index.js';
import { MIGRATIONS, migrate } from '../../../src/store/sqlite/migrate.js';
import { tempDir } from '../sample-records.js';

let remove: () => Promise<void>;
let path: string;

beforeEach(async () => {
  let dir: string;
  ({ dir, remove } = await tempDir());
  path = join(dir, 'old.db');
});
afterEach(() => remove());

async function oldDb(version: number, fill: (db: Db) => Promise<void>): Promise<void> {
  const db = await openDb(path);
  await migrate(db, MIGRATIONS.slice(0, version));
  await db.run(`INSERT INTO deploys (id, service, environment, version, started_at, origin, received_at) VALUES ('d-1', 's', 'e', 'v', 1, 'api', 1)`);
  await fill(db);
  await db.close();
}

describe('migrations 2 and 4 from a version-1 file', () => {
  it('keeps a v1 action as finished history that is never sent, and its dedup key taken', async () => {
    await oldDb(1, async (db) => {
      await db.run(
        `INSERT INTO actions (deploy_id, kind, target, dedup_key, status, output, created_at, finished_at) VALUES ('d-1', 'rollback', 'k8s', 'rollback:d-1:k8s', 'succeeded', 'ok', 2, 3)`,
      );
      await db.run(
        `INSERT INTO actions (deploy_id, kind, target, dedup_key, status, created_at) VALUES ('d-1', 'alert', 'slack', 'alert:d-1:x', 'running', 4)`,
      );
    });
    const store = await openSqliteStore(path);
    try {
      expect((await store.getDeploy('d-1'))?.actions.map((a) => [a.kind, a.target, a.dedupKey, a.status, a.output, a.finishedAt])).toEqual([
        ['rollback', 'k8s', 'rollback:d-1:k8s', 'succeeded', 'ok', 3],
        ['alert', 'slack', 'alert:d-1:x', 'interrupted', null, 4],
      ]);
      expect(await store.claimDeliveries({ now: 1e12, limit: 10 })).toEqual([]);
      expect(await store.resumeDeliveries(10)).toEqual({ requeued: [], interrupted: [] });
      const again = {
        dedupKey: 'rollback:d-1:k8s',
        deployId: 'd-1',
        service: 's',
        environment: 'e',
        kind: 'hook' as const,
        event: 'rollback',
        channel: 'k8s',
        channelType: 'exec',
        severity: null,
        thread: null,
        payload: {},
        status: 'pending' as const,
        silenceId: null,
        deadlineAt: 9,
        action: null,
      };
      expect(await store.enqueueDeliveries([again], 11)).toEqual([]);
    } finally {
      await store.close();
    }
  });
});

describe('migration 4 from a version-3 file', () => {
  it('moves each mirrored action onto its delivery, keeping ids, statuses and the rest of the outbox', async () => {
    await oldDb(3, async (db) => {
      await db.run(
        `INSERT INTO actions (id, deploy_id, kind, target, dedup_key, status, request, created_at) VALUES (7, 'd-1', 'alert', 'page', 'alert:d-1:page', 'running', '{"title":"spike"}', 5)`,
      );
      const cols = `dedup_key, deploy_id, action_id, service, environment, kind, event, channel, channel_type, payload, status, attempts, next_attempt_at, deadline_at, last_error, created_at, updated_at`;
      await db.run(
        `INSERT INTO deliveries (id, ${cols}) VALUES (3, 'alert:d-1:page', 'd-1', 7, 's', 'e', 'notification', 'alert', 'page', 'pagerduty', '{}', 'sending', 1, 5, 99, 'HTTP 500', 5, 6)`,
      );
      await db.run(
        `INSERT INTO deliveries (id, ${cols}) VALUES (4, 'digest:x', NULL, NULL, NULL, NULL, 'notification', 'digest', 'email', 'email', '{}', 'pending', 0, 8, 99, NULL, 8, 8)`,
      );
    });
    const store = await openSqliteStore(path);
    try {
      const [digest, page] = await store.listDeliveries({});
      expect(digest).toMatchObject({ id: 4, dedupKey: 'digest:x', action: null, status: 'pending' });
      expect(page).toMatchObject({ id: 3, status: 'sending', attempts: 1, action: { kind: 'alert', target: 'page', request: { title: 'spike' } } });
      expect((await store.getDeploy('d-1'))?.actions).toMatchObject([{ id: 3, kind: 'alert', target: 'page', status: 'running' }]);
      expect((await store.resumeDeliveries(20)).requeued.map((d) => d.id)).toEqual([3]);
      expect((await store.getDeploy('d-1'))?.actions).toMatchObject([{ id: 3, status: 'pending', error: 'attempt 1 failed, retrying: HTTP 500' }]);
    } finally {
      await store.close();
    }
  });
});

describe('schema', () => {
  it('has CHECK lists equal to the TypeScript consts (one home per fact)', async () => {
    await (await openSqliteStore(path)).close();
    const db = await openDb(path);
    const rows = await db.all<{ name: string; sql: string }>("SELECT name, sql FROM sqlite_master WHERE type = 'table'");
    await db.close();
    const sql = Object.fromEntries(rows.map((r) => [r.name, r.sql.replace(/\s+/g, ' ')]));
    const check = (table: string, column: string): string[] => {
      const m = new RegExp(`\\b${column}\\b[^,]*CHECK \\(${column} IN \\(([^)]*)\\)\\)`).exec(sql[table] ?? '');
      if (!m) throw new Error(`no CHECK on ${table}.${column}`);
      return m[1]!.split(',').map((v) => v.trim().replace(/^'|'$/g, ''));
    };
    expect(check('deploys', 'origin')).toEqual([...DEPLOY_ORIGINS]);
    expect(check('watches', 'status')).toEqual([...WATCH_STATUSES]);
    expect(check('samples', 'scope')).toEqual([...SAMPLE_SCOPES]);
    expect(check('blind_spots', 'kind')).toEqual([...BLIND_SPOT_KINDS]);
    expect(check('findings', 'kind')).toEqual([...FINDING_KINDS]);
    expect(check('findings', 'severity')).toEqual([...SEVERITIES]);
    expect(check('verdicts', 'verdict')).toEqual([...VERDICTS]);
    expect(check('deliveries', 'kind')).toEqual([...DELIVERY_KINDS]);
    expect(check('deliveries', 'status')).toEqual([...DELIVERY_STATUSES]);
    expect(check('deliveries', 'action_kind')).toEqual([...ACTION_KINDS]);
    expect(check('recoveries', 'status')).toEqual([...RECOVERY_STATUSES]);
    expect(check('delivery_attempts', 'outcome')).toEqual([...ATTEMPT_OUTCOMES]);
  });
});
