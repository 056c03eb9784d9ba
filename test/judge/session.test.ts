// The incremental judge (JudgeSession) gives exactly judge()'s answer, tick after tick, on the benchmark's scenarios,
// the fixture recordings and random series, also when points arrive late or history changes.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { recordingObservations } from '../../src/cli/replay.js';
import { judge } from '../../src/judge/judge.js';
import { JudgeSession, JudgeSessions } from '../../src/judge/session.js';
import type { Deploy, Observations, Point, SeriesSet } from '../../src/judge/types.js';
import { readRecording } from '../../src/recording/read.js';
import { loadRules, resolveRules } from '../../src/rules/index.js';
import type { RuleSet } from '../../src/rules/schema.js';
import { benchmarkRuleDirs } from '../scenarios/fixed-threshold.js';
import { generateScenarios } from '../scenarios/generate.js';
import { defaultPolicy } from './default-policy.js';
import { DEPLOY, T0, rule, ruleSet } from './rule-set.js';

const ROOT = join(import.meta.dirname, '..', '..');

/** What the live watcher would have stored by series time `now`: every point at or before it. */
function upTo(obs: Observations, now: number): Observations {
  const cut = (set: SeriesSet): SeriesSet => Object.fromEntries(Object.entries(set).map(([m, points]) => [m, points.filter((p) => p[0] <= now)]));
  return { ...obs, series: cut(obs.series), ...(obs.control ? { control: cut(obs.control) } : {}) };
}

/**
 * Judges at every step from the deploy to past the window's end (extension included), as the live watcher does,
 * incrementally and from scratch, and expects the same judgement each time; answers how many steps were compared.
 */
function compareEveryStep(rules: RuleSet, deploy: Deploy, obs: Observations, what: string): number {
  const session = new JudgeSession(rules, deploy);
  const end = deploy.startedAt + rules.window + rules.minEvidence.extend + rules.interval;
  let steps = 0;
  for (let now = deploy.startedAt; now <= end; now += rules.interval) {
    const seen = upTo(obs, now);
    expect(session.judgeAt(seen, now), `${what} at step ${(now - deploy.startedAt) / rules.interval}`).toStrictEqual(judge(rules, deploy, seen, now));
    steps++;
  }
  return steps;
}

describe('JudgeSession equals judge() at every step', () => {
  // The detection benchmark's scenario set (bench/detection.ts: seed 20251120) under its three rule sets, two scenarios
  // of every type; bench/judge.ts checks all of them (45 healthy and 30 bad a type) in `npm run bench`.
  const scenarios = generateScenarios({ seed: 20251120, healthyPerType: 2, badPerType: 2 });
  for (const [name, dir] of benchmarkRuleDirs(ROOT)) {
    it(`on the benchmark scenarios under ${name}`, { timeout: 300_000 }, async () => {
      const loaded = await loadRules(dir);
      let compared = 0;
      const verdicts = new Set<string>();
      for (const s of scenarios) {
        const { deploy } = s.recording;
        const rules = resolveRules(loaded, deploy);
        compared += compareEveryStep(rules, deploy, recordingObservations(s.recording), s.label.id);
        verdicts.add(String(judge(rules, deploy, recordingObservations(s.recording), deploy.startedAt + 1e9).verdict));
      }
      expect(scenarios.length).toBeGreaterThan(40);
      expect(compared).toBeGreaterThan(scenarios.length * 30);
      // The set is not trivially uniform: passes and fails (and rollbacks) are among the verdicts compared.
      expect(verdicts).toContain('pass');
      expect(verdicts).toContain('fail');
    });
  }

  it('on the fixture recordings under the default policy', async () => {
    const dir = join(ROOT, 'test', 'fixtures', 'recordings');
    const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThanOrEqual(3);
    for (const file of files) {
      const recording = await readRecording(join(dir, file));
      expect(compareEveryStep(defaultPolicy(), recording.deploy, recordingObservations(recording), file)).toBeGreaterThan(30);
    }
  });
});

