// previousDeploys: the start times of earlier passed deploys of a service+environment, for the previous-deploys baseline.
import { beforeEach, describe, expect, it } from 'vitest';
import type { WatchStatus } from '../../../src/store/records.js';
import type { Store } from '../../../src/store/interfaces.js';
import { deployRecord, judgement, newWatch } from '../sample-records.js';
import { useStore, type StoreBackend } from '../backends.js';

export function previousDeploysContract(backend: StoreBackend): void {
  // A fresh store per test, its temp dir and PostgreSQL schema removed after it (backends.ts).
  const fresh = useStore(backend);
  let store: Store;

  beforeEach(async () => {
    store = fresh.store;
  });

  const HOUR = 3600;
  const T = 1763647200;

  async function deployed(id: string, startedAt: number, status: WatchStatus, over: { service?: string; environment?: string } = {}): Promise<void> {
    await store.createDeploy(deployRecord({ id, startedAt, receivedAt: startedAt, ...over }), newWatch({ windowEnd: startedAt + 1800 }));
    if (status === 'watching') return;
    const verdict = status === 'pass' || status === 'fail' || status === 'inconclusive' ? status : 'pass';
    await store.saveJudgement(id, judgement({ state: 'done', verdict, evaluatedAt: startedAt + 1800 }), status, startedAt + 1800);
  }

  describe('previousDeploys', () => {
    it('lists earlier passed deploys of the same service and environment, newest first, at most n', async () => {
      await deployed('a', T - 5 * HOUR, 'pass');
      await deployed('b', T - 4 * HOUR, 'fail');
      await deployed('c', T - 3 * HOUR, 'pass');
      await deployed('d', T - 2 * HOUR, 'inconclusive');
      await deployed('e', T - 1 * HOUR, 'pass');
      await deployed('other-service', T - 30 * 60, 'pass', { service: 'search' });
      await deployed('other-env', T - 20 * 60, 'pass', { environment: 'staging' });
      await deployed('later', T + HOUR, 'pass');
      expect(await store.previousDeploys('checkout', 'production', T, 2)).toEqual([T - HOUR, T - 3 * HOUR]);
      expect(await store.previousDeploys('checkout', 'production', T, 10)).toEqual([T - HOUR, T - 3 * HOUR, T - 5 * HOUR]);
      expect(await store.previousDeploys('checkout', 'production', T - 5 * HOUR, 3)).toEqual([]);
      expect(await store.previousDeploys('search', 'production', T, 3)).toEqual([T - 30 * 60]);
    });
  });
}
