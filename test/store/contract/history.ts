// A deploy's history of actions is its outbox deliveries: one state machine, seen through `actionOf`.
import { beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../../src/store/interfaces.js';
import { INTERRUPTED_HOOK_ERROR } from '../../../src/store/outbox.js';
import type { NewDelivery } from '../../../src/store/records.js';
import { useStore, type StoreBackend } from '../backends.js';
import { deployRecord, newWatch } from '../sample-records.js';

export function historyContract(backend: StoreBackend): void {
  // A fresh store per test, its temp dir and PostgreSQL schema removed after it (backends.ts).
  const fresh = useStore(backend);
  let store: Store;

  beforeEach(async () => {
    store = fresh.store;
    await store.createDeploy(deployRecord(), newWatch());
  });

  const hook = (key: string, request: unknown = { env: { VERSION: 'v1.1.9' }, retries: 2, dry: false }): NewDelivery => ({
    dedupKey: key,
    deployId: 'd-42',
    service: 'checkout',
    environment: 'production',
    kind: 'hook',
    event: 'rollback',
    channel: 'k8s-undo',
    channelType: 'exec',
    severity: 'P1',
    thread: null,
    payload: { hook: 'k8s-undo' },
    status: 'pending',
    silenceId: null,
    deadlineAt: 5000,
    action: { kind: 'rollback', target: 'k8s-undo', request },
  });
  const history = async () => (await store.getDeploy('d-42'))?.actions ?? [];

  describe('actions taken', () => {
    it('shows a deploy delivery as an action, with the request round-tripped and the delivery id', async () => {
      const [d] = await store.enqueueDeliveries([hook('rollback:d-42:k8s-undo')], 1763647500, { claim: true });
      expect(await history()).toEqual([
        {
          id: d!.id,
          deployId: 'd-42',
          kind: 'rollback',
          target: 'k8s-undo',
          dedupKey: 'rollback:d-42:k8s-undo',
          status: 'running',
          request: { env: { VERSION: 'v1.1.9' }, retries: 2, dry: false },
          output: null,
          error: null,
          createdAt: 1763647500,
          finishedAt: null,
          attempts: [],
        },
      ]);
    });

    it('stores an undefined request as null', async () => {
      await store.enqueueDeliveries([{ ...hook('k'), action: { kind: 'rollback', target: 'k8s-undo', request: undefined } }], 1);
      expect((await history())[0]?.request).toBeNull();
    });

    it('leaves channel-only deliveries (no action, or no deploy) out of the history', async () => {
      await store.enqueueDeliveries(
        [
          { ...hook('no-action'), action: null },
          { ...hook('no-deploy'), deployId: null },
        ],
        1,
      );
      expect(await history()).toEqual([]);
      expect(await store.listDeliveries({})).toHaveLength(2);
    });

    it('follows the delivery: succeeded, failed with its error, muted, in creation order', async () => {
      const [a, b, c] = await store.enqueueDeliveries(
        [
          hook('k1'),
          { ...hook('k2'), kind: 'notification', channel: 'slack', channelType: 'slack', action: { kind: 'alert', target: 'slack', request: null } },
          hook('k3'),
        ],
        10,
      );
      await store.claimDeliveries({ now: 10, limit: 10 });
      await store.finishDelivery(a!.id, { status: 'delivered', output: 'deployment rolled back' }, 20);
      await store.finishDelivery(b!.id, { status: 'failed', output: 'HTTP 500', error: 'slack answered 500' }, 21);
      const silence = await store.createSilence(
        { service: 'checkout', environment: null, startsAt: 0, endsAt: 100, createdBy: 'alice', reason: 'maintenance' },
        1,
      );
      await store.finishDelivery(c!.id, { status: 'muted', silenceId: silence.id, output: `muted by silence ${silence.id}` }, 22);
      expect((await history()).map((x) => [x.dedupKey, x.kind, x.status, x.output, x.error, x.finishedAt])).toEqual([
        ['k1', 'rollback', 'succeeded', 'deployment rolled back', null, 20],
        ['k2', 'alert', 'failed', 'HTTP 500', 'slack answered 500', 21],
        ['k3', 'rollback', 'muted', `muted by silence ${silence.id}`, null, 22],
      ]);
    });

    it('shows a hook call in flight at a restart as interrupted, and never claims it again', async () => {
      await store.enqueueDeliveries([hook('done')], 10, { claim: true });
      const [done] = await store.listDeliveries({ event: 'rollback' });
      await store.finishDelivery(done!.id, { status: 'delivered', output: null }, 11);
      await store.enqueueDeliveries([hook('r1'), hook('r2')], 12, { claim: true });
      const { interrupted } = await store.resumeDeliveries(50);
      expect(interrupted.map((d) => [d.dedupKey, d.status, d.lastError, d.finishedAt])).toEqual([
        ['r1', 'interrupted', INTERRUPTED_HOOK_ERROR, 50],
        ['r2', 'interrupted', INTERRUPTED_HOOK_ERROR, 50],
      ]);
      expect((await history()).map((x) => [x.dedupKey, x.status])).toEqual([
        ['done', 'succeeded'],
        ['r1', 'interrupted'],
        ['r2', 'interrupted'],
      ]);
      expect(await store.resumeDeliveries(60)).toEqual({ requeued: [], interrupted: [] });
      expect(await store.claimDeliveries({ now: 1e12, limit: 10 })).toEqual([]);
    });
  });
}