// Random series and rule sets covering every kind of baseline, test and persistence the judge has.
const ERR = rule({
  name: 'err',
  metric: 'error_rate',
  severity: 'P1',
  when: { all: ['ratio > 3', 'value > 0.01'] },
  lookback: '2m',
  test: 'counts',
  confidence: 0.99,
});
const LAT = rule({ name: 'lat', metric: 'latency_p95', severity: 'P2', when: 'change > 20%', lookback: '3m', test: 'mann-whitney', for: '2m', clearAfter: 2 });
const CPU = rule({
  name: 'cpu',
  metric: 'cpu',
  per: 'throughput',
  severity: 'P3',
  when: 'change > 20%',
  lookback: '3m',
  test: 'mann-whitney',
  breaches: '2 of 4',
  warmup: '2m',
});
const SILENT = rule({
  name: 'silent',
  metric: 'throughput',
  severity: 'P0',
  when: 'ratio < 0.1',
  lookback: '2m',
  test: 'requests',
  tolerance: 0.9,
  confidence: 0.999,
});
const CONTROL = rule({
  name: 'ctl',
  metric: 'latency_p95',
  severity: 'P2',
  when: 'ratio > 1.5',
  lookback: '2m',
  test: 'mann-whitney',
  baseline: { kind: 'control', duration: '10m', minPoints: 3 },
});
const SEASONAL = rule({
  name: 'seasonal',
  metric: 'latency_p95',
  severity: 'P3',
  when: 'change > 30%',
  baseline: { kind: 'seasonal', duration: '10m', period: '20m', periods: 1, minPoints: 3 },
});
const TREND = rule({
  name: 'trend',
  metric: 'memory',
  severity: 'P3',
  when: { all: ['change > 5%', 'slope > 0.1'] },
  lookback: '4m',
  baseline: { kind: 'pre-deploy', duration: '10m', trend: true },
  breaches: '2 of 3',
});
const SEQ_COUNTS = rule({ name: 'seq-counts', metric: 'error_rate', severity: 'P2', when: 'ratio > 1.5', test: 'sequential-counts', alpha: 0.01 });
const SEQ_SHIFT = rule({ name: 'seq-shift', metric: 'latency_p95', severity: 'P2', when: 'change > 10%', test: 'sequential-shift', alpha: 0.05 });
const CLOSED = rule({ name: 'closed', metric: 'health', severity: 'P2', when: 'value < 0.5', failClosed: true, for: '1m' });
// A streak that starts in the warm-up counts its warm-up steps in how long the breach held (the session checks them only then).
const WARM = rule({ name: 'warm', metric: 'latency_p95', severity: 'P3', when: 'change > 10%', lookback: '2m', warmup: '3m', for: '1m' });
const ALL_RULES = [ERR, LAT, CPU, SILENT, CONTROL, SEASONAL, TREND, SEQ_COUNTS, SEQ_SHIFT, CLOSED, WARM];

const METRICS = ['error_rate', 'latency_p95', 'cpu', 'throughput', 'memory', 'health'] as const;
const LEVEL: Record<(typeof METRICS)[number], number> = { error_rate: 0.01, latency_p95: 200, cpu: 0.5, throughput: 20, memory: 500, health: 1 };

/** A series a minute apart from 40 minutes before the deploy to 25 after: noise, a step change from `onset`, gaps. */
const seriesArb = (metric: (typeof METRICS)[number]) =>
  fc
    .record({
      noise: fc.array(fc.double({ min: 0.8, max: 1.2, noNaN: true }), { minLength: 65, maxLength: 65 }),
      onset: fc.integer({ min: -5, max: 30 }),
      shift: fc.constantFrom(0, 0.3, 1, 3, -0.9),
      gaps: fc.array(fc.integer({ min: 0, max: 64 }), { maxLength: 8 }),
      // A few series sample every 30 s (their spacing is half the interval).
      half: fc.boolean(),
    })
    .map(({ noise, onset, shift, gaps, half }): Point[] => {
      const skip = new Set(gaps);
      const points: Point[] = [];
      noise.forEach((n, i) => {
        if (skip.has(i)) return;
        const minute = i - 40;
        const value = Math.max(0, LEVEL[metric] * n * (minute >= onset ? 1 + shift : 1));
        points.push([T0 + minute * 60, Number(value.toPrecision(4))]);
        if (half && i < 64) points.push([T0 + minute * 60 + 30, Number((value * n).toPrecision(4))]);
      });
      return points;
    });

