// The outbox tables: deliveries written once per dedup key, claimed in order per channel and thread, attempts recorded
// on the delivery and its action, crash leftovers resumed; silences, recoveries, and the v1 → v2 migration.
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDb } from '../../src/store/db.js';
import { MIGRATIONS, migrate } from '../../src/store/migrations.js';
import type { NewDelivery } from '../../src/store/outbox-types.js';
import { openStore } from '../../src/store/sqlite-store.js';
import type { Store } from '../../src/store/types.js';
import { deployRecord, newWatch, tempDir } from './sample-records.js';

let dir: string;
let remove: () => Promise<void>;
let store: Store;

beforeEach(async () => {
  ({ dir, remove } = await tempDir());
  store = await openStore(join(dir, 'guard.db'));
  await store.createDeploy(deployRecord(), newWatch());
});
afterEach(async () => {
  await store.close();
  await remove();
});

const entry = (key: string, over: Partial<NewDelivery> = {}): NewDelivery => ({
  dedupKey: key,
  deployId: 'd-42',
  service: 'checkout',
  environment: 'production',
  kind: 'notification',
  event: 'alert',
  channel: 'alerts',
  channelType: 'slack',
  severity: 'P1',
  thread: 'd-42',
  payload: { text: key },
  status: 'pending',
  silenceId: null,
  deadlineAt: 5000,
  action: { kind: 'alert', target: 'alerts', request: { title: key } },
  ...over,
});

describe('deliveries', () => {
  it('writes a delivery and its action once per dedup key, also when the action key predates the outbox', async () => {
    const [d] = await store.enqueueDeliveries([entry('a:1')], 100);
    expect(d).toMatchObject({ id: 1, dedupKey: 'a:1', status: 'pending', attempts: 0, nextAttemptAt: 100, deadlineAt: 5000, payload: { text: 'a:1' } });
    expect(await store.enqueueDeliveries([entry('a:1')], 101)).toEqual([]);
    await store.claimAction({ deployId: 'd-42', kind: 'rollback', target: 'k8s', dedupKey: 'rollback:d-42:k8s', request: null }, 50);
    expect(await store.enqueueDeliveries([entry('rollback:d-42:k8s', { kind: 'hook' })], 102)).toEqual([]);
    const actions = (await store.getDeploy('d-42'))?.actions ?? [];
    expect(actions.map((a) => [a.kind, a.dedupKey, a.status])).toEqual([
      ['alert', 'a:1', 'pending'],
      ['rollback', 'rollback:d-42:k8s', 'running'],
    ]);
  });

  it('claims due deliveries oldest first, one at a time per channel and thread, skipping excluded channels', async () => {
    await store.enqueueDeliveries([entry('t1'), entry('t2'), entry('other', { thread: 'd-99' }), entry('pd', { channel: 'page', channelType: 'pagerduty' })], 100);
    expect((await store.claimDeliveries({ now: 99, limit: 10 })).map((d) => d.dedupKey)).toEqual([]);
    const first = await store.claimDeliveries({ now: 100, limit: 10, excludeChannels: ['page'] });
    expect(first.map((d) => [d.dedupKey, d.status])).toEqual([
      ['t1', 'sending'],
      ['other', 'sending'],
    ]);
    expect((await store.claimDeliveries({ now: 100, limit: 10, excludeChannels: ['page'] })).map((d) => d.dedupKey)).toEqual([]);
    await store.finishDelivery(first[0]!.id, { status: 'delivered', output: 'HTTP 200 ok' }, 110);
    expect((await store.claimDeliveries({ now: 110, limit: 10 })).map((d) => d.dedupKey)).toEqual(['t2', 'pd']);
  });

  it('records a retry, a delivery and a refusal on the delivery and mirrors them on the action', async () => {
    const [d] = await store.enqueueDeliveries([entry('k')], 100);
    await store.claimDeliveries({ now: 100, limit: 1 });
    const retry = await store.finishDelivery(d!.id, { status: 'retry', nextAttemptAt: 130, error: 'slack answered HTTP 500', output: 'HTTP 500' }, 101);
    expect(retry).toMatchObject({ status: 'pending', attempts: 1, nextAttemptAt: 130, lastError: 'slack answered HTTP 500', finishedAt: null });
    expect((await store.getDeploy('d-42'))?.actions[0]).toMatchObject({ status: 'pending', error: 'attempt 1 failed, retrying: slack answered HTTP 500', output: 'HTTP 500' });
    await store.claimDeliveries({ now: 130, limit: 1 });
    expect(await store.finishDelivery(d!.id, { status: 'delivered', output: 'HTTP 200 ok' }, 131)).toMatchObject({ status: 'delivered', attempts: 2, finishedAt: 131 });
    expect((await store.getDeploy('d-42'))?.actions[0]).toMatchObject({ status: 'succeeded', error: null, output: 'HTTP 200 ok', finishedAt: 131 });
  });

  it('after a crash requeues notifications in flight and marks hook calls in flight interrupted', async () => {
    await store.enqueueDeliveries([entry('n'), entry('h', { kind: 'hook', channel: 'k8s', channelType: 'exec', thread: null, action: { kind: 'rollback', target: 'k8s', request: null } })], 100);
    await store.claimDeliveries({ now: 100, limit: 10 });
    const { requeued, interrupted } = await store.resumeDeliveries(200);
    expect(requeued.map((d) => [d.dedupKey, d.status, d.nextAttemptAt])).toEqual([['n', 'pending', 200]]);
    expect(interrupted.map((d) => [d.dedupKey, d.status])).toEqual([['h', 'interrupted']]);
    expect((await store.getDeploy('d-42'))?.actions.map((a) => a.status)).toEqual(['pending', 'interrupted']);
    expect(await store.nextDeliveryAt()).toBe(200);
  });

  it('sends held digest items exactly once', async () => {
    const [held] = await store.enqueueDeliveries([entry('p3', { status: 'held', channel: 'digest', channelType: 'digest' })], 100);
    const digest = entry('digest:2025-11-20T09:00:email', { deployId: null, channel: 'email', channelType: 'email', event: 'digest', action: null });
    expect(await store.commitDigest([digest], [held!.id], 200)).toHaveLength(1);
    expect(await store.commitDigest([digest], [held!.id], 201)).toEqual([]);
    expect(await store.listDeliveries({ channel: 'digest' })).toMatchObject([{ status: 'delivered', output: 'included in the digest digest:2025-11-20T09:00:email' }]);
    expect((await store.getDeploy('d-42'))?.actions[0]?.status).toBe('succeeded');
  });
});

