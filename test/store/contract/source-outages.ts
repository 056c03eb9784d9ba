// SourceOutageStore (issue #8): open metric-source outages survive a restart, a newer outage replaces an older one,
// and an outage is ended exactly once.
import { describe, expect, it } from 'vitest';
import { useStore, type StoreBackend } from '../backends.js';

export function sourceOutagesContract(backend: StoreBackend): void {
  const s = useStore(backend);

  describe('source outages', () => {
    it('keeps open outages across a re-open, by source name', async () => {
      expect(await s.store.openSourceOutages()).toEqual([]);
      await s.store.saveSourceOutage({ source: 'prom', since: 1000, lastFailure: 1000.5, deploys: ['d-1'] });
      await s.store.saveSourceOutage({ source: 'datadog', since: 1010, lastFailure: 1010, deploys: ['d-2'] });
      const again = await s.reopen();
      expect(await again.openSourceOutages()).toEqual([
        { source: 'datadog', since: 1010, lastFailure: 1010, deploys: ['d-2'] },
        { source: 'prom', since: 1000, lastFailure: 1000.5, deploys: ['d-1'] },
      ]);
    });

    it('updates the same outage, never moves lastFailure back, and ignores an older outage', async () => {
      await s.store.saveSourceOutage({ source: 'prom', since: 1000, lastFailure: 1200, deploys: ['d-1'] });
      await s.store.saveSourceOutage({ source: 'prom', since: 1000, lastFailure: 1100, deploys: ['d-1', 'd-2'] });
      expect(await s.store.openSourceOutages()).toEqual([{ source: 'prom', since: 1000, lastFailure: 1200, deploys: ['d-1', 'd-2'] }]);
      await s.store.saveSourceOutage({ source: 'prom', since: 900, lastFailure: 1300, deploys: ['d-0'] });
      expect(await s.store.openSourceOutages()).toEqual([{ source: 'prom', since: 1000, lastFailure: 1200, deploys: ['d-1', 'd-2'] }]);
      await s.store.saveSourceOutage({ source: 'prom', since: 2000, lastFailure: 2000, deploys: ['d-3'] });
      expect(await s.store.openSourceOutages()).toEqual([{ source: 'prom', since: 2000, lastFailure: 2000, deploys: ['d-3'] }]);
    });

    it('ends an outage once: of concurrent calls exactly one is told, and an older since ends nothing', async () => {
      await s.store.saveSourceOutage({ source: 'prom', since: 1000, lastFailure: 1000, deploys: ['d-1'] });
      expect(await s.store.endSourceOutage('prom', 900)).toBe(false);
      const told = await Promise.all(Array.from({ length: 6 }, () => s.store.endSourceOutage('prom', 1000)));
      expect(told.filter(Boolean)).toHaveLength(1);
      expect(await s.store.openSourceOutages()).toEqual([]);
      expect(await s.store.endSourceOutage('prom', 1000)).toBe(false);
    });
  });
}