const seriesSetArb = fc.record(Object.fromEntries(METRICS.map((m) => [m, seriesArb(m)])) as Record<(typeof METRICS)[number], fc.Arbitrary<Point[]>>);

describe('JudgeSession on random series (fast-check)', () => {
  it('equals judge() at every tick, with irregular ticks, late points and changed history', () => {
    fc.assert(
      fc.property(
        seriesSetArb,
        fc.option(seriesSetArb, { nil: undefined }),
        fc.subarray(ALL_RULES, { minLength: 1 }),
        fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 30, maxLength: 30 }),
        fc.array(
          fc.record({
            tick: fc.integer({ min: 1, max: 29 }),
            minute: fc.integer({ min: -12, max: 24 }),
            metric: fc.constantFrom(...METRICS),
            value: fc.double({ min: 0, max: 1000, noNaN: true }),
          }),
          { maxLength: 4 },
        ),
        fc.boolean(),
        (series, control, rules, jumps, late, extend) => {
          const set = ruleSet(rules, { window: 900, minEvidence: { throughput: 0, samples: 3, requests: 0, extend: extend ? 300 : 0 } });
          const session = new JudgeSession(set, DEPLOY);
          const live: SeriesSet = structuredClone(series);
          let now = T0;
          for (const [tick, jump] of jumps.entries()) {
            // A point recorded late (inside steps already judged, or in the history): it replaces or adds a point.
            for (const l of late.filter((x) => x.tick === tick)) {
              const points = live[l.metric]!;
              const t = T0 + l.minute * 60 + 15;
              const at = points.findIndex((p) => p[0] >= t);
              if (at < 0) points.push([t, l.value]);
              else points.splice(at, points[at]![0] === t ? 1 : 0, [t, l.value]);
            }
            const obs: Observations = upTo({ series: live, ...(control ? { control } : {}) }, now);
            const scratch = judge(set, DEPLOY, obs, now);
            expect(session.judgeAt(obs, now)).toStrictEqual(scratch);
            now += jump * 60;
          }
        },
      ),
      { numRuns: 60 },
    );
  }, 300_000);

  it("judging the same tick twice, or an earlier tick again, gives judge()'s answer", () => {
    fc.assert(
      fc.property(
        seriesSetArb,
        fc.subarray(ALL_RULES, { minLength: 1 }),
        fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 5, maxLength: 12 }),
        (series, rules, minutes) => {
          const set = ruleSet(rules, { window: 900 });
          const session = new JudgeSession(set, DEPLOY);
          const obs: Observations = { series };
          for (const m of minutes) expect(session.judgeAt(obs, T0 + m * 60)).toStrictEqual(judge(set, DEPLOY, obs, T0 + m * 60));
        },
      ),
      { numRuns: 40 },
    );
  }, 300_000);
});

