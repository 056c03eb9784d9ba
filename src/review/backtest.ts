// Backtest: re-judges stored deploys under the rules in force and under candidate rules, in memory, and says which
// deploys would change verdict, severity, rollback or time-to-rollback — and what that does to the labelled ones.
import { judge } from '../judge/judge.js';
import { previousDeploysWanted } from '../judge/plan.js';
import type { Deploy, Judgement, Observations, Severity, Verdict } from '../judge/types.js';
import { resolveRules, type LoadedRules, type RuleSet } from '../rules/index.js';
import type { BacktestDeploy, FeedbackLabel, JudgedDeployQuery, JudgedDeploySummary } from '../store/records.js';
import type { Store } from '../store/interfaces.js';

/** What the backtest reads: stored deploys with verdicts, their observations, and the feedback labels. */
export type BacktestReader = Pick<Store, 'backtestDeploys' | 'observationsOf' | 'previousDeploys' | 'latestFeedback'>;

/** One side of a comparison: how a rule set judges a deploy. */
export interface Outcome {
  verdict: Verdict | null;
  severity: Severity | null;
  rollback: boolean;
  /** Seconds from the deploy's start to the rollback, or null. */
  timeToRollback: number | null;
  /** Rules with a finding. */
  rules: string[];
}

export interface BacktestRow {
  deployId: string;
  service: string;
  environment: string;
  startedAt: number;
  label: FeedbackLabel | null;
  /** The rule a false-alarm label names. */
  labelRule: string | null;
  current: Outcome;
  candidate: Outcome;
  /** Which of verdict, severity, rollback, timeToRollback differ. */
  changes: Array<'verdict' | 'severity' | 'rollback' | 'timeToRollback'>;
}

export interface LabelEffect {
  labelled: number;
  /** Deploys of this label the current rules fail / the candidate rules fail. */
  failingNow: number;
  failingWithCandidate: number;
}

export interface BacktestResult {
  /** Stored deploys compared. */
  judged: number;
  /** ...of which were judged again (the others' effective rules are unchanged by the candidate). */
  rejudged: number;
  changed: BacktestRow[];
  /** false-alarm: fewer failing is better; missed-regression: more failing is better; correct: verdict kept is better. */
  labels: Record<FeedbackLabel, LabelEffect>;
  /** Wall-clock milliseconds the re-judging took. */
  elapsedMs: number;
}

/** Judges a stored deploy's whole window, as the live watcher would have at its end. */
function judgeWindow(rules: RuleSet, deploy: Deploy, obs: Observations): Judgement {
  return judge(rules, deploy, obs, deploy.startedAt + rules.window + rules.minEvidence.extend);
}

function outcomeOf(j: Judgement, startedAt: number): Outcome {
  return {
    verdict: j.verdict,
    severity: j.severity,
    rollback: j.rollback,
    timeToRollback: j.rollbackAt === null ? null : j.rollbackAt - startedAt,
    rules: j.findings.map((f) => f.rule),
  };
}

/** What happened: the stored verdict and the rules that had findings. */
function storedOutcome(s: JudgedDeploySummary, rules: string[]): Outcome {
  return { verdict: s.verdict, severity: s.severity, rollback: s.rollback, timeToRollback: s.rollbackAt === null ? null : s.rollbackAt - s.startedAt, rules };
}

/** Whether two effective rule sets judge alike (the files they came from aside). */
function sameRules(a: RuleSet, b: RuleSet): boolean {
  return JSON.stringify({ ...a, sources: [] }) === JSON.stringify({ ...b, sources: [] });
}

function changesOf(a: Outcome, b: Outcome): BacktestRow['changes'] {
  const out: BacktestRow['changes'] = [];
  if (a.verdict !== b.verdict) out.push('verdict');
  if (a.severity !== b.severity) out.push('severity');
  if (a.rollback !== b.rollback) out.push('rollback');
  if (a.timeToRollback !== b.timeToRollback) out.push('timeToRollback');
  return out;
}

export interface BacktestOptions {
  /**
   * Re-judge under the rules in force too, instead of taking the stored verdict as "current". The stored verdict is
   * what the live judge decided on the same stored observations, so the two agree unless the rules changed since.
   */
  rejudgeCurrent?: boolean;
  /** Milliseconds clock for elapsedMs. */
  clock?: () => number;
}

/**
 * Compares, for every stored deploy matching `selection`, its current outcome (the stored verdict, or `current`
 * re-judged) with `candidate` judged in memory (nothing is written). Deploys whose effective rules the candidate
 * does not change are not re-judged: their outcome cannot change. Returns the deploys whose outcome differs and
 * the effect on labelled deploys.
 */
