// A/A simulation and detection delay (`npm run bench:aa`): how often each sequential rule flags a deploy that
// changed nothing (must be <= its alpha, within binomial error), and how fast it catches the synthetic regressions
// compared with the fixed-sample test it replaces.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { judge } from '../src/judge/judge.js';
import type { Recording } from '../src/judge/types.js';
import { loadRules } from '../src/rules/load.js';
import { resolveRules } from '../src/rules/resolve.js';
import { Rule, type RuleSet } from '../src/rules/schema.js';
import { generateScenarios } from '../test/scenarios/generate.js';
import { Random } from '../test/scenarios/random.js';
import { randomService, sample } from '../test/scenarios/service.js';
import { markdown, mins, pct } from './format.js';

const { values: args } = parseArgs({
  options: { deploys: { type: 'string', default: '10000' }, seed: { type: 'string', default: '20261129' }, rules: { type: 'string', default: 'rules' } },
});

/** A rule that flags whenever its test does: `when` holds for any value, so only the test decides. */
const bare = (name: string, metric: string, test: Rule['test'], alpha: number): Rule =>
  Rule.parse({
    name,
    metric,
    severity: 'P3',
    when: 'value > -1e9',
    test,
    ...(test.startsWith('sequential-') ? { alpha } : { confidence: 1 - alpha, lookback: '5m' }),
  });

/** A/A deploys: random healthy services (Poisson counts, over-dispersed error rates, daily cycles, missing scrapes). */
function* healthyDeploys(n: number, seed: number): Generator<Recording> {
  const r = new Random(seed);
  for (let i = 0; i < n; i++) {
    const service = randomService(r, r.next() < 0.2);
    const startedAt = 1_763_596_800 + r.int(0, 6 * 24 * 60) * 60;
    const series = sample(service, {}, r, startedAt, -60, 30, true);
    yield { format: 'release-guard/recording@1', deploy: { id: `aa-${i}`, service: 'aa', environment: 'sim', version: 'v1', startedAt }, series };
  }
}

/** Each rule alone, severity P3 (so no rollback ends the watch early): did it ever establish a finding? */
function flagRates(base: RuleSet, rules: readonly Rule[], deploys: number, seed: number): Array<{ rule: Rule; flagged: number }> {
  const counts = rules.map((rule) => ({ rule, flagged: 0 }));
  const sets = rules.map((rule) => ({ ...base, rules: [{ ...rule, severity: 'P3' as const }] }));
  for (const rec of healthyDeploys(deploys, seed)) {
    sets.forEach((set, k) => {
      const j = judge(set, rec.deploy, { series: rec.series }, rec.deploy.startedAt + set.window);
      if (j.findings.some((f) => f.kind === 'breach')) counts[k]!.flagged++;
    });
  }
  return counts;
}

/** Median minutes from onset to the rule's finding over the bad scenarios of its metric, and the share caught. */
function delays(base: RuleSet, rule: Rule, seed: number): { caught: number; n: number; median: number | null } {
  const bad = generateScenarios({ seed, healthyPerType: 0, badPerType: 30 }).filter(
    (s) => s.label.onset !== null && s.recording.series[rule.metric] !== undefined,
  );
  const set = { ...base, rules: [{ ...rule, severity: 'P3' as const }] };
  const relevant = bad.filter(
    (s) =>
      s.label.type.startsWith(rule.metric.startsWith('error') ? 'error' : 'latency') ||
      (rule.metric.startsWith('error') && ['outage', 'late-onset-errors', 'low-traffic-errors'].includes(s.label.type)),
  );
  const found = relevant.map((s) => {
    const j = judge(
      set,
      s.recording.deploy,
      { series: s.recording.series, ...(s.recording.control ? { control: s.recording.control } : {}) },
      s.recording.deploy.startedAt + set.window,
    );
    const f = j.findings.find((x) => x.kind === 'breach');
    return f ? Math.max(0, (f.at - s.label.onset!) / 60) : null;
  });
  const times = found.filter((x): x is number => x !== null).sort((a, b) => a - b);
  return { caught: times.length, n: relevant.length, median: times.length === 0 ? null : times[times.length >> 1]! };
}

