// Table-driven tests of the pure judge on small hand-made series (T0 = deploy start, 1-minute steps).
import { describe, expect, it } from 'vitest';
import { judge } from '../../src/judge/judge.js';
import type { Judgement, Observations } from '../../src/judge/types.js';
import { BUILTIN_METRICS, type Rule, type RuleSet } from '../../src/rules/schema.js';
import { DEPLOY, POLICY, T0, at, history, minutes, rule, ruleSet } from './rule-set.js';

interface Case {
  name: string;
  rules: Rule[];
  obs: Observations;
  now: number;
  set?: Partial<RuleSet>;
  expect: Partial<Omit<Judgement, 'findings'>> & { findings?: Array<Record<string, unknown>> };
}

const errValue = (when: unknown, forText = '0s', severity = 'P3'): Rule => rule({ name: 'err', metric: 'error_rate', severity, when, for: forText });

const conditionCases: Case[] = [
  {
    name: 'value: established at the first breaching step',
    rules: [errValue('value > 0.01')],
    obs: { series: { error_rate: [...history(0.002), ...minutes(0.001, 0.02, 0.03)] } },
    now: T0 + 180,
    expect: {
      state: 'watching',
      verdict: null,
      severity: 'P3',
      rollback: false,
      rollbackAt: null,
      evaluatedAt: T0 + 180,
      findings: [
        { rule: 'err', metric: 'error_rate', severity: 'P3', at: T0 + 120, observed: 0.02, baseline: 0.002, condition: 'value > 0.01', kind: 'breach' },
      ],
    },
  },
  {
    name: 'ratio: observed / baseline median',
    rules: [errValue('ratio > 5')],
    obs: { series: { error_rate: [...history(0.002), ...minutes(0.009, 0.011)] } },
    now: T0 + 120,
    expect: { findings: [{ at: T0 + 120, observed: 0.011, baseline: 0.002, condition: 'ratio > 5' }] },
  },
  {
    name: 'change: percent from the baseline',
    rules: [rule({ name: 'lat', metric: 'latency_p95', severity: 'P3', when: 'change > 20%' })],
    obs: { series: { latency_p95: [...history(200), ...minutes(230, 250)] } },
    now: T0 + 120,
    expect: { findings: [{ at: T0 + 120, observed: 250, baseline: 200, condition: 'change > 20%' }] },
  },
  {
    name: 'change below: a traffic drop of more than half',
    rules: [rule({ name: 'drop', metric: 'throughput', severity: 'P3', when: 'change < -50%' })],
    obs: { series: { throughput: [...history(50), ...minutes(30, 20)] } },
    now: T0 + 120,
    expect: { findings: [{ at: T0 + 120, observed: 20, baseline: 50, condition: 'change < -50%' }] },
  },
  {
    name: 'ratio without baseline points cannot hold',
    rules: [errValue('ratio > 5')],
    obs: { series: { error_rate: minutes(0.5, 0.5) } },
    now: T0 + 120,
    expect: { findings: [] },
  },
  {
    name: 'any: a value condition holds without a baseline',
    rules: [errValue({ any: ['ratio > 5', 'value > 0.1'] })],
    obs: { series: { error_rate: minutes(0.05, 0.2) } },
    now: T0 + 120,
    expect: { findings: [{ at: T0 + 120, observed: 0.2, baseline: null, condition: 'ratio > 5 or value > 0.1' }] },
  },
  {
    name: 'all: every condition must hold',
    rules: [errValue({ all: ['value > 0.01', 'ratio > 5'] })],
    obs: { series: { error_rate: [...history(0.004), ...minutes(0.015, 0.025)] } },
    now: T0 + 120,
    expect: { findings: [{ at: T0 + 120, observed: 0.025, baseline: 0.004, condition: 'value > 0.01 and ratio > 5' }] },
  },
  {
    name: 'zero baseline: any rise is an infinite ratio',
    rules: [errValue('ratio > 5')],
    obs: { series: { error_rate: [...history(0), ...minutes(0, 0.001)] } },
    now: T0 + 120,
    expect: { findings: [{ at: T0 + 120, observed: 0.001, baseline: 0 }] },
  },
  {
    name: 'no move from a zero baseline is not harmful, even for a metric harmful either way',
    rules: [rule({ name: 'flat', metric: 'queue', severity: 'P3', when: 'ratio <= 1' })],
    set: { metrics: { ...BUILTIN_METRICS, queue: { unit: '', direction: 'either' } } },
    obs: { series: { queue: [...history(0), ...minutes(0)] } },
    now: T0 + 60,
    expect: { findings: [] },
  },
  {
    name: 'only the harmful direction breaches: error_rate falling is never a finding',
    rules: [errValue('change < -50%')],
    obs: { series: { error_rate: [...history(0.01), ...minutes(0.001, 0.001)] } },
    now: T0 + 120,
    expect: { findings: [] },
  },
  {
    name: 'baseline is the median of the pre-deploy points only',
    rules: [errValue('ratio > 5')],
    obs: { series: { error_rate: [...at([-700, 1], [-300, 0.001], [-200, 0.003], [-100, 0.002], [0, 1]), ...minutes(0.011)] } },
    now: T0 + 60,
    expect: { findings: [{ observed: 0.011, baseline: 0.002 }] },
  },
];