export async function runBacktest(
  store: BacktestReader,
  current: LoadedRules,
  candidate: LoadedRules,
  selection: JudgedDeployQuery,
  opts: BacktestOptions = {},
): Promise<BacktestResult> {
  const clock = opts.clock ?? (() => performance.now());
  const started = clock();
  const deploys = await store.backtestDeploys(selection);
  const labels = new Map((await store.latestFeedback(selection.since)).map((f) => [f.deployId, f]));
  const effect = (): LabelEffect => ({ labelled: 0, failingNow: 0, failingWithCandidate: 0 });
  const result: BacktestResult = {
    judged: 0,
    rejudged: 0,
    changed: [],
    labels: { correct: effect(), 'false-alarm': effect(), 'missed-regression': effect() },
    elapsedMs: 0,
  };
  const outcomes = new Map<string, { now: Outcome; next: Outcome }>();
  const toJudge: Array<{ d: BacktestDeploy; rulesNow: RuleSet; rulesCandidate: RuleSet }> = [];
  for (const d of deploys) {
    const rulesNow = resolveRules(current, d.deploy);
    const rulesCandidate = resolveRules(candidate, d.deploy);
    if (sameRules(rulesNow, rulesCandidate) && !opts.rejudgeCurrent) {
      const stored = storedOutcome(d.summary, d.rules);
      outcomes.set(d.deploy.id, { now: stored, next: stored });
    } else toJudge.push({ d, rulesNow, rulesCandidate });
  }
  // Observations are read in batches: one query per batch instead of several per deploy.
  for (let i = 0; i < toJudge.length; i += BATCH) {
    const batch = toJudge.slice(i, i + BATCH);
    const observed = await store.observationsOf(batch.map((x) => x.d.deploy.id));
    for (const { d, rulesNow, rulesCandidate } of batch) {
      const { deploy } = d;
      const wanted = Math.max(previousDeploysWanted(rulesNow), previousDeploysWanted(rulesCandidate));
      const previousDeploys = wanted > 0 ? await store.previousDeploys(deploy.service, deploy.environment, deploy.startedAt, wanted) : [];
      const obs: Observations = { ...(observed.get(deploy.id) ?? { series: {}, control: {}, blind: [] }), previousDeploys };
      const now = opts.rejudgeCurrent ? outcomeOf(judgeWindow(rulesNow, deploy, obs), deploy.startedAt) : storedOutcome(d.summary, d.rules);
      const next = opts.rejudgeCurrent && sameRules(rulesNow, rulesCandidate) ? now : outcomeOf(judgeWindow(rulesCandidate, deploy, obs), deploy.startedAt);
      outcomes.set(deploy.id, { now, next });
      result.rejudged += 1;
    }
  }
  for (const { deploy } of deploys) {
    const o = outcomes.get(deploy.id);
    if (!o) continue;
    result.judged += 1;
    const label = labels.get(deploy.id) ?? null;
    if (label) {
      const e = result.labels[label.label];
      e.labelled += 1;
      if (o.now.verdict === 'fail') e.failingNow += 1;
      if (o.next.verdict === 'fail') e.failingWithCandidate += 1;
    }
    const changes = changesOf(o.now, o.next);
    if (changes.length === 0) continue;
    result.changed.push({
      deployId: deploy.id,
      service: deploy.service,
      environment: deploy.environment,
      startedAt: deploy.startedAt,
      label: label?.label ?? null,
      labelRule: label?.rule ?? null,
      current: o.now,
      candidate: o.next,
      changes,
    });
  }
  result.elapsedMs = Math.round(clock() - started);
  return result;
}

const BATCH = 100;

/** The diff as a fixed-width table for the terminal. */
export function backtestTable(r: BacktestResult): string {
  const show = (o: Outcome) => `${o.verdict ?? '-'} ${o.severity ?? '-'}${o.rollback ? ` rollback@${o.timeToRollback}s` : ''}`;
  const rows = r.changed.map((c) => [c.deployId, `${c.service}/${c.environment}`, show(c.current), show(c.candidate), c.changes.join(','), c.label ?? '']);
  const head = ['deploy', 'service/env', 'current', 'candidate', 'changed', 'label'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]?.length ?? 0)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  const out = [line(head), ...rows.map(line)];
  out.push('', `${r.changed.length} of ${r.judged} deploys change (${r.rejudged} re-judged in ${r.elapsedMs} ms)`);
  for (const [label, e] of Object.entries(r.labels)) {
    if (e.labelled > 0) out.push(`${label}: ${e.labelled} labelled; failing now ${e.failingNow}, with candidate ${e.failingWithCandidate}`);
  }
  return out.join('\n');
}
