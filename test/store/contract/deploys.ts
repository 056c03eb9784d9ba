// Deploys and watches in the store: idempotent creation, superseding, listing, ending, and surviving a re-open.
import { beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../../src/store/interfaces.js';
import { deployRecord, finding as sampleFinding, judgement, newWatch } from '../sample-records.js';
import { useStore, type StoreBackend } from '../backends.js';

export function deploysContract(backend: StoreBackend): void {
  // A fresh store per test, its temp dir and PostgreSQL schema removed after it (backends.ts).
  const fresh = useStore(backend);
  let store: Store;

  beforeEach(() => {
    store = fresh.store;
  });

  describe('createDeploy', () => {
    it('returns the view exactly as getDeploy reads it back, with and without optional fields', async () => {
      const bare = deployRecord({
        id: 'd-bare',
        previousVersion: undefined,
        commit: undefined,
        labels: undefined,
        links: undefined,
        receivedAt: 1763647201.123456,
      });
      for (const d of [deployRecord(), bare, deployRecord({ id: 'd-empty', labels: {}, links: {}, startedAt: 1763647999.5 })]) {
        const { view } = await store.createDeploy(d, newWatch({ timeScale: 30, windowEnd: 1763648100.25 }));
        expect(view).toEqual(await store.getDeploy(d.id));
      }
    });

    it('stores the deploy and its watch and returns the view', async () => {
      const { view, created, superseded } = await store.createDeploy(deployRecord(), newWatch());
      expect(created).toBe(true);
      expect(superseded).toEqual([]);
      expect(view).toEqual({
        deploy: deployRecord(),
        watch: {
          deployId: 'd-42',
          status: 'watching',
          source: 'demo',
          timeScale: 1,
          windowEnd: 1763648100,
          interval: 60,
          evaluatedAt: null,
          supersededBy: null,
          reason: null,
          updatedAt: 1763647201,
        },
        verdict: null,
        findings: [],
        actions: [],
      });
      expect(await store.getDeploy('d-42')).toEqual(view);
    });

    it('keeps absent optional fields absent or null', async () => {
      const bare = deployRecord({ id: 'd-bare', previousVersion: undefined, commit: undefined, labels: undefined, links: undefined });
      const { view } = await store.createDeploy(bare, newWatch());
      expect(view.deploy).toEqual({
        id: 'd-bare',
        service: 'checkout',
        environment: 'production',
        version: 'v1.2.0',
        previousVersion: null,
        commit: null,
        startedAt: 1763647200,
        origin: 'api',
        receivedAt: 1763647201,
      });
    });

    it('is idempotent on id: a second call changes nothing and says created: false', async () => {
      const first = await store.createDeploy(deployRecord(), newWatch());
      const second = await store.createDeploy(deployRecord({ version: 'v9.9.9', receivedAt: 1763647999 }), newWatch({ source: 'prometheus' }));
      expect(second).toEqual({ view: first.view, created: false, superseded: [] });
      expect(await store.getDeploy('d-42')).toEqual(first.view);
    });

    it('supersedes older watching watches of the same service and environment only', async () => {
      await store.createDeploy(deployRecord({ id: 'd-done', startedAt: 900, receivedAt: 900 }), newWatch({ status: 'pass' }));
      await store.createDeploy(deployRecord({ id: 'd-2', startedAt: 1100, receivedAt: 1100 }), newWatch());
      // d-1 started earlier but arrived later, so it supersedes nothing and both are watching.
      await store.createDeploy(deployRecord({ id: 'd-1', startedAt: 1000, receivedAt: 1120 }), newWatch());
      await store.createDeploy(deployRecord({ id: 'd-stg', environment: 'staging', startedAt: 1150, receivedAt: 1150 }), newWatch());
      const { superseded } = await store.createDeploy(deployRecord({ id: 'd-3', startedAt: 1200, receivedAt: 1210 }), newWatch());
      expect(superseded).toEqual(['d-1', 'd-2']);
      const d1 = await store.getDeploy('d-1');
      expect(d1?.watch).toMatchObject({ status: 'superseded', supersededBy: 'd-3', reason: 'superseded by d-3', updatedAt: 1210 });
      expect((await store.getDeploy('d-stg'))?.watch?.status).toBe('watching');
      expect((await store.getDeploy('d-done'))?.watch?.status).toBe('pass');
      expect((await store.getDeploy('d-3'))?.watch?.status).toBe('watching');
    });

    it('does not let a late-arriving older deploy supersede a newer one', async () => {
      await store.createDeploy(deployRecord({ id: 'd-new', startedAt: 2000, receivedAt: 2000 }), newWatch());
      const { superseded } = await store.createDeploy(deployRecord({ id: 'd-old', startedAt: 1500, receivedAt: 2001 }), newWatch());
      expect(superseded).toEqual([]);
      expect((await store.getDeploy('d-new'))?.watch?.status).toBe('watching');
    });

    it('answers null for an unknown id', async () => {
      expect(await store.getDeploy('nope')).toBeNull();
    });
  });

  describe('listDeploys', () => {
    beforeEach(async () => {
      const rows: Array<[string, string, string, number]> = [
        ['d-a', 'checkout', 'production', 100],
        ['d-b', 'checkout', 'staging', 200],
        ['d-c', 'search', 'production', 300],
        ['d-d', 'checkout', 'production', 300],
        ['d-e', 'search', 'production', 400],
      ];
      for (const [id, service, environment, at] of rows) {
        await store.createDeploy(deployRecord({ id, service, environment, startedAt: at, receivedAt: at }), newWatch());
      }
    });
    const ids = async (q: Parameters<Store['listDeploys']>[0]): Promise<string[]> => (await store.listDeploys(q)).map((v) => v.deploy.id);

    it('lists newest first, by receivedAt then id', async () => {
      expect(await ids({})).toEqual(['d-e', 'd-d', 'd-c', 'd-b', 'd-a']);
    });

    it('filters by service, environment and watch status', async () => {
      expect(await ids({ service: 'checkout' })).toEqual(['d-d', 'd-b', 'd-a']);
      expect(await ids({ service: 'checkout', environment: 'production' })).toEqual(['d-d', 'd-a']);
      expect(await ids({ status: 'superseded' })).toEqual(['d-c', 'd-a']);
      expect(await ids({ status: 'watching', environment: 'production' })).toEqual(['d-e', 'd-d']);
    });

    it('pages with limit and the before cursor', async () => {
      expect(await ids({ limit: 2 })).toEqual(['d-e', 'd-d']);
      expect(await ids({ limit: 2, before: 'd-d' })).toEqual(['d-c', 'd-b']);
      expect(await ids({ limit: 2, before: 'd-b' })).toEqual(['d-a']);
      expect(await ids({ before: 'd-a' })).toEqual([]);
      expect(await ids({ before: 'unknown' })).toEqual([]);
    });

    it('pages by position with `after` (no lookup): the same pages as `before`, and past a deploy no longer stored', async () => {
      const pos = (id: string, receivedAt: number) => ({ id, receivedAt });
      expect(await ids({ limit: 2, after: pos('d-d', 300) })).toEqual(['d-c', 'd-b']);
      expect(await ids({ limit: 2, after: pos('d-b', 200) })).toEqual(['d-a']);
      expect(await ids({ after: pos('d-a', 100) })).toEqual([]);
      // Same receivedAt, then id descending; a position between stored deploys works too.
      expect(await ids({ after: pos('d-cz', 300) })).toEqual(['d-c', 'd-b', 'd-a']);
      expect(await ids({ after: pos('zzz', 1e12), service: 'search' })).toEqual(['d-e', 'd-c']);
    });

    it('lists summaries: findings without evidence, actions without request, output and error', async () => {
      const finding = sampleFinding({
        clearedAt: 420,
        evidence: { baseline: null, test: null, alpha: 0.001, lookback: 120, points: 2, persistence: 'held 2m' },
      });
      await store.saveJudgement('d-e', judgement({ findings: [finding], evaluatedAt: 460 }), 'watching', 460);
      const [delivery] = await store.enqueueDeliveries(
        [
          {
            dedupKey: 'rollback:d-e:k8s',
            deployId: 'd-e',
            service: 'search',
            environment: 'production',
            kind: 'hook',
            event: 'rollback',
            channel: 'k8s',
            channelType: 'exec',
            severity: 'P1',
            thread: null,
            payload: { hook: 'k8s' },
            status: 'pending',
            silenceId: null,
            deadlineAt: 5000,
            action: { kind: 'rollback', target: 'k8s', request: { reason: 'a long reason' } },
          },
        ],
        470,
        { claim: true },
      );
      await store.finishDelivery(delivery!.id, { status: 'failed', error: 'exit 3', output: 'kubectl: not found' }, 480);
      const [summary] = await store.listDeploys({ limit: 1 });
      const { evidence: _evidence, ...findingSummary } = finding;
      expect(summary?.findings).toEqual([findingSummary]);
      expect(summary?.actions).toEqual([{ id: delivery!.id, kind: 'rollback', target: 'k8s', status: 'failed', createdAt: 470, finishedAt: 480 }]);
      // The rest is the detail view's, unchanged.
      const view = await store.getDeploy('d-e');
      expect(view?.findings[0]?.evidence).toEqual(finding.evidence);
      expect(view?.actions[0]).toMatchObject({ output: 'kubectl: not found', error: 'exit 3', request: { reason: 'a long reason' } });
      expect({ ...summary, findings: [], actions: [] }).toEqual({ ...view, findings: [], actions: [] });
    });

    it('defaults the limit to 50 and caps it at 500', async () => {
      for (let i = 0; i < 520; i++) {
        await store.createDeploy(
          deployRecord({ id: `bulk-${String(i).padStart(3, '0')}`, service: 'bulk', startedAt: 1000 + i, receivedAt: 1000 + i }),
          newWatch(),
        );
      }
      expect(await store.listDeploys({ service: 'bulk' })).toHaveLength(50);
      expect(await store.listDeploys({ service: 'bulk', limit: 10_000 })).toHaveLength(500);
      expect(await store.listDeploys({ service: 'bulk', limit: 0 })).toHaveLength(1);
    });
  });

  describe('watches', () => {
    it('activeWatches lists watching deploys oldest first', async () => {
      await store.createDeploy(deployRecord({ id: 'd-1', service: 'a', receivedAt: 10 }), newWatch());
      await store.createDeploy(deployRecord({ id: 'd-2', service: 'b', receivedAt: 20 }), newWatch());
      await store.createDeploy(deployRecord({ id: 'd-3', service: 'c', receivedAt: 30 }), newWatch({ status: 'fail' }));
      const active = await store.activeWatches();
      expect(active.map((a) => [a.deploy.id, a.watch.deployId, a.watch.status])).toEqual([
        ['d-1', 'd-1', 'watching'],
        ['d-2', 'd-2', 'watching'],
      ]);
    });

    it('endWatch ends a watching watch, leaves an ended one alone, and rejects an unknown id', async () => {
      await store.createDeploy(deployRecord(), newWatch());
      await store.endWatch('d-42', 'stopped', 'stopped by alice: rollout aborted', 1763647300);
      expect((await store.getDeploy('d-42'))?.watch).toMatchObject({ status: 'stopped', reason: 'stopped by alice: rollout aborted', updatedAt: 1763647300 });
      await store.endWatch('d-42', 'superseded', 'late', 1763647400);
      expect((await store.getDeploy('d-42'))?.watch).toMatchObject({ status: 'stopped', updatedAt: 1763647300 });
      await expect(store.endWatch('nope', 'stopped', 'x', 1)).rejects.toThrow('cannot end the watch of deploy nope: no such watch');
    });
  });

  describe('durability', () => {
    it('keeps everything across close and re-open', async () => {
      const { view } = await store.createDeploy(deployRecord(), newWatch());
      await store.recordSamples('d-42', 'deploy', 'error_rate', [[1763647260, 0.002]]);
      const [delivery] = await store.enqueueDeliveries(
        [
          {
            dedupKey: 'k',
            deployId: 'd-42',
            service: 'checkout',
            environment: 'production',
            kind: 'notification',
            event: 'alert',
            channel: 'slack',
            channelType: 'slack',
            severity: 'P1',
            thread: 'd-42',
            payload: { text: 'hi' },
            status: 'pending',
            silenceId: null,
            deadlineAt: 100,
            action: { kind: 'alert', target: 'slack', request: { text: 'hi' } },
          },
        ],
        5,
      );
      const claimed = {
        id: delivery!.id,
        deployId: 'd-42',
        kind: 'alert',
        target: 'slack',
        dedupKey: 'k',
        status: 'pending',
        request: { text: 'hi' },
        output: null,
        error: null,
        createdAt: 5,
        finishedAt: null,
        attempts: [],
      };
      store = await fresh.reopen();
      expect(await store.getDeploy('d-42')).toEqual({ ...view, actions: [claimed] });
      expect((await store.observations('d-42')).series).toEqual({ error_rate: [[1763647260, 0.002]] });
    });
  });
}
