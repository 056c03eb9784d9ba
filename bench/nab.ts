// Real-noise benchmark (`npm run bench:nab`): the judge's old and new rules on recordings built from NAB's real
// series (bench/nab-set.ts): recall, false rollbacks, false alerts and detection delay, and a curve over alpha.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { judge } from '../src/judge/judge.js';
import type { Judgement } from '../src/judge/types.js';
import { formatDuration } from '../src/rules/duration.js';
import { Baseline, BUILTIN_METRICS, Rule, RULE_DEFAULTS, type RuleSet } from '../src/rules/schema.js';
import { markdown, mins, pct } from './format.js';
import { buildNabSet, NAB_OPTIONS, nabDir, type NabCase } from './nab-set.js';

/** One way of judging the KPI: a name and the rule, given the series' interval. */
export interface NabJudge {
  name: string;
  rule: (interval: number) => Record<string, unknown>;
}

const d = (seconds: number): string => formatDuration(seconds);
const moved = (pct: number): Record<string, string[]> => ({ any: [`change > ${pct}%`, `change < -${pct}%`] });
const baselineSpan = (i: number): string => d(NAB_OPTIONS.baselinePoints * i);

/** The plain rule: moved more than `pct`% from the pre-deploy level, Mann-Whitney p < 0.001, held 3 steps. */
export const oldRule = (pct: number): NabJudge => ({
  name: `v1: ${pct}% + Mann-Whitney p<0.001 for 3 steps, pre-deploy`,
  rule: (i) => ({ when: moved(pct), lookback: d(3 * i), test: 'mann-whitney', confidence: 0.999, for: d(2 * i), baseline: { duration: baselineSpan(i) } }),
});

/** The new rule: the same effect size, an anytime-valid conformal test, a pre-deploy, seasonal (1d x 3) or trend-aware baseline. */
export const sequentialRule = (pct: number, alpha: number, baseline: 'pre-deploy' | 'seasonal' | 'seasonal+trend'): NabJudge => ({
  name: `v2: ${pct}% + sequential-shift alpha=${alpha}, ${baseline}`,
  rule: (i) => ({
    when: moved(pct),
    lookback: d(3 * i),
    test: 'sequential-shift',
    alpha,
    baseline: { kind: baseline === 'pre-deploy' ? 'pre-deploy' : 'seasonal', duration: baselineSpan(i), trend: baseline === 'seasonal+trend' },
  }),
});

function ruleSet(j: NabJudge, interval: number): RuleSet {
  const rule = Rule.parse({ name: 'kpi-moved', metric: 'kpi', severity: 'P1', ...j.rule(interval) });
  return {
    sources: ['bench/nab.ts'],
    source: null,
    window: NAB_OPTIONS.windowPoints * interval,
    interval,
    baseline: Baseline.parse({ duration: baselineSpan(interval) }),
    minEvidence: { throughput: 0, samples: 3, requests: 0, extend: 0 },
    metrics: { ...BUILTIN_METRICS, kpi: { unit: '', direction: 'either' } },
    severities: {
      P0: { rollback: true, failsVerdict: true, alert: [] },
      P1: { rollback: true, failsVerdict: true, alert: [] },
      P2: { rollback: false, failsVerdict: true, alert: [] },
      P3: { rollback: false, failsVerdict: false, alert: [] },
    },
    rules: [rule],
    hooks: { rollback: [] },
    recovery: RULE_DEFAULTS.recovery,
  };
}

export interface NabScore {
  name: string;
  healthy: number;
  bad: number;
  recall: number;
  falseRollbacks: number;
  falseAlerts: number;
  /** Minutes from the labelled anomaly to the rollback, over caught bad deploys. */
  medianDelay: number | null;
  seconds: number;
}

/** Judges every case with one rule (replay semantics: the whole window, step by step, never the future). */
export function scoreNab(cases: readonly NabCase[], j: NabJudge): NabScore {
  const started = performance.now();
  const sets = new Map<number, RuleSet>();
  const outcomes = cases.map((c) => {
    const interval = c.label.interval;
    if (!sets.has(interval)) sets.set(interval, ruleSet(j, interval));
    const rules = sets.get(interval)!;
    const result: Judgement = judge(rules, c.recording.deploy, { series: c.recording.series }, c.recording.deploy.startedAt + rules.window);
    return { c, result };
  });
  const healthy = outcomes.filter((o) => o.c.label.kind === 'healthy');
  const bad = outcomes.filter((o) => o.c.label.kind === 'bad');
  const delays = bad
    .filter((o) => o.result.rollback)
    .map((o) => Math.max(0, (o.result.rollbackAt! - o.c.label.onset!) / 60))
    .sort((a, b) => a - b);
  return {
    name: j.name,
    healthy: healthy.length,
    bad: bad.length,
    recall: bad.filter((o) => o.result.rollback).length / Math.max(1, bad.length),
    falseRollbacks: healthy.filter((o) => o.result.rollback).length / Math.max(1, healthy.length),
    falseAlerts: healthy.filter((o) => o.result.findings.some((f) => f.kind === 'breach')).length / Math.max(1, healthy.length),
    medianDelay: delays.length === 0 ? null : delays[delays.length >> 1]!,
    seconds: (performance.now() - started) / 1000,
  };
}

export function nabTable(scores: readonly NabScore[]): string {
  const rows = scores.map((s) => [s.name, pct(s.recall), pct(s.falseRollbacks), pct(s.falseAlerts), mins(s.medianDelay)]);
  return markdown([['rules (NAB real noise)', 'recall', 'false rollbacks', 'false alerts', 'median anomaly -> rollback'], ...rows]);
}

/** The judges the benchmark reports: old and new at three effect sizes (the recall / false-rollback curve). */
export const NAB_JUDGES: NabJudge[] = [
  ...[20, 50, 100].map(oldRule),
  sequentialRule(20, 0.01, 'seasonal+trend'),
  ...[20, 50, 100].map((pct) => sequentialRule(pct, 0.01, 'seasonal')),
  sequentialRule(100, 0.01, 'pre-deploy'),
];

async function main(): Promise<void> {
  const { values: args } = parseArgs({ options: { json: { type: 'boolean', default: false } } });
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const dir = nabDir(root);
  if (dir === null) {
    process.stderr.write('bench:nab: NAB data not found; set NAB_DIR to the folder holding data/ and labels/ (see ../shared/data/nab/README.md)\n');
    process.exitCode = 1;
    return;
  }
  const cases = await buildNabSet(dir);
  const scores = NAB_JUDGES.map((j) => scoreNab(cases, j));
  if (args.json) {
    process.stdout.write(`${JSON.stringify({ cases: cases.length, scores })}\n`);
    return;
  }
  const s = scores[0]!;
  const files = new Set(cases.map((c) => c.label.file)).size;
  process.stdout.write(
    `\nReal-noise benchmark (NAB, MIT, numenta/NAB ea702d7): ${files} series, ${s.bad} bad deploys at labelled anomalies, ${s.healthy} healthy deploys away from anomaly windows; window ${NAB_OPTIONS.windowPoints} points, baseline ${NAB_OPTIONS.baselinePoints} points at each series' own resolution; KPI direction either\n\n`,
  );
  process.stdout.write(`${nabTable(scores)}\n`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
