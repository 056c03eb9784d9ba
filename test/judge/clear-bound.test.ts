// The bound that lets the step check call a rule clear without judging each step (src/judge/clear-bound.ts): sound
// for any values, conditions and baselines, and never changing an outcome on the benchmark's scenarios.
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { recordingObservations } from '../../src/cli/replay.js';
import { cannotBreach, valueConditionsCannotHold, valueRange } from '../../src/judge/clear-bound.js';
import { whenHolds } from '../../src/judge/conditions.js';
import { ruleContext } from '../../src/judge/evaluate-rule.js';
import { ruleInput } from '../../src/judge/judge.js';
import { Silence } from '../../src/judge/silence.js';
import { checkStep, harmful, majorityValue } from '../../src/judge/step-check.js';
import { windowSteps } from '../../src/judge/steps.js';
import { loadRules, resolveRules } from '../../src/rules/index.js';
import { When, type Direction } from '../../src/rules/schema.js';
import { benchmarkRuleDirs } from '../scenarios/fixed-threshold.js';
import { generateScenarios } from '../scenarios/generate.js';

const ROOT = join(import.meta.dirname, '..', '..');
const when = (w: unknown) => When.parse(w);

describe('cannotBreach', () => {
  it('is true when no value in the range moves in the harmful direction, or the conditions fail throughout it', () => {
    // Latency 100..118 against a median of 100: never 20% above it, and never above it at all for a decrease.
    expect(cannotBreach(when('change > 20%'), 'increase', [100], null, 100, 118)).toBe(true);
    expect(cannotBreach(when('change > 20%'), 'increase', [100], null, 100, 121)).toBe(false);
    expect(cannotBreach(when('change < -50%'), 'decrease', [100], null, 100, 130)).toBe(true);
    expect(cannotBreach(when('change < -50%'), 'decrease', [100], null, 40, 130)).toBe(false);
    // all: one condition failing throughout is enough; any: each must.
    expect(cannotBreach(when({ all: ['value > 0.01', 'ratio > 5'] }), 'increase', [0.001], null, 0, 0.009)).toBe(true);
    expect(cannotBreach(when({ all: ['value > 0.01', 'ratio > 5'] }), 'increase', [0.001], null, 0, 0.02)).toBe(false);
    expect(cannotBreach(when({ any: ['value > 0.5', 'ratio > 5'] }), 'increase', [0.01], null, 0, 0.04)).toBe(true);
    expect(cannotBreach(when({ any: ['value > 0.5', 'ratio > 5'] }), 'increase', [0.01], null, 0, 0.06)).toBe(false);
  });

  it('is false for a slope condition alone (it does not depend on the observed value) and judges every centre given', () => {
    expect(cannotBreach(when('slope > 0.2'), 'increase', [0.5], null, 0.5, 0.6)).toBe(false);
    expect(cannotBreach(when({ all: ['change > 5%', 'slope > 0.2'] }), 'increase', [0.5], null, 0.5, 0.52)).toBe(true);
    // The pooled rate of an error-count rule may be the centre as well as the median: clear against both, or not at all.
    expect(cannotBreach(when('ratio > 5'), 'increase', [0.001], null, 0, 0.004)).toBe(true);
    expect(cannotBreach(when('ratio > 5'), 'increase', [0.001, 0.0005], null, 0, 0.004)).toBe(false);
    // No baseline: ratio and change conditions cannot hold, value conditions are judged on their own.
    expect(cannotBreach(when('ratio > 5'), 'increase', [null], null, 0, 100)).toBe(true);
    expect(cannotBreach(when('value >= 0.25'), 'increase', [null], null, 0, 0.3)).toBe(false);
  });

  const subject = fc.constantFrom('value', 'ratio', 'change', 'z');
  const op = fc.constantFrom('>', '>=', '<', '<=');
  const threshold = fc.oneof(fc.constantFrom(0, 1, -1, 5, 0.01), fc.double({ min: -1000, max: 1000, noNaN: true }));
  const condition = fc.tuple(subject, op, threshold).map(([s, o, t]) => `${s} ${o} ${Number(t.toPrecision(6))}${s === 'change' ? '%' : ''}`);
  const value = fc.oneof(fc.constantFrom(0, -0, 1, -1, 0.5), fc.double({ min: -1e6, max: 1e6, noNaN: true }));

  it('never calls a rule clear that some observed value in the range would breach (property)', () => {
    let clear = 0;
    fc.assert(
      fc.property(
        fc.array(condition, { minLength: 1, maxLength: 3 }),
        fc.boolean(),
        fc.constantFrom<Direction>('increase', 'decrease', 'either'),
        fc.array(fc.option(value, { nil: null }), { minLength: 1, maxLength: 2 }),
        fc.option(fc.double({ min: 0, max: 100, noNaN: true }), { nil: null }),
        fc.array(value, { minLength: 1, maxLength: 8 }),
        (conditions, all, direction, centers, spread, values) => {
          const w = when(all ? { all: conditions } : { any: conditions });
          const range = valueRange(
            values.map((v, i) => [i, v]),
            -1,
          )!;
          if (!cannotBreach(w, direction, centers, spread, range.lo, range.hi)) return;
          clear++;
          // What a step may observe: any point, and the majority value of any run of them (a mean of two for `either`).
          const observed = [...values];
          for (let i = 0; i < values.length; i++) for (let j = i + 1; j <= values.length; j++) observed.push(majorityValue(values.slice(i, j), direction));
          for (const center of centers)
            for (const x of observed) {
              const breaches = (center === null || harmful(direction, x, center)) && whenHolds(w, x, center, null, spread);
              expect(breaches, `${JSON.stringify({ w, direction, center, spread, x })}`).toBe(false);
            }
        },
      ),
      { numRuns: 3000, seed: 20261130 },
    );
    // The property was put to the test, not passed by never calling a rule clear.
    expect(clear).toBeGreaterThan(500);
  });

  it('calls a rule clear on its value conditions alone only when no value in the range meets them, whatever the centre (property)', () => {
    expect(valueConditionsCannotHold(when({ all: ['value > 0.01', 'ratio > 5'] }), 0, 0.009)).toBe(true);
    expect(valueConditionsCannotHold(when({ all: ['value > 0.01', 'ratio > 5'] }), 0, 0.02)).toBe(false);
    expect(valueConditionsCannotHold(when('ratio > 5'), 0, 0.001)).toBe(false);
    expect(valueConditionsCannotHold(when({ any: ['value > 0.5', 'ratio > 5'] }), 0, 0.1)).toBe(false);
    let clear = 0;
    fc.assert(
      fc.property(
        fc.array(condition, { minLength: 1, maxLength: 3 }),
        fc.boolean(),
        fc.array(fc.option(value, { nil: null }), { minLength: 1, maxLength: 3 }),
        fc.array(value, { minLength: 1, maxLength: 8 }),
        (conditions, all, centers, values) => {
          const w = when(all ? { all: conditions } : { any: conditions });
          const range = valueRange(
            values.map((v, i) => [i, v]),
            -1,
          )!;
          if (!valueConditionsCannotHold(w, range.lo, range.hi)) return;
          clear++;
          for (const center of centers)
            for (const x of values)
              expect(
                whenHolds(w, x, center, () => 1, 1),
                JSON.stringify({ w, center, x }),
              ).toBe(false);
        },
      ),
      { numRuns: 3000, seed: 20261130 },
    );
    expect(clear).toBeGreaterThan(150);
  });

  it('takes no range from values that are not finite numbers of modest size, nor from no values', () => {
    expect(valueRange([[1, 1e301]], 0)).toBeNull();
    expect(valueRange([[1, NaN]], 0)).toBeNull();
    expect(valueRange([[1, 5]], 1)).toBeNull();
    expect(
      valueRange(
        [
          [1, 5],
          [2, -3],
          [3, 4],
        ],
        0,
      ),
    ).toStrictEqual({ lo: -3, hi: 5 });
    expect(
      valueRange(
        [
          [1, 5],
          [2, -3],
          [3, 4],
        ],
        2,
      ),
    ).toStrictEqual({ lo: 4, hi: 4 });
  });
});

