// `release-guard replay <file|dir>...`: judges recordings offline with the live judge; JSON Lines per DESIGN §4.
import { basename } from 'node:path';
import { JudgeSession } from '../judge/session.js';
import type { Finding, Judgement, Observations, Recording } from '../judge/types.js';
import { listRecordingFiles, readRecordingSync } from '../recording/read.js';
import { loadRules, resolveRules, type LoadedRules } from '../rules/index.js';
import { ProgressBar } from './replay-progress.js';
import { countJudgement, newTally, summaryTable } from './replay-summary.js';

/**
 * Deploy label carrying the start times (Unix seconds, comma-separated, newest first) of earlier deploys of the
 * service whose windows the recording's `series` includes, for `baseline: previous-deploys`.
 */
export const PREVIOUS_DEPLOYS_LABEL = 'release-guard/previous-deploys';

export interface ReplayOptions {
  /** The rule directory, loaded once for all recordings. */
  rulesDir: string;
  /** Where the progress bar (on a TTY), the summary table and rule-loading problems go (default: stderr); stdout carries only JSON Lines. */
  err?: NodeJS.WritableStream;
}

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

/**
 * Judges each recording as the live watcher would have, walking its whole window (now = startedAt + window +
 * the evidence extension), and writes one JSON line per recording to `out`, in input order. A recording that
 * cannot be read gets an error line and the rest still run. On `err`: a progress bar when it is a terminal,
 * and a summary table (per verdict, per severity) at the end. Returns the exit code: 0, 1 if any recording
 * failed, 2 for bad rules.
 */
export async function runReplay(paths: string[], opts: ReplayOptions, out: NodeJS.WritableStream): Promise<number> {
  const err = opts.err ?? process.stderr;
  let loaded: LoadedRules;
  try {
    loaded = await loadRules(opts.rulesDir);
  } catch (e) {
    err.write(`replay: cannot load rules from ${opts.rulesDir}: ${messageOf(e)}\n`);
    return 2;
  }
  let exitCode = 0;
  const files = await listRecordingFiles(paths);
  const progress = new ProgressBar(err, files.length);
  const tally = newTally();
  for (const [i, file] of files.entries()) {
    progress.update(i, basename(file));
    let line: ReplayLine | ReplayErrorLine;
    try {
      const judged = replayRecording(loaded, readRecordingSync(file));
      line = replayLine(judged);
      countJudgement(tally, judged.judgement);
    } catch (e) {
      line = { deployId: null, file, error: messageOf(e) };
      countJudgement(tally, null);
      exitCode = 1;
    }
    out.write(`${JSON.stringify(line)}\n`);
  }
  progress.done();
  err.write(`${summaryTable(tally)}\n`);
  return exitCode;
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
 * The judgement of a whole recording under the rules that apply to its deploy: judge() at the window's end, through
 * the incremental judge, which checks each rule at each step once (judge() itself re-walks the steps when the window
 * is extended for evidence or closes early).
 */
export function replayRecording(loaded: LoadedRules, recording: Recording): { deployId: string; judgement: Judgement } {
  const { deploy } = recording;
  const rules = resolveRules(loaded, { service: deploy.service, environment: deploy.environment });
  const end = deploy.startedAt + rules.window + rules.minEvidence.extend;
  return { deployId: deploy.id, judgement: new JudgeSession(rules, deploy).judgeAt(recordingObservations(recording), end) };
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

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
