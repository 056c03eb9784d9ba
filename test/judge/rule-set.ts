// Test helper: RuleSets and series built by hand, through the real rule schema, for table-driven judge tests.
import type { Deploy, Point } from '../../src/judge/types.js';
import { BUILTIN_METRICS, Rule, type RuleSet } from '../../src/rules/schema.js';

/** A deploy started at T0. */
export const T0 = 1_000_000;

export const DEPLOY: Deploy = { id: 'd-1', service: 'checkout', environment: 'production', version: 'v2', startedAt: T0 };

/** The default policy: P0/P1 roll back, P0–P2 fail the verdict, P3 is recorded only. */
export const POLICY: RuleSet['severities'] = {
  P0: { rollback: true, failsVerdict: true, alert: [] },
  P1: { rollback: true, failsVerdict: true, alert: [] },
  P2: { rollback: false, failsVerdict: true, alert: [] },
  P3: { rollback: false, failsVerdict: false, alert: [] },
};

/** A rule as written in YAML (`when` text, durations as strings, any other option), parsed by the real schema. */
export function rule(input: { name: string; metric: string; severity: string; when: unknown; for?: string } & Record<string, unknown>): Rule {
  return Rule.parse(input);
}

/** A RuleSet: 10-minute window, 1-minute interval, 10-minute baseline, 3 samples, no traffic floor. */
export function ruleSet(rules: Rule[], overrides: Partial<RuleSet> = {}): RuleSet {
  return {
    sources: ['test'],
    source: null,
    window: 600,
    interval: 60,
    baseline: { kind: 'pre-deploy', duration: 600, deploys: 3, minPoints: 10 },
    minEvidence: { throughput: 0, samples: 3, requests: 0, extend: 0 },
    metrics: { ...BUILTIN_METRICS },
    severities: POLICY,
    rules,
    hooks: { rollback: [] },
    recovery: { window: 600 },
    ...overrides,
  };
}

/** Points at T0 + offset seconds. */
export function at(...points: Array<[offset: number, value: number]>): Point[] {
  return points.map(([dt, v]) => [T0 + dt, v]);
}

/** One point a minute after the deploy (minute 1, 2, …); null leaves a gap. */
export function minutes(...values: Array<number | null>): Point[] {
  const points: Point[] = [];
  values.forEach((v, i) => {
    if (v !== null) points.push([T0 + (i + 1) * 60, v]);
  });
  return points;
}

/** A flat pre-deploy history: one point a minute over the 10 minutes before T0. */
export function history(value: number): Point[] {
  return Array.from({ length: 10 }, (_, i): Point => [T0 - 600 + i * 60, value]);
}