const forCases: Case[] = [
  {
    name: 'for 2m: held from the first breach through two more steps',
    rules: [errValue('value > 0.01', '2m')],
    obs: { series: { error_rate: minutes(0.001, 0.02, 0.02, 0.02) } },
    now: T0 + 240,
    expect: { findings: [{ at: T0 + 240, observed: 0.02 }] },
  },
  {
    name: 'for 2m: not yet established one step short',
    rules: [errValue('value > 0.01', '2m')],
    obs: { series: { error_rate: minutes(0.001, 0.02, 0.02, 0.02) } },
    now: T0 + 239,
    expect: { findings: [], evaluatedAt: T0 + 180 },
  },
  {
    name: 'a gap resets the streak',
    rules: [errValue('value > 0.01', '2m')],
    obs: { series: { error_rate: minutes(0.02, 0.02, null, 0.02, 0.02, 0.02) } },
    now: T0 + 360,
    expect: { findings: [{ at: T0 + 360 }] },
  },
  {
    name: 'a non-breaching step resets the streak',
    rules: [errValue('value > 0.01', '2m')],
    obs: { series: { error_rate: minutes(0.02, 0.02, 0.001, 0.02, 0.02, 0.02) } },
    now: T0 + 360,
    expect: { findings: [{ at: T0 + 360 }] },
  },
  {
    name: 'for 90s with 1m steps needs two more steps',
    rules: [errValue('value > 0.01', '90s')],
    obs: { series: { error_rate: minutes(0.02, 0.02, 0.02) } },
    now: T0 + 180,
    expect: { findings: [{ at: T0 + 180 }] },
  },
  {
    name: 'a step sees the latest point of its interval only',
    rules: [errValue('value > 0.01')],
    obs: { series: { error_rate: at([30, 0.02], [50, 0.001], [61, 0.02]) } },
    now: T0 + 120,
    expect: { findings: [{ at: T0 + 120, observed: 0.02 }] },
  },
  {
    name: 'a point older than one interval is a gap, not a value',
    rules: [errValue('value > 0.01', '1m')],
    obs: { series: { error_rate: at([60, 0.02], [180, 0.02]) } },
    now: T0 + 180,
    expect: { findings: [] },
  },
  {
    name: 'no future data: points after now do not count',
    rules: [errValue('value > 0.01')],
    obs: { series: { error_rate: at([60, 0.001], [120, 0.001], [180, 0.001], [190, 0.5], [240, 0.5]) } },
    now: T0 + 200,
    expect: { state: 'watching', findings: [], evaluatedAt: T0 + 180 },
  },
  {
    name: 'the summary has units, the ratio and the time held',
    rules: [rule({ name: 'error-rate-spike', metric: 'error_rate', severity: 'P3', when: { all: ['value > 0.01', 'ratio > 5'] }, for: '2m' })],
    obs: { series: { error_rate: [...history(0.002), ...minutes(0.031, 0.031, 0.031)] } },
    now: T0 + 180,
    expect: { findings: [{ at: T0 + 180, summary: 'error_rate 3.1% vs baseline 0.2% (15.5x baseline) for 2m' }] },
  },
];

const spikeP1 = rule({ name: 'error-rate-spike', metric: 'error_rate', severity: 'P1', when: 'value > 0.01', for: '1m' });
const slowP2 = rule({ name: 'latency-slow', metric: 'latency_p95', severity: 'P2', when: 'value > 1000' });
const errP3 = rule({ name: 'error-drift', metric: 'error_rate', severity: 'P3', when: 'value > 0.005' });
const calm = { error_rate: minutes(...Array<number>(10).fill(0.001)), latency_p95: minutes(...Array<number>(10).fill(100)) };