describe('the step check with and without the bound', () => {
  // Every rule at every step of the window (extension included) of two scenarios of each type, under the shipped
  // rules, the v1 rules and fixed thresholds: the outcome with the bound is the outcome judged step by step.
  const scenarios = generateScenarios({ seed: 20251120, healthyPerType: 2, badPerType: 2 });
  for (const [name, dir] of benchmarkRuleDirs(ROOT)) {
    it(`gives the same outcomes on the benchmark scenarios under ${name}`, { timeout: 300_000 }, async () => {
      const loaded = await loadRules(dir);
      let quietSteps = 0;
      let otherSteps = 0;
      for (const s of scenarios) {
        const { deploy } = s.recording;
        const rules = resolveRules(loaded, deploy);
        const obs = recordingObservations(s.recording);
        const nominalEnd = deploy.startedAt + rules.window;
        const steps = windowSteps(deploy.startedAt, rules.interval, nominalEnd, nominalEnd + rules.minEvidence.extend, Infinity);
        const silence = new Silence({ series: obs.series, blind: [], startedAt: deploy.startedAt, interval: rules.interval, history: rules.baseline.duration });
        for (const rule of rules.rules) {
          const input = ruleInput(rules, rule, obs, silence, deploy.startedAt, steps);
          const bounded = ruleContext(input);
          const stepwise = { ...ruleContext(input), quiet: false };
          for (const t of steps) {
            const outcome = checkStep(bounded, t);
            expect(outcome, `${s.label.id} ${rule.name} at ${t}`).toStrictEqual(checkStep(stepwise, t));
            if (bounded.quiet && outcome.kind === 'clear') quietSteps++;
            else otherSteps++;
          }
        }
      }
      // The bound does the work on most steps, and leaves plenty to the step-by-step check.
      expect(quietSteps).toBeGreaterThan(otherSteps / 4);
      expect(otherSteps).toBeGreaterThan(1000);
    });
  }
});