describe("JudgeSessions (the watcher's per-watch cache)", () => {
  const history = (v: number): Point[] => Array.from({ length: 10 }, (_, i): Point => [T0 - 600 + i * 60, v]);
  const minutes = (...vs: number[]): Point[] => vs.map((v, i): Point => [T0 + (i + 1) * 60, v]);
  const obs: Observations = {
    series: { error_rate: [...history(0.002), ...minutes(0.001, 0.02, 0.03)], throughput: [...history(50), ...minutes(50, 50, 50)] },
  };
  const spike = rule({ name: 'spike', metric: 'error_rate', severity: 'P3', when: 'value > 0.01' });

  it('keeps one session per deploy while its rules are equal (a reload makes new, equal objects)', () => {
    const sessions = new JudgeSessions();
    const a = sessions.judge(ruleSet([spike]), DEPLOY, obs, T0 + 120);
    expect(a).toEqual(judge(ruleSet([spike]), DEPLOY, obs, T0 + 120));
    const b = sessions.judge(structuredClone(ruleSet([spike])), DEPLOY, obs, T0 + 180);
    expect(b).toEqual(judge(ruleSet([spike]), DEPLOY, obs, T0 + 180));
    expect(b.findings.map((f) => [f.rule, f.at])).toEqual([['spike', T0 + 120]]);
    expect(sessions.size).toBe(1);
    sessions.judge(ruleSet([spike]), { ...DEPLOY, id: 'd-2' }, obs, T0 + 180);
    expect(sessions.size).toBe(2);
    sessions.drop('d-2');
    sessions.drop(DEPLOY.id);
    expect(sessions.size).toBe(0);
  });

  it('starts over when the rules change (an SRE extends the window) and still equals judge()', () => {
    const sessions = new JudgeSessions();
    const short = ruleSet([spike], { window: 180 });
    expect(sessions.judge(short, DEPLOY, obs, T0 + 180)).toMatchObject({ state: 'done', verdict: 'pass' });
    const extended = { ...short, window: 600 };
    const j = sessions.judge(extended, DEPLOY, obs, T0 + 180);
    expect(j).toEqual(judge(extended, DEPLOY, obs, T0 + 180));
    expect(j.state).toBe('watching');
  });

  it('counts warm-up steps in a breach streak that started there, also when a late point changes one', () => {
    const warm = rule({ name: 'warm', metric: 'error_rate', severity: 'P3', when: 'value > 0.01', warmup: '3m', for: '1m' });
    const set = ruleSet([warm]);
    const session = new JudgeSession(set, DEPLOY);
    const breaching: Observations = { series: { error_rate: [...history(0.002), ...minutes(0.02, 0.03, 0.03, 0.03, 0.03)] } };
    const j = session.judgeAt(breaching, T0 + 300);
    expect(j).toEqual(judge(set, DEPLOY, breaching, T0 + 300));
    expect(j.findings[0]!.summary).toContain('for 4m');
    // A late point clears the first warm-up step: the streak is a minute shorter.
    const late: Observations = { series: { error_rate: [...history(0.002), ...minutes(0.001, 0.03, 0.03, 0.03, 0.03, 0.03)] } };
    const k = session.judgeAt(late, T0 + 360);
    expect(k).toEqual(judge(set, DEPLOY, late, T0 + 360));
    expect(k.findings[0]!.summary).toContain('for 3m');
  });

  it('re-judges a step whose point arrived late, and everything after a change in the history', () => {
    const session = new JudgeSession(ruleSet([spike]), DEPLOY);
    const before: Observations = { series: { error_rate: [...history(0.002), [T0 + 60, 0.001]] } };
    expect(session.judgeAt(before, T0 + 120).findings).toEqual([]);
    // The watcher's next fetch overlaps the last judged step: its point arrived late and breaches.
    const late: Observations = { series: { error_rate: [...history(0.002), [T0 + 60, 0.001], [T0 + 120, 0.05], [T0 + 180, 0.05]] } };
    const j = session.judgeAt(late, T0 + 180);
    expect(j).toEqual(judge(ruleSet([spike]), DEPLOY, late, T0 + 180));
    expect(j.findings.map((f) => f.at)).toEqual([T0 + 120]);
    // A history that changes (a restart re-read a different baseline) is judged anew.
    const rebased: Observations = { series: { error_rate: [...history(0.2), [T0 + 60, 0.001], [T0 + 120, 0.05], [T0 + 180, 0.05]] } };
    const ratio = rule({ name: 'ratio', metric: 'error_rate', severity: 'P3', when: 'ratio > 5' });
    const s2 = new JudgeSession(ruleSet([ratio]), DEPLOY);
    expect(s2.judgeAt(late, T0 + 180).findings).toHaveLength(1);
    expect(s2.judgeAt(rebased, T0 + 180)).toEqual(judge(ruleSet([ratio]), DEPLOY, rebased, T0 + 180));
    expect(s2.judgeAt(rebased, T0 + 180).findings).toEqual([]);
  });
});
