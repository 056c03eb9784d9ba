// Backtest: re-judges stored deploys under the rules in force and under candidate rules, in memory, and says which
// deploys would change verdict, severity, rollback or time-to-rollback — and what that does to the labelled ones.
import { judge } from '../judge/judge.js';
import type { Judgement, Severity, Verdict } from '../judge/types.js';
import { resolveRules, type LoadedRules } from '../rules/index.js';
import type { FeedbackLabel, JudgedDeployQuery } from '../store/review-types.js';
import type { Store } from '../store/types.js';

/** What the backtest reads: stored deploys with verdicts, their observations, and the feedback labels. */
export type BacktestReader = Pick<Store, 'judgedDeploys' | 'getDeploy' | 'observations' | 'previousDeploys' | 'latestFeedback'>;

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
  judged: number;
  changed: BacktestRow[];
  /** false-alarm: fewer failing is better; missed-regression: more failing is better; correct: verdict kept is better. */
  labels: Record<FeedbackLabel, LabelEffect>;
  /** Wall-clock milliseconds the re-judging took. */
  elapsedMs: number;
}

/** Judges a stored deploy's whole window, as the live watcher would have at its end. */
function judgeStored(loaded: LoadedRules, view: NonNullable<Awaited<ReturnType<Store['getDeploy']>>>, obs: Parameters<typeof judge>[2]): Judgement {
  const rules = resolveRules(loaded, view.deploy);
  return judge(rules, view.deploy, obs, view.deploy.startedAt + rules.window + rules.minEvidence.extend);
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

function changesOf(a: Outcome, b: Outcome): BacktestRow['changes'] {
  const out: BacktestRow['changes'] = [];
  if (a.verdict !== b.verdict) out.push('verdict');
  if (a.severity !== b.severity) out.push('severity');
  if (a.rollback !== b.rollback) out.push('rollback');
  if (a.timeToRollback !== b.timeToRollback) out.push('timeToRollback');
  return out;
}

/**
 * Re-judges every stored deploy matching `selection` under `current` and `candidate` (loaded in memory; nothing is
 * written), and returns the deploys whose outcome differs plus the effect on labelled deploys.
 */
export async function runBacktest(store: BacktestReader, current: LoadedRules, candidate: LoadedRules, selection: JudgedDeployQuery, clock: () => number = () => performance.now()): Promise<BacktestResult> {
  const started = clock();
  const deploys = await store.judgedDeploys(selection);
  const labels = new Map((await store.latestFeedback(selection.since)).map((f) => [f.deployId, f]));
  const effect = (): LabelEffect => ({ labelled: 0, failingNow: 0, failingWithCandidate: 0 });
  const result: BacktestResult = { judged: 0, changed: [], labels: { correct: effect(), 'false-alarm': effect(), 'missed-regression': effect() }, elapsedMs: 0 };
  for (const summary of deploys) {
    const view = await store.getDeploy(summary.deployId);
    if (!view) continue;
    const stored = await store.observations(view.deploy.id);
    const obs = { ...stored, previousDeploys: await store.previousDeploys(view.deploy.service, view.deploy.environment, view.deploy.startedAt, 5) };
    const current_ = outcomeOf(judgeStored(current, view, obs), view.deploy.startedAt);
    const candidate_ = outcomeOf(judgeStored(candidate, view, obs), view.deploy.startedAt);
    result.judged += 1;
    const label = labels.get(view.deploy.id) ?? null;
    if (label) {
      const e = result.labels[label.label];
      e.labelled += 1;
      if (current_.verdict === 'fail') e.failingNow += 1;
      if (candidate_.verdict === 'fail') e.failingWithCandidate += 1;
    }
    const changes = changesOf(current_, candidate_);
    if (changes.length === 0) continue;
    result.changed.push({
      deployId: view.deploy.id, service: view.deploy.service, environment: view.deploy.environment, startedAt: view.deploy.startedAt,
      label: label?.label ?? null, labelRule: label?.rule ?? null, current: current_, candidate: candidate_, changes,
    });
  }
  result.elapsedMs = Math.round(clock() - started);
  return result;
}

/** The diff as a fixed-width table for the terminal. */
export function backtestTable(r: BacktestResult): string {
  const show = (o: Outcome) => `${o.verdict ?? '-'} ${o.severity ?? '-'}${o.rollback ? ` rollback@${o.timeToRollback}s` : ''}`;
  const rows = r.changed.map((c) => [c.deployId, `${c.service}/${c.environment}`, show(c.current), show(c.candidate), c.changes.join(','), c.label ?? '']);
  const head = ['deploy', 'service/env', 'current', 'candidate', 'changed', 'label'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]?.length ?? 0)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  const out = [line(head), ...rows.map(line)];
  out.push('', `${r.changed.length} of ${r.judged} deploys change (re-judged in ${r.elapsedMs} ms)`);
  for (const [label, e] of Object.entries(r.labels)) {
    if (e.labelled > 0) out.push(`${label}: ${e.labelled} labelled; failing now ${e.failingNow}, with candidate ${e.failingWithCandidate}`);
  }
  return out.join('\n');
}
