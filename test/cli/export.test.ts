// exportRecording: a stored deploy and its observations as a release-guard/recording@1 document (DESIGN §3).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exportRecording } from '../../src/cli/export.js';
import { openTestStore } from '../store/backends.js';
import type { Store } from '../../src/store/interfaces.js';
import { deployRecord, newWatch, tempDir } from '../store/sample-records.js';

let remove: () => Promise<void>;
let store: Store;

beforeEach(async () => {
  let dir: string;
  ({ dir, remove } = await tempDir());
  store = await openTestStore(dir);
});
afterEach(async () => {
  await store.close();
  await remove();
});

describe('exportRecording', () => {
  it('writes the deploy fields, the series, the control group and the source errors', async () => {
    await store.createDeploy(deployRecord(), newWatch());
    await store.recordSamples('d-42', 'deploy', 'error_rate', [
      [1763643660, 0.0021],
      [1763643600, 0.002],
    ]);
    await store.recordSamples('d-42', 'deploy', 'latency_p95', [[1763643600, 180]]);
    await store.recordSamples('d-42', 'control', 'error_rate', [[1763647200, 0.002]]);
    await store.recordBlindSpot('d-42', { metric: 'cpu', at: 1763647260, kind: 'error', message: 'timeout' });
    const recording = await exportRecording(store, 'd-42');
    expect(recording).toEqual({
      format: 'release-guard/recording@1',
      deploy: { id: 'd-42', service: 'checkout', environment: 'production', version: 'v1.2.0', previousVersion: 'v1.1.9', startedAt: 1763647200 },
      series: {
        error_rate: [
          [1763643600, 0.002],
          [1763643660, 0.0021],
        ],
        latency_p95: [[1763643600, 180]],
      },
      control: { error_rate: [[1763647200, 0.002]] },
      blind: [{ metric: 'cpu', at: 1763647260, kind: 'error', message: 'timeout' }],
    });
    expect(JSON.parse(JSON.stringify(recording))).toEqual(recording);
  });

  it('omits control when there is none and writes a missing previousVersion as null', async () => {
    await store.createDeploy(deployRecord({ previousVersion: undefined }), newWatch());
    await store.recordSamples('d-42', 'deploy', 'error_rate', [[1763643600, 0.002]]);
    const recording = await exportRecording(store, 'd-42');
    expect(recording).not.toHaveProperty('control');
    expect(recording.deploy.previousVersion).toBeNull();
    expect(recording.series).toEqual({ error_rate: [[1763643600, 0.002]] });
  });

  it('says how to find a deploy id when it does not know the one asked for', async () => {
    await expect(exportRecording(store, 'd-404')).rejects.toThrow('no deploy with id d-404; list deploys with GET /v1/deploys');
  });
});
