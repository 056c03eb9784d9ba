// `test: requests` at one step: did the service stop serving? Requests in the lookback against the baseline's.
import { formatDuration } from '../rules/duration.js';
import type { BaselineSample } from './baseline.js';
import { whenHolds } from './conditions.js';
import { breachOutcome, CLEAR, GAP, type StepOutcome } from './outcome.js';
import type { RuleContext } from './rule-context.js';
import type { Silence } from './silence.js';
import { requestTest, silentStepsTest } from './stats/request-test.js';
import { formatNumber } from './summary.js';

/** The part of a rule's context this check reads. */
export type RequestContext = Pick<RuleContext, 'rule' | 'interval' | 'startedAt'>;

/**
 * Judges step t of a `test: requests` rule (a throughput metric, in req/s), seeing only steps up to t:
 * 1. each step of the lookback (t, t - interval, …) served throughput x interval requests, 0 if the service was
 *    silent there (src/judge/silence.ts), unknown if neither (a gap, or a blind source);
 * 2. fewer than two known steps, or any unknown step, is a gap: a single point never decides an outage;
 * 3. observed = requests / seconds of the known steps; the `when` conditions hold on it against the baseline median;
 * 4. the count test (stats/request-test.ts) must reject "still serving baseline x (1 - tolerance)" at 1 - confidence.
 * Without throughput before the deploy (no data to count), the lookback's steps must all be silent and silence
 * must have been rare before the deploy (silent-steps test); the conditions then see 0 against a baseline of 1.
 */
export function checkRequests(ctx: RequestContext, silence: Silence, baseline: BaselineSample | null, t: number): StepOutcome {
  const { rule, interval } = ctx;
  const lookback = rule.lookback ?? 2 * interval;
  // The lookback's steps t, t - interval, … after the deploy: counted and summed without an array (most are clear).
  let n = 0;
  for (let s = t; s > t - lookback + 1e-6 && s > ctx.startedAt; s -= interval) n++;
  if (n < 2) return GAP;
  const alpha = 1 - rule.confidence;
  if (!silence.reported('throughput') || baseline === null) return silentSteps(ctx, silence, lookbackSteps(t, n, interval), alpha);
  let requests = 0;
  for (let s = t, k = 0; k < n; s -= interval, k++) {
    const r = silence.requestsAt(s);
    if (r === null) return GAP;
    requests += r;
  }
  const observed = requests / (n * interval);
  const center = baseline.evidence.median;
  if (!(observed < center) || !whenHolds(rule.when, observed, center)) return CLEAR;
  const r = requestTest({ requests, steps: n, baselineCounts: baseline.values.map((v) => v * interval), tolerance: rule.tolerance });
  if (r === null || !(r.pValue < alpha)) return CLEAR;
  const silent = lookbackSteps(t, n, interval).filter((s) => silence.serviceSilentAt(s)).length;
  const served = `${Math.round(requests)} requests in ${formatDuration(n * interval)}`;
  const summary = `${silent === n ? 'the service went silent' : 'requests fell to near zero'}: ${served}, ${formatNumber(r.expected)} expected even at ${formatNumber(100 * (1 - rule.tolerance))}% of the baseline (${formatNumber(center)} req/s)`;
  return breachOutcome({
    observed,
    baseline,
    test: { test: 'requests', requests: Math.round(requests), steps: n, expected: r.expected, dispersion: r.dispersion, pValue: r.pValue },
    points: n,
    summary,
    note: silent > 0 ? `${silent} of ${n} steps silent: the source answered without data, counted as 0 requests` : undefined,
  });
}

/** The n lookback steps t, t - interval, … (by repeated subtraction, as checkRequests walks them). */
function lookbackSteps(t: number, n: number, interval: number): number[] {
  const steps: number[] = [];
  for (let s = t, k = 0; k < n; s -= interval, k++) steps.push(s);
  return steps;
}

/** No throughput to count: every step of the lookback silent, and silence rare before the deploy. */
function silentSteps(ctx: RequestContext, silence: Silence, steps: readonly number[], alpha: number): StepOutcome {
  const silent = steps.filter((s) => silence.serviceSilentAt(s)).length;
  if (silent < steps.length || !whenHolds(ctx.rule.when, 0, 1)) return CLEAR;
  const before = silence.historySilence();
  const pValue = silentStepsTest(silent, steps.length, before.silent, before.steps);
  if (!(pValue < alpha)) return CLEAR;
  const metrics = silence.requestMetrics().join(' and ');
  return breachOutcome({
    observed: 0,
    baseline: null,
    test: { test: 'silent-steps', silent, steps: steps.length, baselineSilent: before.silent, baselineSteps: before.steps, pValue },
    points: 0,
    summary: `the service went silent: no ${metrics} data for ${formatDuration(steps.length * ctx.interval)} while the source answers (silent at ${before.silent} of ${before.steps} steps before the deploy)`,
    note: 'no throughput data: judged on silent steps instead of request counts',
  });
}
