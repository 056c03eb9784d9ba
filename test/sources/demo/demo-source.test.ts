// Tests the demo source's determinism, step alignment, healthy ranges and query contract.
import { describe, expect, it } from 'vitest';
import type { Deploy, Point } from '../../../src/judge/types.js';
import { BUILTIN_METRICS, type MetricDecl } from '../../../src/rules/schema.js';
import { DEMO_BEHAVIOURS, DEMO_METRICS, DemoConfig, demoSource } from '../../../src/sources/demo/index.js';
import type { MetricQuery, QueryResult } from '../../../src/sources/types.js';
import { silentLogger } from '../../../src/telemetry/logger.js';

const STARTED = 1763647200; // a multiple of 60, 90 and 45
const deps = { logger: silentLogger(), baseDir: '.' };

function source(seed = 1) {
  return demoSource.create('demo', DemoConfig.parse({ type: 'demo', seed }), deps);
}

function deploy(over: Partial<Deploy> = {}): Deploy {
  return { id: 'd-1', service: 'checkout', environment: 'production', version: 'v2', startedAt: STARTED, ...over };
}

function query(over: Partial<MetricQuery> = {}): MetricQuery {
  const metric = over.metric ?? 'error_rate';
  const decl: MetricDecl = BUILTIN_METRICS[metric as keyof typeof BUILTIN_METRICS] ?? { unit: '1', direction: 'decrease' };
  return { metric, decl, deploy: deploy(), scope: 'deploy', start: STARTED - 3600, end: STARTED + 1800, step: 60, ...over };
}

function points(result: QueryResult): Point[] {
  if (result.kind !== 'value') throw new Error(`expected points, got ${JSON.stringify(result)}`);
  return result.points;
}

describe('demo source: determinism', () => {
  it('returns identical points for the same query, from one instance or two with the same seed', async () => {
    const a = await source(7).query(query());
    const b = await source(7).query(query());
    const c = await source(7).query(query());
    expect(a).toEqual(b);
    expect(b).toEqual(c);
  });

  it('does not depend on call order or range: a point is the same in a wide and a narrow query', async () => {
    const s = source();
    const wide = points(await s.query(query({ metric: 'latency_p95' })));
    const narrow = points(await s.query(query({ metric: 'latency_p95', start: STARTED + 600, end: STARTED + 660 })));
    expect(narrow).toEqual(wide.filter(([t]) => t >= STARTED + 600 && t <= STARTED + 660));
  });

  it('changes with the seed and with the deploy id', async () => {
    const base = points(await source(1).query(query()));
    const otherSeed = points(await source(2).query(query()));
    const otherDeploy = points(await source(1).query(query({ deploy: deploy({ id: 'd-2' }) })));
    expect(otherSeed.map(([, v]) => v)).not.toEqual(base.map(([, v]) => v));
    expect(otherDeploy.map(([, v]) => v)).not.toEqual(base.map(([, v]) => v));
  });
});

describe('demo source: query contract', () => {
  it('puts points on every multiple of step within [start, end], both ends inclusive', async () => {
    const got = points(await source().query(query({ start: 1000, end: 1250, step: 60 })));
    expect(got.map(([t]) => t)).toEqual([1020, 1080, 1140, 1200]);
    const exact = points(await source().query(query({ start: 1200, end: 1320, step: 60 })));
    expect(exact.map(([t]) => t)).toEqual([1200, 1260, 1320]);
  });

  it('answers no-data when no step boundary falls inside the range', async () => {
    expect(await source().query(query({ start: 1001, end: 1019, step: 60 }))).toEqual({ kind: 'no-data' });
  });

  it('answers no-data for a metric it does not simulate', async () => {
    expect(await source().query(query({ metric: 'queue_depth' }))).toEqual({ kind: 'no-data' });
  });

  it('serves the custom health gauge, also under another name via queries.demo', async () => {
    const decl: MetricDecl = { unit: '1', direction: 'decrease', queries: { demo: 'health' } };
    const health = points(await source().query(query({ metric: 'health' })));
    const aliased = points(await source().query(query({ metric: 'availability', decl })));
    expect(new Set(health.map(([, v]) => v))).toEqual(new Set([1]));
    expect(aliased).toEqual(health);
  });

  it('reports a bad step as a non-retryable error instead of throwing', async () => {
    const result = await source().query(query({ step: 0 }));
    expect(result).toMatchObject({ kind: 'error', retryable: false });
    expect(result.kind === 'error' && result.message).toContain('step must be a positive number');
  });

  it('refuses ranges of more than 100000 points', async () => {
    const result = await source().query(query({ start: 0, end: 200_000, step: 1 }));
    expect(result).toMatchObject({ kind: 'error', retryable: false });
  });
});

