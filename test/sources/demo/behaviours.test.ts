// Tests that each demo behaviour moves the right metric, in the right direction, by the documented amount.
import { describe, expect, it } from 'vitest';
import type { Deploy, Point } from '../../../src/judge/types.js';
import { BUILTIN_METRICS, type MetricDecl } from '../../../src/rules/schema.js';
import { DEMO_BEHAVIOURS, DEMO_METRICS, DemoConfig, demoSource } from '../../../src/sources/demo/index.js';
import type { MetricQuery, QueryResult } from '../../../src/sources/types.js';
import { silentLogger } from '../../../src/telemetry/logger.js';

const STARTED = 1763647200; // a multiple of 60 and 45
const source = demoSource.create('demo', DemoConfig.parse({ type: 'demo' }), { logger: silentLogger(), baseDir: '.' });

function deploy(behaviour?: string): Deploy {
  const labels = behaviour === undefined ? undefined : { demo: behaviour };
  return { id: 'd-7', service: 'checkout', environment: 'production', version: 'v2', startedAt: STARTED, labels };
}

/** Points of `metric` from 10 minutes before to 30 minutes after the deploy, keyed by seconds since the deploy. */
async function series(behaviour: string | undefined, metric: string, over: Partial<MetricQuery> = {}): Promise<Map<number, number>> {
  const decl: MetricDecl = BUILTIN_METRICS[metric as keyof typeof BUILTIN_METRICS] ?? { unit: '1', direction: 'decrease' };
  const q: MetricQuery = { metric, decl, deploy: deploy(behaviour), scope: 'deploy', start: STARTED - 600, end: STARTED + 1800, step: 60, ...over };
  return new Map(points(await source.query(q)).map(([t, v]) => [t - STARTED, v]));
}

function points(result: QueryResult): Point[] {
  if (result.kind !== 'value') throw new Error(`expected points, got ${JSON.stringify(result)}`);
  return result.points;
}

/** Values at seconds-since-deploy satisfying `when`. */
function where(s: Map<number, number>, when: (since: number) => boolean): number[] {
  return [...s].filter(([since]) => when(since)).map(([, v]) => v);
}

function within(values: number[], lo: number, hi: number): void {
  expect(values.length).toBeGreaterThan(0);
  expect(Math.min(...values)).toBeGreaterThanOrEqual(lo);
  expect(Math.max(...values)).toBeLessThanOrEqual(hi);
}

