// Samples and blind spots: first seen wins, read back per scope and metric sorted by time.
import { beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../../src/store/interfaces.js';
import type { Point } from '../../../src/judge/types.js';
import { deployRecord, newWatch } from '../sample-records.js';
import { useStore, type StoreBackend } from '../backends.js';

export function observationsContract(backend: StoreBackend): void {
  // A fresh store per test, its temp dir and PostgreSQL schema removed after it (backends.ts).
  const fresh = useStore(backend);
  let store: Store;

  beforeEach(async () => {
    store = fresh.store;
    await store.createDeploy(deployRecord(), newWatch());
  });

  describe('samples', () => {
    it('round-trips series and control per metric, sorted by time', async () => {
      await store.recordSamples('d-42', 'deploy', 'error_rate', [
        [1763647320, 0.004],
        [1763647200, 0.002],
        [1763647260, 0.0031],
      ]);
      await store.recordSamples('d-42', 'deploy', 'latency_p95', [[1763647200, 180]]);
      await store.recordSamples('d-42', 'control', 'error_rate', [[1763647200, 0.0019]]);
      await store.recordSamples('d-42', 'deploy', 'cpu', []);
      expect(await store.observations('d-42')).toEqual({
        series: {
          error_rate: [
            [1763647200, 0.002],
            [1763647260, 0.0031],
            [1763647320, 0.004],
          ],
          latency_p95: [[1763647200, 180]],
        },
        control: { error_rate: [[1763647200, 0.0019]] },
        blind: [],
      });
    });

    it('keeps the first value seen for a (scope, metric, t)', async () => {
      await store.recordSamples('d-42', 'deploy', 'error_rate', [[1763647200, 0.002]]);
      await store.recordSamples('d-42', 'deploy', 'error_rate', [
        [1763647200, 0.9],
        [1763647260, 0.003],
      ]);
      await store.recordSamples('d-42', 'control', 'error_rate', [[1763647200, 0.5]]);
      const { series, control } = await store.observations('d-42');
      expect(series).toEqual({
        error_rate: [
          [1763647200, 0.002],
          [1763647260, 0.003],
        ],
      });
      expect(control).toEqual({ error_rate: [[1763647200, 0.5]] });
    });

    it('stores large batches exactly', async () => {
      const points: Point[] = Array.from({ length: 1234 }, (_, i) => [1763640000 + i * 15, i / 1000]);
      await store.recordSamples('d-42', 'deploy', 'throughput', points);
      expect((await store.observations('d-42')).series.throughput).toEqual(points);
    });

    it('rejects a non-finite value and writes none of the batch', async () => {
      await expect(
        store.recordSamples('d-42', 'deploy', 'cpu', [
          [1763647200, 0.5],
          [1763647260, Number.NaN],
        ]),
      ).rejects.toThrow('sample [1763647260, NaN] for deploy metric cpu of deploy d-42 is not a pair of finite numbers');
      expect((await store.observations('d-42')).series).toEqual({});
    });

    it('rejects samples for an unknown deploy', async () => {
      await expect(store.recordSamples('nope', 'deploy', 'cpu', [[1, 0.5]])).rejects.toThrow(/FOREIGN KEY constraint failed|violates foreign key constraint/);
    });
  });

  describe('blind spots', () => {
    it('are returned by time, first seen kept', async () => {
      await store.recordBlindSpot('d-42', { metric: 'latency_p95', at: 1763647320, kind: 'error', message: 'prometheus: 503' });
      await store.recordBlindSpot('d-42', { metric: 'error_rate', at: 1763647260, kind: 'no-data', message: 'empty result' });
      await store.recordBlindSpot('d-42', { metric: 'error_rate', at: 1763647260, kind: 'error', message: 'later' });
      expect((await store.observations('d-42')).blind).toEqual([
        { metric: 'error_rate', at: 1763647260, kind: 'no-data', message: 'empty result' },
        { metric: 'latency_p95', at: 1763647320, kind: 'error', message: 'prometheus: 503' },
      ]);
    });
  });
}