describe('demo source: healthy service', () => {
  const bounds: Record<string, [number, number]> = {
    error_rate: [0.0008, 0.006],
    latency_p95: [112, 266],
    cpu: [0.23, 0.47],
    memory: [0.36, 0.64],
    throughput: [15, 253],
    health: [1, 1],
  };

  it.each(['checkout', 'search', 'payments', 'auth'])('keeps every metric of %s within its documented range', async (service) => {
    const s = source();
    for (const metric of DEMO_METRICS) {
      const got = points(await s.query(query({ metric, deploy: deploy({ service }), start: STARTED - 86_400, end: STARTED + 1800 })));
      expect(got).toHaveLength(1471);
      const [lo, hi] = bounds[metric]!;
      const values = got.map(([, v]) => v);
      expect(Math.min(...values)).toBeGreaterThanOrEqual(lo);
      expect(Math.max(...values)).toBeLessThanOrEqual(hi);
    }
  });

  it('gives services different base levels', async () => {
    const mean = async (service: string) => {
      const got = points(await source().query(query({ metric: 'latency_p95', deploy: deploy({ service }) })));
      return got.reduce((sum, [, v]) => sum + v, 0) / got.length;
    };
    expect(Math.abs((await mean('checkout')) - (await mean('search')))).toBeGreaterThan(1);
  });

  it('shapes throughput by time of day: the 14:00 UTC peak is above the 02:00 UTC trough', async () => {
    const day = 1763596800; // 2025-11-20T00:00:00Z
    const at = async (t: number) => points(await source().query(query({ metric: 'throughput', start: t, end: t }))).at(0)![1];
    expect(await at(day + 14 * 3600)).toBeGreaterThan((await at(day + 2 * 3600)) * 1.3);
  });
});

describe('demo config', () => {
  it('defaults seed to 1 and timeScale to 1, and exposes timeScale on the source', () => {
    expect(DemoConfig.parse({ type: 'demo' })).toEqual({ type: 'demo', seed: 1, timeScale: 1 });
    const fast = demoSource.create('fast', DemoConfig.parse({ type: 'demo', timeScale: 30 }), deps);
    expect(fast).toMatchObject({ type: 'demo', name: 'fast', timeScale: 30 });
  });

  it('rejects a timeScale outside 1..600 and unknown keys', () => {
    expect(DemoConfig.safeParse({ type: 'demo', timeScale: 601 }).success).toBe(false);
    expect(DemoConfig.safeParse({ type: 'demo', timeScale: 0.5 }).success).toBe(false);
    expect(DemoConfig.safeParse({ type: 'demo', speed: 2 }).success).toBe(false);
  });

  it('documents every behaviour in one line', () => {
    expect(Object.keys(DEMO_BEHAVIOURS)).toEqual([
      'healthy',
      'broken-errors',
      'outage',
      'slow',
      'latency-drift',
      'cpu-hog',
      'memory-leak',
      'blip',
      'flaky-source',
      'crash',
      'vanish',
    ]);
    for (const description of Object.values(DEMO_BEHAVIOURS)) expect(description).not.toContain('\n');
  });
});
