// The judge on the recorded fixtures (test/fixtures/recordings) under the default policy: exact verdicts and times.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { judge } from '../../src/judge/judge.js';
import { readRecording } from '../../src/recording/read.js';
import { defaultPolicy } from './default-policy.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'recordings');
const STARTED_AT = 1763647200;

async function judgeFixture(name: string) {
  const recording = await readRecording(join(FIXTURES, name));
  const rules = defaultPolicy();
  const { deploy, series, control } = recording;
  return judge(rules, deploy, { series, ...(control ? { control } : {}) }, deploy.startedAt + rules.window);
}

describe('judge on fixture recordings', () => {
  it('healthy-steady: pass, nothing found, window judged to its end', async () => {
    const j = await judgeFixture('healthy-steady.json');
    expect(j).toEqual({
      state: 'done',
      verdict: 'pass',
      severity: null,
      rollback: false,
      rollbackAt: null,
      findings: [],
      evaluatedAt: STARTED_AT + 1800,
      windowEnd: STARTED_AT + 1800,
      reason: 'window closed with no findings',
    });
  });

  it('broken-error-spike: the spike from minute 5 rolls back at minute 6, on its second bad point', async () => {
    const j = await judgeFixture('broken-error-spike.json');
    expect(j).toMatchObject({ state: 'done', verdict: 'fail', severity: 'P1', rollback: true, rollbackAt: STARTED_AT + 6 * 60, evaluatedAt: STARTED_AT + 360 });
    expect(j.findings).toHaveLength(1);
    const { evidence, ...finding } = j.findings[0]!;
    expect(finding).toEqual({
      rule: 'error-rate-spike',
      metric: 'error_rate',
      severity: 'P1',
      at: STARTED_AT + 360,
      observed: 0.04463,
      baseline: 0.0021080538069280816,
      condition: 'ratio > 5 and value > 0.01',
      kind: 'breach',
      summary: 'error_rate 4.46% vs baseline 0.21% (21.2x baseline)',
      clearedAt: null,
    });
    // The lower of the last two points, against the pooled baseline rate; 295 errors where 22.7 were expected.
    expect(evidence).toMatchObject({
      baseline: { kind: 'pre-deploy', fellBackFrom: null, median: 0.00213, count: 60, from: STARTED_AT - 3600, to: STARTED_AT - 60 },
      test: { test: 'conditional-binomial', errors: 295, requests: 6126, baselineErrors: 360, baselineRequests: 170610 },
      alpha: 0.001,
      lookback: 120,
      points: 2,
    });
    expect(evidence?.test?.pValue).toBeLessThan(1e-200);
  });

  it('broken-latency: fails on P2 latency and per-request CPU regressions without rolling back', async () => {
    const j = await judgeFixture('broken-latency.json');
    expect(j).toMatchObject({ state: 'done', verdict: 'fail', severity: 'P2', rollback: false, rollbackAt: null, evaluatedAt: STARTED_AT + 1800 });
    expect(j.findings.map((f) => [f.rule, f.at - STARTED_AT, f.observed, f.clearedAt, f.evidence?.test?.test])).toEqual([
      ['latency-regression', 900, 313.3, null, 'mann-whitney'],
      ['cpu-regression', 900, 0.009345238095238096, null, 'mann-whitney'],
      ['latency-drift', 900, 313.3, null, 'mann-whitney'],
    ]);
  });

  it('broken-error-spike: replaying step by step never decides before minute 6', async () => {
    const recording = await readRecording(join(FIXTURES, 'broken-error-spike.json'));
    const rules = defaultPolicy();
    const states = [300, 359, 360].map((dt) => judge(rules, recording.deploy, recording, STARTED_AT + dt));
    expect(states.map((s) => [s.state, s.rollback, s.evaluatedAt - STARTED_AT])).toEqual([
      ['watching', false, 300],
      ['watching', false, 300],
      ['done', true, 360],
    ]);
  });
});