describe('silences and recoveries', () => {
  it('lists silences in force or to come, expires one once, and keeps it for --all', async () => {
    const s = await store.createSilence({ service: 'checkout', environment: null, startsAt: 100, endsAt: 200, createdBy: 'alice', reason: 'maintenance' }, 90);
    expect(await store.listSilences({ now: 150 })).toEqual([s]);
    expect(await store.expireSilence(s.id, 'bob', 160)).toMatchObject({ expiredAt: 160, expiredBy: 'bob' });
    expect(await store.expireSilence(s.id, 'carol', 170)).toMatchObject({ expiredAt: 160, expiredBy: 'bob' });
    expect(await store.listSilences({ now: 170 })).toEqual([]);
    expect(await store.listSilences({ now: 170, all: true })).toHaveLength(1);
  });

  it('begins a recovery check once per deploy and lists it while checking', async () => {
    expect(await store.beginRecovery({ deployId: 'd-42', rolledBackAt: 1000, windowEnd: 1600, rules: ['outage'] }, 5)).toBe(true);
    expect(await store.beginRecovery({ deployId: 'd-42', rolledBackAt: 9, windowEnd: 9, rules: [] }, 6)).toBe(false);
    expect(await store.activeRecoveries()).toMatchObject([{ deployId: 'd-42', status: 'checking', rolledBackAt: 1000, rules: ['outage'] }]);
    await store.updateRecovery('d-42', { status: 'recovered', checkedAt: 1180, summary: 'ok' }, 7);
    expect(await store.activeRecoveries()).toEqual([]);
  });
});

describe('migration 2', () => {
  it('keeps the actions of a version-1 database and widens their kinds', async () => {
    const path = join(dir, 'old.db');
    const db = await openDb(path);
    await migrate(db, MIGRATIONS.slice(0, 1));
    await db.run(`INSERT INTO deploys (id, service, environment, version, started_at, origin, received_at) VALUES ('d-1', 's', 'e', 'v', 1, 'api', 1)`);
    await db.run(`INSERT INTO actions (deploy_id, kind, target, dedup_key, status, created_at) VALUES ('d-1', 'rollback', 'k8s', 'rollback:d-1:k8s', 'succeeded', 2)`);
    await db.close();
    const upgraded = await openStore(path);
    expect((await upgraded.getDeploy('d-1'))?.actions).toMatchObject([{ id: 1, kind: 'rollback', dedupKey: 'rollback:d-1:k8s', status: 'succeeded' }]);
    expect(await upgraded.claimAction({ deployId: 'd-1', kind: 'notice', target: 'slack', dedupKey: 'notice:d-1', request: null }, 3)).toMatchObject({ id: 2, kind: 'notice' });
    await upgraded.close();
  });
});
