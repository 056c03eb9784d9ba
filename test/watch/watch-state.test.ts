// The watch state kept in memory between ticks: the store is read once per watch per process, a tick writes one
// transaction, and a watcher that keeps its state reaches exactly what one rebuilt from the store at every tick does.
import { cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Responder } from '../../src/actions/responder.js';
import { loadRules, resolveRules, type LoadedRules } from '../../src/rules/index.js';
import { demoSource } from '../../src/sources/demo/index.js';
import type { Store } from '../../src/store/interfaces.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { createGuardMetrics } from '../../src/telemetry/metrics.js';
import { createIntake } from '../../src/watch/intake.js';
import { SeriesCache } from '../../src/watch/series-cache.js';
import { Watcher } from '../../src/watch/watcher.js';
import { openTestStore } from '../store/backends.js';

const T0 = 1_763_647_200;
let dir: string;
let rules: LoadedRules;
let clock: number;
const stores: Store[] = [];

/** The store with a count of calls per method. */
function counted(store: Store): { store: Store; calls: Map<string, number> } {
  const calls = new Map<string, number>();
  const proxy = new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function' || typeof prop !== 'string') return value;
      return (...args: unknown[]) => {
        calls.set(prop, (calls.get(prop) ?? 0) + 1);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store: proxy, calls };
}

function rig(store: Store) {
  const logger = silentLogger();
  const metrics = createGuardMetrics(new Registry());
  const now = () => clock;
  const sources = new Map([['demo', demoSource.create('demo', { type: 'demo', seed: 7, timeScale: 1 }, { logger, baseDir: '.' })]]);
  const rulesFor = (d: { service: string; environment: string }) => resolveRules(rules, d);
  const responder = new Responder({ store, logger, metrics, verdictUrl: (id) => `http://guard/v1/deploys/${id}`, now });
  const watcher = new Watcher({ store, sources, rulesFor, responder, logger, metrics, now });
  const intake = createIntake({ store, watcher, sources, defaultSource: 'demo', rulesFor, logger, metrics, now });
  return { watcher, intake, metrics };
}

async function openStore(name: string): Promise<Store> {
  const store = await openTestStore(path.join(dir, name));
  stores.push(store);
  return store;
}

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'rg-watch-state-'));
  await cp(path.resolve('rules/default.yaml'), path.join(dir, 'rules/default.yaml'));
  rules = await loadRules(path.join(dir, 'rules'));
  clock = T0 + 1;
});

afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
  await rm(dir, { recursive: true, force: true });
});

