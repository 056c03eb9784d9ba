// recordTick: one watch tick (samples, blind spots, judgement, deliveries) written as one transaction; getWatch.
import { beforeEach, describe, expect, it } from 'vitest';
import type { Finding } from '../../../src/judge/types.js';
import type { Store } from '../../../src/store/interfaces.js';
import type { NewDelivery, TickWrite } from '../../../src/store/records.js';
import { deployRecord, judgement, newDelivery, newWatch } from '../sample-records.js';
import { useStore, type StoreBackend } from '../backends.js';

export function ticksContract(backend: StoreBackend): void {
  // A fresh store per test, its temp dir and PostgreSQL schema removed after it (backends.ts).
  const fresh = useStore(backend);
  let store: Store;

  beforeEach(async () => {
    store = fresh.store;
    await store.createDeploy(deployRecord(), newWatch());
  });

  const spike: Finding = {
    rule: 'error-rate-spike',
    metric: 'error_rate',
    severity: 'P1',
    at: 1763647440,
    observed: 0.012,
    baseline: 0.002,
    condition: 'ratio > 5 and value > 0.01',
    kind: 'breach',
    summary: 'error_rate 1.2% vs baseline 0.2% (6x) for 2m',
  };
  const alert = (key: string): NewDelivery => newDelivery(key);
  const tick = (over: Partial<TickWrite> = {}): TickWrite => ({
    samples: [
      {
        scope: 'deploy',
        metric: 'error_rate',
        points: [
          [1763647440, 0.012],
          [1763647380, 0.011],
        ],
      },
      { scope: 'deploy', metric: 'latency_p95', points: [[1763647440, 181]] },
      { scope: 'control', metric: 'error_rate', points: [[1763647440, 0.002]] },
    ],
    blind: [{ metric: 'cpu', at: 1763647440, kind: 'error', message: 'prometheus: 503' }],
    judgement: { judgement: judgement({ findings: [spike], evaluatedAt: 1763647440 }), watchStatus: 'watching' },
    deliveries: [alert('alert:d-42:error-rate-spike')],
    ...over,
  });

  describe('recordTick', () => {
    it('writes samples, blind spots, the judgement and its deliveries, and answers the deliveries it created', async () => {
      const created = await store.recordTick('d-42', tick(), 1763647441);
      expect(created).toHaveLength(1);
      expect(created[0]).toMatchObject({
        dedupKey: 'alert:d-42:error-rate-spike',
        status: 'pending',
        nextAttemptAt: 1763647441,
        payload: { text: 'alert:d-42:error-rate-spike' },
      });
      expect(await store.observations('d-42')).toEqual({
        series: {
          error_rate: [
            [1763647380, 0.011],
            [1763647440, 0.012],
          ],
          latency_p95: [[1763647440, 181]],
        },
        control: { error_rate: [[1763647440, 0.002]] },
        blind: [{ metric: 'cpu', at: 1763647440, kind: 'error', message: 'prometheus: 503' }],
      });
      const view = await store.getDeploy('d-42');
      expect(view?.findings).toEqual([spike]);
      expect(view?.watch).toMatchObject({ status: 'watching', evaluatedAt: 1763647440, updatedAt: 1763647441 });
      expect(view?.actions.map((a) => [a.kind, a.dedupKey, a.status])).toEqual([['alert', 'alert:d-42:error-rate-spike', 'pending']]);
    });

    it('keeps first-seen samples and blind spots, and skips deliveries whose dedup key is stored', async () => {
      await store.recordTick('d-42', tick(), 1763647441);
      const again = await store.recordTick(
        'd-42',
        tick({
          samples: [
            {
              scope: 'deploy',
              metric: 'error_rate',
              points: [
                [1763647440, 0.9],
                [1763647500, 0.013],
              ],
            },
          ],
          blind: [{ metric: 'cpu', at: 1763647440, kind: 'no-data', message: 'later' }],
          judgement: { judgement: judgement({ findings: [spike], evaluatedAt: 1763647500 }), watchStatus: 'watching' },
          deliveries: [alert('alert:d-42:error-rate-spike'), alert('alert:d-42:other')],
        }),
        1763647501,
      );
      expect(again.map((d) => d.dedupKey)).toEqual(['alert:d-42:other']);
      const obs = await store.observations('d-42');
      expect(obs.series.error_rate).toEqual([
        [1763647380, 0.011],
        [1763647440, 0.012],
        [1763647500, 0.013],
      ]);
      expect(obs.blind).toEqual([{ metric: 'cpu', at: 1763647440, kind: 'error', message: 'prometheus: 503' }]);
      expect((await store.getWatch('d-42'))?.evaluatedAt).toBe(1763647500);
    });

    it('records observations alone when the tick did not judge, leaving the watch as it was', async () => {
      expect(await store.recordTick('d-42', tick({ judgement: null, deliveries: [], blind: [] }), 1763647441)).toEqual([]);
      expect(Object.keys((await store.observations('d-42')).series).sort()).toEqual(['error_rate', 'latency_p95']);
      expect(await store.getWatch('d-42')).toMatchObject({ status: 'watching', evaluatedAt: null });
    });

    it('writes the verdict of a done judgement, and never reopens a watch that ended elsewhere', async () => {
      const done = judgement({
        state: 'done',
        verdict: 'fail',
        severity: 'P1',
        rollback: true,
        rollbackAt: 1763647440,
        findings: [spike],
        evaluatedAt: 1763647440,
        reason: 'P1 finding',
      });
      await store.recordTick('d-42', tick({ judgement: { judgement: done, watchStatus: 'fail' } }), 1763647441);
      expect((await store.getDeploy('d-42'))?.verdict).toMatchObject({ verdict: 'fail', rollback: true, rollbackAt: 1763647440, decidedAt: 1763647441 });
      await store.createDeploy(deployRecord({ id: 'd-43', startedAt: 1763647500, receivedAt: 1763647501 }), newWatch());
      await store.endWatch('d-43', 'stopped', 'stopped by alice', 1763647502);
      await store.recordTick(
        'd-43',
        tick({ deliveries: [], judgement: { judgement: judgement({ evaluatedAt: 1763647560 }), watchStatus: 'watching' } }),
        1763647561,
      );
      expect(await store.getWatch('d-43')).toMatchObject({ status: 'stopped', reason: 'stopped by alice', evaluatedAt: 1763647560 });
    });

    it('writes nothing when a point is not finite (all or nothing)', async () => {
      const bad = tick({
        samples: [
          { scope: 'deploy', metric: 'error_rate', points: [[1763647440, 0.01]] },
          { scope: 'deploy', metric: 'cpu', points: [[1763647440, Number.NaN]] },
        ],
      });
      await expect(store.recordTick('d-42', bad, 1763647441)).rejects.toThrow(
        'sample [1763647440, NaN] for deploy metric cpu of deploy d-42 is not a pair of finite numbers',
      );
      expect(await store.observations('d-42')).toEqual({ series: {}, control: {}, blind: [] });
      expect(await store.listDeliveries({ deployId: 'd-42' })).toEqual([]);
      expect((await store.getWatch('d-42'))?.evaluatedAt).toBeNull();
    });

    it('writes nothing when the judgement cannot be saved (a done judgement without a verdict)', async () => {
      const broken = tick({ judgement: { judgement: judgement({ state: 'done', verdict: null, findings: [spike] }), watchStatus: 'fail' } });
      await expect(store.recordTick('d-42', broken, 1763647441)).rejects.toThrow('judgement for deploy d-42 is done but has no verdict');
      expect(await store.observations('d-42')).toEqual({ series: {}, control: {}, blind: [] });
      expect((await store.getDeploy('d-42'))?.findings).toEqual([]);
      expect(await store.listDeliveries({ deployId: 'd-42' })).toEqual([]);
    });

    it('stores large ticks exactly (a first tick with the baseline history)', async () => {
      const points = Array.from({ length: 1500 }, (_, i): [number, number] => [1763640000 + i * 15, i / 1000]);
      await store.recordTick(
        'd-42',
        tick({ samples: [{ scope: 'deploy', metric: 'throughput', points }], blind: [], judgement: null, deliveries: [] }),
        1763647441,
      );
      expect((await store.observations('d-42')).series.throughput).toEqual(points);
    });
  });

  describe('getWatch', () => {
    it('answers the watch row alone, as getDeploy shows it, and null for an unknown deploy', async () => {
      expect(await store.getWatch('d-42')).toEqual((await store.getDeploy('d-42'))?.watch);
      expect(await store.getWatch('nope')).toBeNull();
    });
  });
}
