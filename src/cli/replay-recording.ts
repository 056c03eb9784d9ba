// One recording through the live judge, as `replay` prints it: shared by the command and its worker threads.
import { JudgeSession } from '../judge/session.js';
import type { Finding, Judgement, Observations, Recording } from '../judge/types.js';
import { readRecordingSync } from '../recording/read.js';
import { resolveRulesCached, type LoadedRules } from '../rules/resolve.js';

/**
 * Deploy label carrying the start times (Unix seconds, comma-separated, newest first) of earlier deploys of the
 * service whose windows the recording's `series` includes, for `baseline: previous-deploys`.
 */
export const PREVIOUS_DEPLOYS_LABEL = 'release-guard/previous-deploys';

/** One replay output line: the DESIGN §4 keys in contract order, then extras. */
export interface ReplayLine {
  deployId: string;
  verdict: Judgement['verdict'];
  severity: Judgement['severity'];
  rollback: boolean;
  rollbackAt: number | null;
  findings: ReplayFinding[];
  reason: string | null;
  /** The last step judged and the window end in force (later than startedAt + window when extended for evidence). */
  evaluatedAt: number;
  windowEnd: number;
}

/** A finding: the DESIGN §4 keys, then kind, summary, clearedAt and the evidence. */
export type ReplayFinding = Pick<Finding, 'rule' | 'metric' | 'severity' | 'at' | 'observed' | 'baseline' | 'condition' | 'kind' | 'summary'> & {
  clearedAt: number | null;
  /** Present (true) only for findings of `mode: shadow` rules. */
  shadow?: true;
  evidence: Finding['evidence'] | null;
};

/** The line for a recording that could not be read or judged. */
export interface ReplayErrorLine {
  deployId: null;
  file: string;
  error: string;
}

/** What the summary table counts of one recording: its judgement, or null when it could not be read or judged. */
export type ReplayCount = Pick<Judgement, 'verdict' | 'severity' | 'rollback'> | null;

/** One recording's output line (JSON, no newline) and what the summary counts of it. */
export interface ReplayedFile {
  line: string;
  count: ReplayCount;
}

/** The observations a recording holds, as the live watcher would have stored them. */
export function recordingObservations(recording: Recording): Observations {
  const obs: Observations = { series: recording.series };
  if (recording.control) obs.control = recording.control;
  if (recording.blind) obs.blind = recording.blind;
  const previous = recording.deploy.labels?.[PREVIOUS_DEPLOYS_LABEL];
  if (previous) obs.previousDeploys = previous.split(',').map(Number).filter(Number.isFinite);
  return obs;
}

/**
 * Steps into the window at which replay first looks: most rollbacks come within the first minutes (a broken release
 * shows at once), and a watch that rolled back is over, so judging its remaining steps would be wasted.
 */
export const EARLY_LOOK_STEPS = 8;

/**
 * The judgement of a whole recording under the rules that apply to its deploy: judge() at the window's end, through
 * the incremental judge, which checks each rule at each step once (judge() itself re-walks the steps when the window
 * is extended for evidence or closes early). It looks EARLY_LOOK_STEPS steps in first, as the live watcher would have
 * at that tick: a watch done there (a rollback; the window cannot close before its end) has its final judgement, the
 * same judge() gives at the end (a rollback ends the watch at the first rollback finding, established from the steps
 * up to it alone); otherwise the same session judges on to the end, keeping the steps it judged.
 */
export function replayRecording(loaded: LoadedRules, recording: Recording): { deployId: string; judgement: Judgement } {
  const { deploy } = recording;
  const rules = resolveRulesCached(loaded, { service: deploy.service, environment: deploy.environment });
  const end = deploy.startedAt + rules.window + rules.minEvidence.extend;
  const early = deploy.startedAt + EARLY_LOOK_STEPS * rules.interval;
  // A recording does not change between the two looks: the session need not fingerprint it.
  const session = new JudgeSession(rules, deploy, { fixedObservations: true });
  const obs = recordingObservations(recording);
  if (early < deploy.startedAt + rules.window) {
    const judgement = session.judgeAt(obs, early);
    if (judgement.state === 'done') return { deployId: deploy.id, judgement };
  }
  return { deployId: deploy.id, judgement: session.judgeAt(obs, end) };
}

/** Reads and judges one file into its output line; a file that cannot be read or judged gets an error line. */
export function replayFile(loaded: LoadedRules, file: string): ReplayedFile {
  try {
    const { deployId, judgement: j } = replayRecording(loaded, readRecordingSync(file));
    return { line: JSON.stringify(replayLine({ deployId, judgement: j })), count: { verdict: j.verdict, severity: j.severity, rollback: j.rollback } };
  } catch (e) {
    const line: ReplayErrorLine = { deployId: null, file, error: e instanceof Error ? e.message : String(e) };
    return { line: JSON.stringify(line), count: null };
  }
}

/** A judgement in the DESIGN §4 shape, keys in contract order, extras after them. */
export function replayLine({ deployId, judgement: j }: { deployId: string; judgement: Judgement }): ReplayLine {
  return {
    deployId,
    verdict: j.verdict,
    severity: j.severity,
    rollback: j.rollback,
    rollbackAt: j.rollbackAt,
    findings: j.findings.map((f) => ({
      rule: f.rule,
      metric: f.metric,
      severity: f.severity,
      at: f.at,
      observed: f.observed,
      baseline: f.baseline,
      condition: f.condition,
      kind: f.kind,
      summary: f.summary,
      clearedAt: f.clearedAt ?? null,
      ...(f.shadow ? { shadow: true as const } : {}),
      evidence: f.evidence ?? null,
    })),
    reason: j.reason,
    evaluatedAt: j.evaluatedAt,
    windowEnd: j.windowEnd,
  };
}
