// OutboxStore: deliveries written once per dedup key (also under concurrency), claimed once and in order per channel
// and thread, attempts recorded, crash leftovers resumed, the digest committed once; silences and recoveries.
import { beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../../src/store/interfaces.js';
import { deployRecord, newDelivery, newWatch } from '../sample-records.js';
import { useStore, type StoreBackend } from '../backends.js';

export function outboxContract(backend: StoreBackend): void {
  // A fresh store per test, its temp dir and PostgreSQL schema removed after it (backends.ts).
  const fresh = useStore(backend);
  let store: Store;

  beforeEach(async () => {
    store = fresh.store;
    await store.createDeploy(deployRecord(), newWatch());
  });

  const entry = newDelivery;

  describe('deliveries', () => {
    it('writes a delivery once per dedup key, whatever became of the first', async () => {
      const [d] = await store.enqueueDeliveries([entry('a:1')], 100);
      expect(d).toMatchObject({ id: 1, dedupKey: 'a:1', status: 'pending', attempts: 0, nextAttemptAt: 100, deadlineAt: 5000, payload: { text: 'a:1' } });
      expect(d?.action).toEqual({ kind: 'alert', target: 'alerts', request: { title: 'a:1' } });
      expect(await store.enqueueDeliveries([entry('a:1')], 101)).toEqual([]);
      await store.claimDeliveries({ now: 101, limit: 1 });
      await store.finishDelivery(d!.id, { status: 'failed', error: 'slack answered HTTP 400', output: null }, 102);
      expect(await store.enqueueDeliveries([entry('a:1', { channel: 'other' })], 103)).toEqual([]);
      const created = await store.enqueueDeliveries([entry('b:1'), entry('a:1'), entry('c:1')], 104);
      expect(created.map((c) => c.dedupKey)).toEqual(['b:1', 'c:1']);
      expect(await store.listDeliveries({ deployId: 'd-42' })).toHaveLength(3);
    });

    it('creates a delivery once under concurrent enqueues of the same key', async () => {
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => store.enqueueDeliveries([entry('same-key')], 100 + i, { claim: i % 2 === 0 })));
      expect(results.flat()).toHaveLength(1);
      expect(await store.listDeliveries({})).toHaveLength(1);
    });

    it('claims a delivery for one caller only, also under concurrent claims', async () => {
      await store.enqueueDeliveries(
        ['a', 'b', 'c'].map((k) => entry(k, { thread: k })),
        100,
      );
      const claims = await Promise.all(Array.from({ length: 6 }, () => store.claimDeliveries({ now: 100, limit: 2 })));
      expect(
        claims
          .flat()
          .map((d) => d.dedupKey)
          .sort(),
      ).toEqual(['a', 'b', 'c']);
    });

    it('claims only the given ids when asked, due or not, and creates claimed deliveries with claim', async () => {
      const [a, b] = await store.enqueueDeliveries([entry('a', { thread: 'a' }), entry('b', { thread: 'b' })], 100);
      expect((await store.claimDeliveries({ now: 0, limit: 10, ids: [b!.id] })).map((d) => d.dedupKey)).toEqual(['b']);
      expect(await store.claimDeliveries({ now: 0, limit: 10, ids: [] })).toEqual([]);
      const [c] = await store.enqueueDeliveries([entry('c', { thread: 'c' })], 100, { claim: true });
      expect(c?.status).toBe('sending');
      await store.releaseDelivery(c!.id, 150, 101);
      expect(await store.nextDeliveryAt()).toBe(100);
      expect((await store.claimDeliveries({ now: 149, limit: 10 })).map((d) => d.id)).toEqual([a!.id]);
      expect((await store.claimDeliveries({ now: 150, limit: 10 })).map((d) => [d.id, d.attempts])).toEqual([[c!.id, 0]]);
      await expect(store.finishDelivery(999, { status: 'delivered', output: null }, 1)).rejects.toThrow('no such delivery');
    });

    it('claims due deliveries oldest first, one at a time per channel and thread, skipping excluded channels', async () => {
      await store.enqueueDeliveries(
        [entry('t1'), entry('t2'), entry('other', { thread: 'd-99' }), entry('pd', { channel: 'page', channelType: 'pagerduty' })],
        100,
      );
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
      expect((await store.getDeploy('d-42'))?.actions[0]).toMatchObject({
        status: 'pending',
        error: 'attempt 1 failed, retrying: slack answered HTTP 500',
        output: 'HTTP 500',
      });
      await store.claimDeliveries({ now: 130, limit: 1 });
      expect(await store.finishDelivery(d!.id, { status: 'delivered', output: 'HTTP 200 ok' }, 131)).toMatchObject({
        status: 'delivered',
        attempts: 2,
        finishedAt: 131,
      });
      expect((await store.getDeploy('d-42'))?.actions[0]).toMatchObject({ status: 'succeeded', error: null, output: 'HTTP 200 ok', finishedAt: 131 });
    });

    it('after a crash requeues notifications in flight and marks hook calls in flight interrupted', async () => {
      await store.enqueueDeliveries(
        [
          entry('n'),
          entry('h', { kind: 'hook', channel: 'k8s', channelType: 'exec', thread: null, action: { kind: 'rollback', target: 'k8s', request: null } }),
        ],
        100,
      );
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
      expect(await store.listDeliveries({ channel: 'digest' })).toMatchObject([
        { status: 'delivered', output: 'included in the digest digest:2025-11-20T09:00:email' },
      ]);
      expect((await store.getDeploy('d-42'))?.actions[0]?.status).toBe('succeeded');
    });
  });

  describe('silences and recoveries', () => {
    it('lists silences in force or to come, expires one once, and keeps it for --all', async () => {
      const s = await store.createSilence(
        { service: 'checkout', environment: null, startsAt: 100, endsAt: 200, createdBy: 'alice', reason: 'maintenance' },
        90,
      );
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
}