const verdictCases: Case[] = [
  {
    name: 'rollback: stops at the establishing step, later findings are not evaluated',
    rules: [errP3, spikeP1, slowP2],
    obs: { series: { error_rate: minutes(0.02, 0.02, 0.02), latency_p95: minutes(100, 100, 2000) } },
    now: T0 + 600,
    expect: {
      state: 'done',
      verdict: 'fail',
      severity: 'P1',
      rollback: true,
      rollbackAt: T0 + 120,
      evaluatedAt: T0 + 120,
      findings: [
        { rule: 'error-drift', at: T0 + 60 },
        { rule: 'error-rate-spike', at: T0 + 120 },
      ],
    },
  },
  {
    name: 'rollback: not before its step is reached',
    rules: [spikeP1],
    obs: { series: { error_rate: minutes(0.02, 0.02, 0.02) } },
    now: T0 + 119,
    expect: { state: 'watching', verdict: null, rollback: false, rollbackAt: null, findings: [] },
  },
  {
    name: 'window end: pass with nothing found',
    rules: [spikeP1, slowP2],
    obs: { series: calm },
    now: T0 + 600,
    expect: { state: 'done', verdict: 'pass', severity: null, rollback: false, evaluatedAt: T0 + 600, findings: [], reason: 'window closed with no findings' },
  },
  {
    name: 'window end: a P2 fails the verdict without rollback',
    rules: [spikeP1, slowP2],
    obs: { series: { ...calm, latency_p95: minutes(100, 100, 2000) } },
    now: T0 + 900,
    expect: {
      state: 'done',
      verdict: 'fail',
      severity: 'P2',
      rollback: false,
      rollbackAt: null,
      evaluatedAt: T0 + 600,
      reason: 'latency-slow (P2): latency_p95 2000ms (no pre-deploy baseline)',
      findings: [{ rule: 'latency-slow', at: T0 + 180, observed: 2000 }],
    },
  },
  {
    name: 'window end: a P3 alone passes',
    rules: [errP3],
    obs: { series: { ...calm, error_rate: minutes(0.001, 0.006, 0.001) } },
    now: T0 + 600,
    expect: { verdict: 'pass', severity: 'P3', reason: 'window closed with 1 finding(s), none failing the verdict' },
  },
  {
    name: 'window end: too few samples of the judged metric (plenty of an unjudged one does not count)',
    rules: [spikeP1],
    obs: { series: { error_rate: minutes(0.001, 0.001), cpu: minutes(...Array<number>(10).fill(0.3)), latency_p95: calm.latency_p95 } },
    now: T0 + 600,
    expect: { verdict: 'inconclusive', reason: 'not enough evidence: 2 error_rate points in the window, need 3' },
  },
  {
    name: 'window end: evidence is counted on the metrics the rules judge, custom ones too',
    rules: [rule({ name: 'orders', metric: 'orders', severity: 'P1', when: 'change < -50%' })],
    obs: { series: { orders: [...history(40), ...minutes(41, 39, 40, 42, 41, 40, 39, 42, 41, 40)] } },
    now: T0 + 600,
    expect: { verdict: 'pass', reason: 'window closed with no findings' },
  },
  {
    name: 'window end: enough samples of one judged metric suffice',
    rules: [spikeP1, slowP2],
    obs: { series: { error_rate: minutes(0.001, 0.001), latency_p95: calm.latency_p95 } },
    now: T0 + 600,
    expect: { verdict: 'pass' },
  },
  {
    name: 'window end: too little traffic',
    rules: [spikeP1],
    obs: { series: { ...calm, throughput: minutes(0.2, 0.4, 0.3) } },
    set: { minEvidence: { throughput: 1, samples: 3, requests: 0, extend: 0 } },
    now: T0 + 600,
    expect: { verdict: 'inconclusive', reason: 'not enough traffic: mean 0.3 req/s < 1 req/s over the window' },
  },
  {
    name: 'window end: no throughput data is not too little traffic',
    rules: [spikeP1],
    obs: { series: calm },
    set: { minEvidence: { throughput: 1, samples: 3, requests: 0, extend: 0 } },
    now: T0 + 600,
    expect: { verdict: 'pass' },
  },
  {
    name: 'window end: a failing finding outranks missing evidence',
    rules: [slowP2],
    obs: { series: { latency_p95: minutes(2000) } },
    now: T0 + 600,
    expect: { verdict: 'fail', severity: 'P2' },
  },
  {
    name: 'window not a whole number of intervals: the window end is the last step',
    rules: [spikeP1],
    obs: { series: calm },
    set: { window: 150 },
    now: T0 + 1000,
    expect: {
      state: 'done',
      verdict: 'inconclusive',
      evaluatedAt: T0 + 150,
      windowEnd: T0 + 150,
      reason: 'not enough evidence: 2 error_rate points in the window, need 3',
    },
  },
  {
    name: 'before the deploy started: nothing evaluated yet',
    rules: [spikeP1],
    obs: { series: calm },
    now: T0 - 10,
    expect: { state: 'watching', verdict: null, evaluatedAt: T0, windowEnd: T0 + 600, findings: [], reason: null },
  },
  {
    name: 'a rule whose metric has no data finds nothing, and there is nothing to pass the deploy on',
    rules: [rule({ name: 'mem', metric: 'memory', severity: 'P1', when: 'value > 0.8' })],
    obs: { series: calm },
    now: T0 + 600,
    expect: { verdict: 'inconclusive', findings: [], reason: 'not enough evidence: 0 memory points in the window, need 3' },
  },
  {
    name: 'severity: the highest among findings',
    rules: [errP3, slowP2],
    obs: { series: { ...calm, error_rate: minutes(0.006), latency_p95: minutes(100, 2000) } },
    now: T0 + 300,
    expect: { state: 'watching', severity: 'P2', findings: [{ severity: 'P3' }, { severity: 'P2' }] },
  },
];