async function main(): Promise<void> {
  const n = Number(args.deploys);
  const seed = Number(args.seed);
  const base = resolveRules(await loadRules(resolve(args.rules)), { service: 'aa', environment: 'sim' });
  const shipped = base.rules.filter((r) => r.test.startsWith('sequential-'));
  const checked = [
    ...shipped,
    bare('bare-counts-alpha-5pct', 'error_rate', 'sequential-counts', 0.05),
    bare('bare-shift-latency-alpha-5pct', 'latency_p95', 'sequential-shift', 0.05),
    bare('bare-shift-cpu-alpha-5pct', 'cpu', 'sequential-shift', 0.05),
  ];
  // For contrast, on the first 2,000 deploys: fixed-sample tests checked every minute at p < 0.05 carry no bound.
  const contrast = [bare('fixed-counts-p-5pct', 'error_rate', 'counts', 0.05), bare('fixed-mann-whitney-latency-p-5pct', 'latency_p95', 'mann-whitney', 0.05)];
  const started = performance.now();
  const rates = [
    ...flagRates(base, checked, n, seed).map((r) => ({ ...r, n })),
    ...flagRates(base, contrast, Math.min(n, 2000), seed).map((r) => ({ ...r, n: Math.min(n, 2000) })),
  ];
  const rows = rates.map(({ rule, flagged, n }) => {
    const alpha = Number((rule.alpha ?? 1 - rule.confidence).toPrecision(6));
    const bound = alpha + 3 * Math.sqrt((alpha * (1 - alpha)) / n);
    return [
      rule.name,
      rule.test,
      String(alpha),
      `${flagged} / ${n}`,
      pct(flagged / n),
      `<= ${pct(bound)}`,
      !rule.test.startsWith('sequential-') ? 'no bound (fixed-sample)' : flagged / n <= bound ? 'ok' : 'EXCEEDS',
    ];
  });
  process.stdout.write(
    `\nA/A simulation: ${n} healthy deploys (random services: Poisson counts, over-dispersed error rates, daily cycles, missing scrapes), seed ${seed}, rules ${args.rules}; ${((performance.now() - started) / 1000).toFixed(1)}s\n\n`,
  );
  process.stdout.write(`${markdown([['rule', 'test', 'alpha', 'flagged', 'flag rate', 'alpha + 3 sd', 'check'], ...rows])}\n`);
  // The same rule with its fixed-sample test and with the sequential one at the same level, `for` set to 0 so the
  // tests alone are compared (warm-up and conditions kept).
  const pairs: Array<[string, Rule, Rule]> = [];
  for (const rule of base.rules.filter((r) => ['error_rate', 'latency_p95'].includes(r.metric) && r.test !== 'none' && r.severity !== 'P3')) {
    const alpha = Number((rule.alpha ?? 1 - rule.confidence).toPrecision(6));
    const counts = rule.metric === 'error_rate';
    const fixed: Rule = { ...rule, test: counts ? 'counts' : 'mann-whitney', alpha: undefined, confidence: 1 - alpha, for: 0 };
    const sequential: Rule = { ...rule, test: counts ? 'sequential-counts' : 'sequential-shift', alpha, for: 0 };
    pairs.push([`${rule.name} (alpha ${alpha})`, fixed, sequential]);
  }
  const delayRows = pairs.map(([name, fixed, seq]) => {
    const a = delays(base, fixed, seed);
    const b = delays(base, seq, seed);
    return [name, `${a.caught}/${a.n}`, mins(a.median), `${b.caught}/${b.n}`, mins(b.median)];
  });
  process.stdout.write(`\nDetection delay on the same synthetic regressions (onset -> finding; the default rules' tests at their level, for: 0):\n\n`);
  process.stdout.write(`${markdown([['rule', 'fixed-sample test caught', 'median', 'sequential caught', 'median'], ...delayRows])}\n`);
  if (rows.some((r) => r[6] === 'EXCEEDS')) process.exitCode = 1;
}

await main();
