// NonceStore and supersedeOlder (signed requests and scheduled deploys, issue #8a): seen-once keys that expire, and
// superseding by a deploy that was stored before it started.
import { describe, expect, it } from 'vitest';
import { deployRecord, newWatch } from '../sample-records.js';
import { useStore, type StoreBackend } from '../backends.js';

export function noncesContract(backend: StoreBackend): void {
  const s = useStore(backend);

  describe('rememberNonce / seenNonce', () => {
    it('records a key once until it expires', async () => {
      expect(await s.store.seenNonce('sig-1', 100)).toBe(false);
      expect(await s.store.rememberNonce('sig-1', 200, 100)).toBe(true);
      expect(await s.store.rememberNonce('sig-1', 250, 150)).toBe(false);
      expect(await s.store.seenNonce('sig-1', 199)).toBe(true);
      expect(await s.store.seenNonce('sig-1', 200)).toBe(false);
      expect(await s.store.rememberNonce('sig-1', 400, 200)).toBe(true);
      expect(await s.store.seenNonce('sig-1', 300)).toBe(true);
    });

    it('gives exactly one of concurrent calls with the same key true', async () => {
      const answers = await Promise.all(Array.from({ length: 8 }, () => s.store.rememberNonce('delivery-7', 500, 100)));
      expect(answers.filter(Boolean)).toHaveLength(1);
    });

    it('keeps keys across a re-open', async () => {
      await s.store.rememberNonce('sig-2', 500, 100);
      const again = await s.reopen();
      expect(await again.seenNonce('sig-2', 200)).toBe(true);
      expect(await again.rememberNonce('sig-2', 600, 200)).toBe(false);
    });
  });

  describe('supersedeOlder', () => {
    it('supersedes older watching watches once the deploy has started; idempotent; [] for an unknown id', async () => {
      await s.store.createDeploy(deployRecord({ id: 'd-1', startedAt: 1000, receivedAt: 1000 }), newWatch());
      await s.store.createDeploy(deployRecord({ id: 'd-stg', environment: 'staging', startedAt: 1000, receivedAt: 1000 }), newWatch());
      // Announced before it started: stored without superseding anything.
      const { superseded } = await s.store.createDeploy(deployRecord({ id: 'd-2', startedAt: 1300, receivedAt: 1100 }), newWatch());
      expect(superseded).toEqual([]);
      expect(await s.store.supersedeOlder('d-2', 1300)).toEqual(['d-1']);
      expect((await s.store.getDeploy('d-1'))?.watch).toMatchObject({ status: 'superseded', supersededBy: 'd-2', updatedAt: 1300 });
      expect((await s.store.getDeploy('d-stg'))?.watch?.status).toBe('watching');
      expect((await s.store.getDeploy('d-2'))?.watch?.status).toBe('watching');
      expect(await s.store.supersedeOlder('d-2', 1400)).toEqual([]);
      expect(await s.store.supersedeOlder('nope', 1400)).toEqual([]);
    });
  });
}
