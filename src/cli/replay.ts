// `release-guard replay <file|dir>...`: judges recordings offline with the live judge; JSON Lines per DESIGN §4.
import { basename } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { listRecordingFiles } from '../recording/read.js';
import { loadRules, type LoadedRules } from '../rules/index.js';
import { ProgressBar } from './replay-progress.js';
import { inIndexOrder, poolWorkers, ReplayPool } from './replay-pool.js';
import type { ReplayedFile } from './replay-recording.js';
import { countJudgement, newTally, summaryTable } from './replay-summary.js';

export {
  PREVIOUS_DEPLOYS_LABEL,
  recordingObservations,
  replayLine,
  replayRecording,
  type ReplayErrorLine,
  type ReplayFinding,
  type ReplayLine,
} from './replay-recording.js';

export interface ReplayOptions {
  /** The rule directory, loaded once for all recordings. */
  rulesDir: string;
  /** Where the progress bar (on a TTY), the summary table and rule-loading problems go (default: stderr); stdout carries only JSON Lines. */
  err?: NodeJS.WritableStream;
  /**
   * Worker threads judging beside the main thread (default: one per two further cores, none on two cores or for a
   * few dozen files; see poolWorkers); 0 judges on the main thread alone. The output is the same either way.
   */
  workers?: number;
}

/**
 * Less inlining by V8's optimizing compiler for the rest of this process (the `replay` command's; not for the
 * daemon). A replay is short and its code cold: on two cores the compiler's threads, busy optimizing the judge's
 * functions with everything they call inlined, compete with the thread judging. Inlining less (V8's cumulative
 * budget lowered from 920 to 150 bytes of bytecode) makes each optimization cheaper and ends that sooner; a whole
 * replay of 500 recordings runs ~13% faster, the judging once warm as fast (README, Replay). Only how V8 compiles
 * changes, never what the code computes.
 */
export function tuneCompilerForBatch(): void {
  setFlagsFromString('--max-inlined-bytecode-size-cumulative=150');
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
  const files = await listRecordingFiles(paths);
  // Worker threads load their modules while this thread loads the rules.
  const pool = new ReplayPool(opts.workers ?? poolWorkers(files.length));
  let loaded: LoadedRules;
  try {
    loaded = await loadRules(opts.rulesDir);
  } catch (e) {
    await pool.close();
    err.write(`replay: cannot load rules from ${opts.rulesDir}: ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
  const progress = new ProgressBar(err, files.length);
  const tally = newTally();
  // Results arrive in any order (worker threads); lines go out in input order, the bar naming the next file due.
  if (files.length > 0) progress.update(0, basename(files[0]!));
  const lines = new LineBuffer(out);
  const write = inIndexOrder<ReplayedFile>((index, { line, count }) => {
    countJudgement(tally, count);
    lines.add(line);
    if (index + 1 < files.length) progress.update(index + 1, basename(files[index + 1]!));
  });
  try {
    await pool.judge(loaded, files, write);
  } finally {
    // The lines judged so far go out even if judging stopped.
    lines.flush();
  }
  progress.done();
  err.write(`${summaryTable(tally)}\n`);
  return tally.errors > 0 ? 1 : 0;
}

/**
 * Output lines gathered into writes of up to OUT_CHUNK characters (a write per line was a stream call and a system
 * call each), but never held back longer than OUT_DELAY_MS, so a slow replay still streams its lines.
 */
export class LineBuffer {
  private text = '';
  private since = 0;

  constructor(
    private readonly out: Pick<NodeJS.WritableStream, 'write'>,
    private readonly now: () => number = Date.now,
  ) {}

  add(line: string): void {
    if (this.text === '') this.since = this.now();
    this.text += `${line}\n`;
    if (this.text.length >= OUT_CHUNK || this.now() - this.since >= OUT_DELAY_MS) this.flush();
  }

  flush(): void {
    if (this.text !== '') this.out.write(this.text);
    this.text = '';
  }
}

export const OUT_CHUNK = 64 * 1024;
export const OUT_DELAY_MS = 200;