describe('watch state in memory', () => {
  it('reads the deploy and its observations once, then each tick is one watch-row read and one transaction', async () => {
    const { store, calls } = counted(await openStore('a'));
    const { watcher, intake } = rig(store);
    await intake.ingest({ id: 'd-1', service: 'shop', environment: 'production', version: 'v2', startedAt: T0, labels: { demo: 'healthy' } }, 'api');
    await watcher.evaluate('d-1');
    calls.clear();
    for (let minute = 1; minute <= 10; minute++) {
      clock = T0 + minute * 60 + 1;
      await watcher.evaluate('d-1');
    }
    expect(calls.get('getWatch')).toBe(10);
    expect(calls.get('recordTick')).toBe(10);
    for (const reread of ['getDeploy', 'observations', 'recordSamples', 'recordBlindSpot', 'saveJudgement', 'previousDeploys'])
      expect(calls.get(reread) ?? 0).toBe(0);
    expect(watcher.held).toBe(1);
    await watcher.stop();
  });

  it.each(['latency-drift', 'flaky-source', 'broken-errors'])(
    'reaches the same findings, verdict and stored observations as a watcher rebuilt from the store at every tick (%s)',
    async (behaviour) => {
      const labels = { demo: behaviour };
      const kept = await openStore('kept');
      const rebuilt = await openStore('rebuilt');
      const live = rig(kept);
      clock = T0 + 1;
      await live.intake.ingest({ id: 'd-1', service: 'shop', environment: 'production', version: 'v2', startedAt: T0, labels }, 'api');
      await rig(rebuilt).intake.ingest({ id: 'd-1', service: 'shop', environment: 'production', version: 'v2', startedAt: T0, labels }, 'api');
      for (let minute = 0; minute <= 31; minute++) {
        clock = T0 + minute * 60 + 1;
        await live.watcher.evaluate('d-1');
        // A new watcher each minute: its only state is what it reads from the store (a restart at every tick).
        const restarted = rig(rebuilt).watcher;
        await restarted.evaluate('d-1');
        await restarted.stop();
      }
      await live.watcher.stop();
      const a = await kept.getDeploy('d-1');
      const b = await rebuilt.getDeploy('d-1');
      expect(a?.watch?.status).not.toBe('watching');
      expect(a?.findings.length).toBeGreaterThan(0);
      expect(a?.findings).toEqual(b?.findings);
      expect(a?.verdict).toEqual(b?.verdict);
      expect(a?.watch).toEqual(b?.watch);
      expect(await kept.observations('d-1')).toEqual(await rebuilt.observations('d-1'));
      expect((await kept.listDeliveries({ deployId: 'd-1' })).map((d) => d.dedupKey).sort()).toEqual(
        (await rebuilt.listDeliveries({ deployId: 'd-1' })).map((d) => d.dedupKey).sort(),
      );
      expect(live.watcher.held).toBe(0);
    },
  );

  it('drops the state of a watch whose lease is lost, and rebuilds it from the store when it is taken again', async () => {
    const { store, calls } = counted(await openStore('a'));
    const { watcher, intake } = rig(store);
    await intake.ingest({ id: 'd-1', service: 'shop', environment: 'production', version: 'v2', startedAt: T0 }, 'api');
    await watcher.evaluate('d-1');
    expect(watcher.held).toBe(1);
    watcher.drop(['d-1']);
    expect(watcher.held).toBe(0);
    calls.clear();
    watcher.adopt(['d-1']);
    clock = T0 + 120;
    await watcher.evaluate('d-1');
    expect(calls.get('getDeploy')).toBe(1);
    expect(calls.get('observations')).toBe(1);
    expect(watcher.held).toBe(1);
    await watcher.stop();
  });

  it('forgets the state of a watch stopped elsewhere at its next tick', async () => {
    const store = await openStore('a');
    const { watcher, intake } = rig(store);
    await intake.ingest({ id: 'd-1', service: 'shop', environment: 'production', version: 'v2', startedAt: T0 }, 'api');
    await watcher.evaluate('d-1');
    await store.endWatch('d-1', 'stopped', 'stopped on another replica', clock);
    clock = T0 + 120;
    await watcher.evaluate('d-1');
    expect(watcher.held).toBe(0);
    expect((await store.getWatch('d-1'))?.status).toBe('stopped');
    await watcher.stop();
  });
});

describe('SeriesCache', () => {
  it('keeps what the store keeps: first value seen per time, times ascending, blind spots by time then metric', () => {
    const cache = SeriesCache.of({
      series: {
        cpu: [
          [60, 0.5],
          [180, 0.7],
        ],
      },
      control: {},
      blind: [{ metric: 'cpu', at: 120, kind: 'error', message: 'first' }],
    });
    cache.add(
      [
        {
          scope: 'deploy',
          metric: 'cpu',
          points: [
            [120, 0.6],
            [60, 0.9],
            [240, 0.8],
            [0, 0.1],
          ],
        },
        { scope: 'control', metric: 'cpu', points: [[60, 0.4]] },
        { scope: 'deploy', metric: 'error_rate', points: [] },
      ],
      [
        { metric: 'cpu', at: 120, kind: 'no-data', message: 'later' },
        { metric: 'control:cpu', at: 60, kind: 'error', message: 'x' },
        { metric: 'a', at: 120, kind: 'error', message: 'y' },
      ],
    );
    expect(cache.observations()).toEqual({
      series: {
        cpu: [
          [0, 0.1],
          [60, 0.5],
          [120, 0.6],
          [180, 0.7],
          [240, 0.8],
        ],
      },
      control: { cpu: [[60, 0.4]] },
      blind: [
        { metric: 'control:cpu', at: 60, kind: 'error', message: 'x' },
        { metric: 'a', at: 120, kind: 'error', message: 'y' },
        { metric: 'cpu', at: 120, kind: 'error', message: 'first' },
      ],
    });
  });

  it('holds long series exactly', () => {
    const cache = new SeriesCache();
    const points = Array.from({ length: 5000 }, (_, i): [number, number] => [i * 15, Math.sin(i)]);
    for (let i = 0; i < points.length; i += 7) cache.add([{ scope: 'deploy', metric: 'm', points: points.slice(i, i + 7).reverse() }], []);
    expect(cache.observations().series['m']).toEqual(points);
  });
});
