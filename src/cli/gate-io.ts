// How the gate commands talk to the person or the CI log: lines on stdout, a redrawn progress line on a terminal only.
import { GATE_EXIT, type GateExit } from './gate-exit-codes.js';
import { GuardRequestError } from './guard-client.js';
import { UsageError } from './guard-target.js';
import type { Out, ProgressLine } from './follow-watch.js';
import { printable } from './terminal-text.js';

export interface GateIo {
  out: Out;
  err: Out;
  /** A progress line on a terminal; null in CI logs and pipes. */
  progress: ProgressLine | null;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
}

/** Progress redrawn in place on stderr, cut to the terminal's width. */
export function terminalProgress(stream: NodeJS.WriteStream): ProgressLine {
  let shown = false;
  return {
    show(text) {
      const width = Math.max(20, (stream.columns || 100) - 1);
      stream.write(`\r\x1b[2K${text.slice(0, width)}`);
      shown = true;
    },
    clear() {
      if (shown) stream.write('\r\x1b[2K');
      shown = false;
    },
  };
}

/** The process's own streams; a terminal gets progress unless $CI says this is a CI log. */
export function processIo(): GateIo {
  const tty = Boolean(process.stderr.isTTY) && !process.env.CI;
  return {
    out: (l) => process.stdout.write(`${l}\n`),
    err: (l) => process.stderr.write(`${l}\n`),
    progress: tty ? terminalProgress(process.stderr) : null,
    env: process.env,
    cwd: process.cwd(),
  };
}

/** Runs a command body; expected trouble (usage, the guard unreachable or refusing) is one line and exit 2. */
export async function runGate(name: string, io: GateIo, body: () => Promise<GateExit>): Promise<GateExit> {
  try {
    return await body();
  } catch (err) {
    if (err instanceof UsageError || err instanceof GuardRequestError) {
      io.progress?.clear();
      io.err(`release-guard ${name}: ${printable(err.message, 2000)}`);
      return GATE_EXIT.couldNotRun;
    }
    throw err;
  }
}

/** Commander exits 1 on a bad or missing flag; for a gate 1 means "fail", so usage errors exit 2 instead. */
export function usageExitsTwo<C extends { exitOverride(fn: (err: { exitCode: number }) => never): unknown }>(cmd: C): C {
  cmd.exitOverride((err) => process.exit(err.exitCode === 1 ? GATE_EXIT.couldNotRun : err.exitCode));
  return cmd;
}
