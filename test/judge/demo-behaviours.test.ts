// The shipped default rules against every scripted story of the demo source: what `npm run demo` shows.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { judge } from '../../src/judge/judge.js';
import { observationPlan } from '../../src/judge/plan.js';
import type { BlindSpot, Deploy, SeriesSet } from '../../src/judge/types.js';
import { loadRules, resolveRules } from '../../src/rules/index.js';
import { BUILTIN_METRICS, type MetricDecl } from '../../src/rules/schema.js';
import { demoSource } from '../../src/sources/demo/index.js';
import { silentLogger } from '../../src/telemetry/logger.js';

const T0 = 1_763_647_200;

/** Fetches what the live watcher would (the judge's own plan), minute by minute, then judges the whole window. */
async function judgeDemo(behaviour: string) {
  const rules = resolveRules(await loadRules(join(import.meta.dirname, '..', '..', 'rules')), { service: 'shop', environment: 'production' });
  const source = demoSource.create('demo', { type: 'demo', seed: 11, timeScale: 1 }, { logger: silentLogger(), baseDir: '.' });
  const deploy: Deploy = { id: `d-${behaviour}`, service: 'shop', environment: 'production', version: 'v2', startedAt: T0, labels: { demo: behaviour } };
  const series: SeriesSet = {};
  const blind: BlindSpot[] = [];
  const end = T0 + rules.window + rules.minEvidence.extend;
  for (let to = T0, from: number | null = null; to <= end; from = to, to += rules.interval) {
    for (const q of observationPlan(rules, deploy, { from, to })) {
      const decl = rules.metrics[q.metric] ?? (BUILTIN_METRICS as Record<string, MetricDecl>)[q.metric]!;
      const r = await source.query({ metric: q.metric, decl, deploy, scope: q.scope, start: q.start, end: q.end, step: rules.interval });
      if (r.kind !== 'value') {
        blind.push({ metric: q.metric, at: to, kind: r.kind, message: r.kind === 'error' ? r.message : 'no data' });
        continue;
      }
      const known = (series[q.metric] ??= []);
      for (const p of r.points) if (!known.some((x) => x[0] === p[0])) known.push(p);
    }
  }
  for (const points of Object.values(series)) points.sort((a, b) => a[0] - b[0]);
  return judge(rules, deploy, { series, blind }, end);
}

describe('default rules on the demo stories', () => {
  it.each([
    ['healthy', 'pass', null, false],
    ['blip', 'pass', null, false],
    ['broken-errors', 'fail', 'P1', true],
    ['outage', 'fail', 'P0', true],
    ['slow', 'fail', 'P1', true],
    ['latency-drift', 'fail', 'P2', false],
    ['cpu-hog', 'fail', 'P2', false],
    ['memory-leak', 'fail', 'P2', false],
    ['flaky-source', 'inconclusive', 'P3', false],
    ['crash', 'fail', 'P0', true],
    ['vanish', 'fail', 'P0', true],
  ])('%s: %s, %s, rollback %s', async (behaviour, verdict, severity, rollback) => {
    const j = await judgeDemo(behaviour);
    expect({ verdict: j.verdict, severity: j.severity, rollback: j.rollback }).toEqual({ verdict, severity, rollback });
  });
});

describe('silence is an outage, within 3 minutes', () => {
  it.each([
    ['crash', 60],
    ['vanish', 120],
  ])('%s: outage-silence rolls back at most 3 minutes after the service stops (at +%is)', async (behaviour, stopsAt) => {
    const j = await judgeDemo(behaviour);
    const trigger = j.findings.find((f) => f.at === j.rollbackAt && f.kind === 'breach');
    expect(trigger).toMatchObject({ rule: 'outage-silence', severity: 'P0', metric: 'throughput', evidence: { test: { test: 'requests' } } });
    expect(j.rollbackAt! - (T0 + stopsAt)).toBeLessThanOrEqual(180);
    expect(j.rollbackAt! - (T0 + stopsAt)).toBeGreaterThanOrEqual(60);
  });
});
