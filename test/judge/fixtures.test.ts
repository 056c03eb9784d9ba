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
      state: 'done', verdict: 'pass', severity: null, rollback: false, rollbackAt: null, findings: [],
      evaluatedAt: STARTED_AT + 1800, windowEnd: STARTED_AT + 1800, reason: 'window closed with no findings',
    });
  });

  it('broken-error-spike: the spike at minute 5 held for 2m rolls back at minute 7', async () => {
    const j = await judgeFixture('broken-error-spike.json');
    expect(j).toMatchObject({ state: 'done', verdict: 'fail', severity: 'P1', rollback: true, rollbackAt: STARTED_AT + 7 * 60, evaluatedAt: STARTED_AT + 420 });
    expect(j.findings).toEqual([
      {
        rule: 'error-rate-spike', metric: 'error_rate', severity: 'P1', at: STARTED_AT + 420, observed: 0.05133, baseline: 0.00213,
        condition: 'value > 0.01 and ratio > 5', kind: 'breach', summary: 'error_rate 5.13% vs baseline 0.21% (24.1x baseline) for 2m',
      },
    ]);
  });

  it('broken-latency: fails on the P2 regression without rolling back', async () => {
    const j = await judgeFixture('broken-latency.json');
    expect(j).toMatchObject({ state: 'done', verdict: 'fail', severity: 'P2', rollback: false, rollbackAt: null, evaluatedAt: STARTED_AT + 1800 });
    expect(j.findings.map((f) => [f.rule, f.at - STARTED_AT, f.observed, f.baseline])).toEqual([
      ['latency-regression', 600, 322.4, 181.15],
      ['latency-drift', 780, 304.5, 181.15],
    ]);
  });

  it('broken-error-spike: replaying step by step never decides before minute 7', async () => {
    const recording = await readRecording(join(FIXTURES, 'broken-error-spike.json'));
    const rules = defaultPolicy();
    const states = [360, 419, 420].map((dt) => judge(rules, recording.deploy, recording, STARTED_AT + dt));
    expect(states.map((s) => [s.state, s.rollback, s.evaluatedAt - STARTED_AT])).toEqual([
      ['watching', false, 360],
      ['watching', false, 360],
      ['done', true, 420],
    ]);
  });
});
