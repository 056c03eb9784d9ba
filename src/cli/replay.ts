// `release-guard replay <file|dir>...`: judges recordings offline with the live judge; JSON Lines per DESIGN §4.
import { judge } from '../judge/judge.js';
import type { Finding, Judgement, Recording } from '../judge/types.js';
import { listRecordingFiles, readRecording } from '../recording/read.js';
import { loadRules, resolveRules, type LoadedRules } from '../rules/index.js';

export interface ReplayOptions {
  /** The rule directory, loaded once for all recordings. */
  rulesDir: string;
  /** Where rule-loading problems go (default: stderr); stdout carries only JSON Lines. */
  err?: NodeJS.WritableStream;
}

/** One replay output line (DESIGN §4), keys in this order. */
export interface ReplayLine {
  deployId: string;
  verdict: Judgement['verdict'];
  severity: Judgement['severity'];
  rollback: boolean;
  rollbackAt: number | null;
  findings: Array<Pick<Finding, 'rule' | 'metric' | 'severity' | 'at' | 'observed' | 'baseline' | 'condition'>>;
  reason: string | null;
}

/** The line for a recording that could not be read or judged. */
export interface ReplayErrorLine {
  deployId: null;
  file: string;
  error: string;
}

/**
 * Judges each recording as the live watcher would have, walking its whole window (now = startedAt + window),
 * and writes one JSON line per recording to `out`, in input order. A recording that cannot be read gets an
 * error line and the rest still run. Returns the exit code: 0, 1 if any recording failed, 2 for bad rules.
 */
export async function runReplay(paths: string[], opts: ReplayOptions, out: NodeJS.WritableStream): Promise<number> {
  let loaded: LoadedRules;
  try {
    loaded = await loadRules(opts.rulesDir);
  } catch (e) {
    (opts.err ?? process.stderr).write(`replay: cannot load rules from ${opts.rulesDir}: ${messageOf(e)}\n`);
    return 2;
  }
  let exitCode = 0;
  for (const file of await listRecordingFiles(paths)) {
    let line: ReplayLine | ReplayErrorLine;
    try {
      line = replayLine(replayRecording(loaded, await readRecording(file)));
    } catch (e) {
      line = { deployId: null, file, error: messageOf(e) };
      exitCode = 1;
    }
    out.write(`${JSON.stringify(line)}\n`);
  }
  return exitCode;
}

/** The judgement of a whole recording under the rules that apply to its deploy. */
export function replayRecording(loaded: LoadedRules, recording: Recording): { deployId: string; judgement: Judgement } {
  const { deploy } = recording;
  const rules = resolveRules(loaded, { service: deploy.service, environment: deploy.environment });
  const obs = recording.control ? { series: recording.series, control: recording.control } : { series: recording.series };
  return { deployId: deploy.id, judgement: judge(rules, deploy, obs, deploy.startedAt + rules.window) };
}

/** A judgement in the DESIGN §4 shape, keys in contract order. */
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
    })),
    reason: j.reason,
  };
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