const blindCases: Case[] = [
  {
    name: 'blind on error_rate: inconclusive, not rollback',
    rules: [spikeP1],
    obs: {
      series: { latency_p95: calm.latency_p95 },
      blind: [
        { metric: 'error_rate', at: T0 + 180, kind: 'error', message: 'prometheus: HTTP 503' },
        { metric: 'error_rate', at: T0 + 120, kind: 'error', message: 'prometheus: HTTP 503' },
      ],
    },
    now: T0 + 600,
    expect: {
      state: 'done',
      verdict: 'inconclusive',
      severity: 'P3',
      rollback: false,
      rollbackAt: null,
      reason: 'metric source blind: error_rate unknown: the metric source failed (prometheus: HTTP 503) at 2 steps',
      findings: [
        {
          rule: 'source-blind:error_rate',
          metric: 'error_rate',
          severity: 'P3',
          at: T0 + 120,
          observed: null,
          baseline: null,
          condition: 'prometheus: HTTP 503',
          kind: 'blind',
        },
      ],
    },
  },
  {
    name: 'blind never rolls back, even where the P3 policy would',
    rules: [],
    obs: { series: calm, blind: [{ metric: 'error_rate', at: T0 + 60, kind: 'no-data', message: '' }] },
    set: { severities: { ...POLICY, P3: { rollback: true, failsVerdict: true, alert: [] } } },
    now: T0 + 600,
    expect: { verdict: 'inconclusive', rollback: false, findings: [{ condition: 'source returned no data', kind: 'blind' }] },
  },
  {
    name: 'blind on cpu only: still a pass, with the blind finding',
    rules: [spikeP1],
    obs: { series: calm, blind: [{ metric: 'cpu', at: T0 + 60, kind: 'no-data', message: 'no series' }] },
    now: T0 + 600,
    expect: {
      verdict: 'pass',
      severity: 'P3',
      findings: [{ metric: 'cpu', kind: 'blind', summary: 'cpu unknown: the metric source returned no data at 1 step' }],
    },
  },
  {
    name: 'blind spots after now are not seen yet',
    rules: [spikeP1],
    obs: { series: calm, blind: [{ metric: 'error_rate', at: T0 + 240, kind: 'no-data', message: '' }] },
    now: T0 + 200,
    expect: { state: 'watching', findings: [] },
  },
];

describe('judge', () => {
  for (const [group, cases] of [
    ['conditions', conditionCases],
    ['for durations and steps', forCases],
    ['rollback and verdicts', verdictCases],
    ['blind spots', blindCases],
  ] as const) {
    describe(group, () => {
      it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
        const result = judge(ruleSet(c.rules, c.set), DEPLOY, c.obs, c.now);
        expect(result).toMatchObject(c.expect);
      });
    });
  }

  it('is pure: the same inputs give the same judgement, and inputs are not modified', () => {
    const obs: Observations = { series: { error_rate: minutes(0.02, 0.02, 0.02) } };
    const before = JSON.stringify(obs);
    const a = judge(ruleSet([spikeP1]), DEPLOY, obs, T0 + 600);
    const b = judge(ruleSet([spikeP1]), DEPLOY, obs, T0 + 600);
    expect(a).toEqual(b);
    expect(JSON.stringify(obs)).toBe(before);
  });

  it('judging at each step agrees with judging the whole window (live equals replay)', () => {
    const obs: Observations = { series: { ...calm, error_rate: minutes(0.001, 0.001, 0.02, 0.02, 0.02, 0.02) } };
    const rules = ruleSet([errP3, spikeP1]);
    const whole = judge(rules, DEPLOY, obs, T0 + 600);
    let live: Judgement | undefined;
    for (let now = T0; now <= T0 + 600; now += 60) {
      live = judge(rules, DEPLOY, obs, now);
      if (live.state === 'done') break;
    }
    expect(live).toEqual(whole);
    expect(whole.rollbackAt).toBe(T0 + 240);
  });

  it('refuses a non-positive interval instead of looping', () => {
    expect(() => judge(ruleSet([], { interval: 0 }), DEPLOY, { series: {} }, T0 + 600)).toThrow(/interval must be a positive/);
  });
});
