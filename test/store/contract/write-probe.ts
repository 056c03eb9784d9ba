// probeWrite: the real write that store-health.ts uses to find a full or read-only store writable again.
import { describe, expect, it } from 'vitest';
import { useStore, type StoreBackend } from '../backends.js';
import { deployRecord, newWatch } from '../sample-records.js';

export function writeProbeContract(backend: StoreBackend): void {
  const ctx = useStore(backend);
  const T = 1763647200;

  describe('probeWrite', () => {
    it('succeeds on a writable store, any number of times, also concurrently and after a re-open', async () => {
      await ctx.store.probeWrite(T);
      await Promise.all([1, 2, 3].map((i) => ctx.store.probeWrite(T + i)));
      const reopened = await ctx.reopen();
      await expect(reopened.probeWrite(T + 10)).resolves.toBeUndefined();
    });

    it('changes nothing a consumer reads', async () => {
      await ctx.store.createDeploy(deployRecord({ id: 'd1', startedAt: T, receivedAt: T }), newWatch({ windowEnd: T + 1800 }));
      const before = await ctx.store.listDeploys({ limit: 10 });
      await ctx.store.probeWrite(T + 1);
      expect(await ctx.store.listDeploys({ limit: 10 })).toEqual(before);
      expect(await ctx.store.listDeliveries({ limit: 10 })).toEqual([]);
    });
  });
}