describe('demo behaviours', () => {
  it('broken-errors: error_rate ~8% from minute 2, normal before', async () => {
    const s = await series('broken-errors', 'error_rate');
    within(
      where(s, (since) => since < 120),
      0.0008,
      0.006,
    );
    within(
      where(s, (since) => since >= 120),
      0.072,
      0.088,
    );
  });

  it('outage: error_rate ~60% and health 0 from minute 1', async () => {
    const errors = await series('outage', 'error_rate');
    const health = await series('outage', 'health');
    within(
      where(errors, (since) => since < 60),
      0.0008,
      0.006,
    );
    within(
      where(errors, (since) => since >= 60),
      0.57,
      0.63,
    );
    within(
      where(health, (since) => since < 60),
      1,
      1,
    );
    within(
      where(health, (since) => since >= 60),
      0,
      0,
    );
  });

  it('slow: latency_p95 3.5× the healthy series from minute 3', async () => {
    const slow = await series('slow', 'latency_p95');
    const healthy = await series('healthy', 'latency_p95');
    const ratios = [...slow].map(([since, v]) => [since, v / healthy.get(since)!] as const);
    within(
      ratios.filter(([since]) => since < 180).map(([, r]) => r),
      1,
      1,
    );
    within(
      ratios.filter(([since]) => since >= 180).map(([, r]) => r),
      3.49,
      3.51,
    );
  });

  it('latency-drift: latency_p95 +18% at 3 minutes and +30% from 5 minutes', async () => {
    const drift = await series('latency-drift', 'latency_p95');
    const healthy = await series(undefined, 'latency_p95');
    expect(drift.get(0)! / healthy.get(0)!).toBe(1);
    expect(drift.get(180)! / healthy.get(180)!).toBeCloseTo(1.18, 2);
    const ratios = [...drift].filter(([since]) => since >= 300).map(([since, v]) => v / healthy.get(since)!);
    within(ratios, 1.295, 1.305);
  });

  it('cpu-hog: cpu climbs from its base to ~85% over 5 minutes and stays there', async () => {
    const s = await series('cpu-hog', 'cpu');
    within(
      where(s, (since) => since <= 0),
      0.23,
      0.47,
    );
    within(
      where(s, (since) => since >= 300),
      0.83,
      0.87,
    );
    expect(s.get(120)!).toBeGreaterThan(s.get(0)!);
    expect(s.get(120)!).toBeLessThan(0.83);
  });

  it('memory-leak: memory from 70% climbing ~1.5% per minute, capped at 99%', async () => {
    const s = await series('memory-leak', 'memory');
    within(
      where(s, (since) => since <= 0),
      0.36,
      0.64,
    );
    expect(s.get(60)!).toBeCloseTo(0.715, 2);
    expect(s.get(600)!).toBeCloseTo(0.85, 2);
    expect((s.get(600)! - s.get(60)!) / 9).toBeCloseTo(0.015, 3);
    within(
      where(s, (since) => since >= 1200),
      0.99,
      0.99,
    );
  });

  it.each([60, 45])('blip: exactly one error_rate spike, the first point at or after minute 4 (step %is)', async (step) => {
    const s = await series('blip', 'error_rate', { step });
    const spikes = [...s].filter(([, v]) => v > 0.01);
    expect(spikes).toHaveLength(1);
    expect(spikes[0]![0]).toBe(step === 60 ? 240 : 270);
    expect(spikes[0]![1]).toBeGreaterThanOrEqual(0.1425);
    within(
      where(s, (since) => since !== spikes[0]![0]),
      0.0008,
      0.006,
    );
  });

  it('flaky-source: queries ending in minutes 5 to 8 after the deploy fail, retryably, in both scopes', async () => {
    const q = (end: number, scope: 'deploy' | 'control' = 'deploy'): MetricQuery => ({
      metric: 'error_rate',
      decl: BUILTIN_METRICS.error_rate,
      deploy: deploy('flaky-source'),
      scope,
      start: end - 600,
      end,
      step: 60,
    });
    const outage = { kind: 'error', message: 'demo: simulated source outage', retryable: true };
    expect(await source.query(q(STARTED + 299))).toMatchObject({ kind: 'value' });
    expect(await source.query(q(STARTED + 300))).toEqual(outage);
    expect(await source.query(q(STARTED + 479))).toEqual(outage);
    expect(await source.query(q(STARTED + 400, 'control'))).toEqual(outage);
    expect(await source.query(q(STARTED + 480))).toMatchObject({ kind: 'value' });
    const after = points(await source.query(q(STARTED + 1800)));
    const healthy = points(await source.query({ ...q(STARTED + 1800), deploy: deploy() }));
    expect(after).toEqual(healthy);
  });

  it.each(Object.keys(DEMO_BEHAVIOURS).filter((b) => b !== 'flaky-source'))(
    '%s changes nothing up to and including startedAt, and nothing in the control scope',
    async (behaviour) => {
      for (const metric of DEMO_METRICS) {
        const labelled = await series(behaviour, metric);
        const healthy = await series(undefined, metric);
        expect(where(labelled, (since) => since <= 0)).toEqual(where(healthy, (since) => since <= 0));
        expect(await series(behaviour, metric, { scope: 'control' })).toEqual(await series(undefined, metric, { scope: 'control' }));
      }
    },
  );

  it('crash: throughput 0 and no error_rate, latency_p95 or health points from minute 1; memory stays', async () => {
    expect(where(await series('crash', 'throughput'), (since) => since >= 60)).toEqual(Array.from({ length: 30 }, () => 0));
    for (const metric of ['error_rate', 'latency_p95', 'health']) {
      const s = await series('crash', metric);
      expect(where(s, (since) => since >= 60)).toEqual([]);
      expect(where(s, (since) => since <= 0)).toHaveLength(11);
    }
    expect(where(await series('crash', 'memory'), (since) => since >= 60)).toHaveLength(30);
    expect(await series('crash', 'throughput', { scope: 'control' })).toEqual(await series(undefined, 'throughput', { scope: 'control' }));
  });

  it('vanish: every series stops at minute 2 while queries still answer; a range after it is no-data, not an error', async () => {
    for (const metric of DEMO_METRICS) {
      const s = await series('vanish', metric);
      expect([...s.keys()].filter((since) => since > 0)).toEqual([60]);
    }
    const after = await source.query({
      metric: 'throughput',
      decl: BUILTIN_METRICS.throughput,
      deploy: deploy('vanish'),
      scope: 'deploy',
      start: STARTED + 300,
      end: STARTED + 600,
      step: 60,
    });
    expect(after).toEqual({ kind: 'no-data' });
  });

  it('control scope is a separate healthy fleet: same levels, its own noise', async () => {
    const control = await series('broken-errors', 'error_rate', { scope: 'control' });
    const own = await series(undefined, 'error_rate');
    within([...control.values()], 0.0008, 0.006);
    expect([...control.values()]).not.toEqual([...own.values()]);
  });

  it('treats an unknown label value as healthy', async () => {
    for (const metric of DEMO_METRICS) {
      expect(await series('no-such-story', metric)).toEqual(await series(undefined, metric));
    }
  });
});
