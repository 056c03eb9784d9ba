// `release-guard wait DEPLOY_ID`: gates a pipeline on the verdict of a deploy posted some other way (webhook, curl, Argo CD).
import type { Command } from 'commander';
import { followWatch } from './follow-watch.js';
import type { GateExit } from './gate-exit-codes.js';
import { processIo, runGate, usageExitsTwo, type GateIo } from './gate-io.js';
import { clientsFor, parseTimeout, resolveTarget, targetOptions, type TargetFlags } from './guard-target.js';
import { printable } from './terminal-text.js';

export interface WaitFlags extends TargetFlags {
  timeout?: string;
  pollInterval?: string;
}

/** Follows the deploy's watch to its verdict; the exit code is the gate's (see GATE_EXIT). */
export async function runWait(id: string, flags: WaitFlags, io: GateIo): Promise<GateExit> {
  return runGate('wait', io, async () => {
    const timeout = parseTimeout(flags.timeout ?? '45m');
    const poll = parseTimeout(flags.pollInterval ?? '5s', '--poll-interval');
    const clients = clientsFor(resolveTarget(flags, io.env, io.cwd));
    io.out(`waiting for the verdict on deploy ${printable(id, 128)} (up to ${flags.timeout ?? '45m'}): ${printable(clients.poll.uiLink(id), 600)}`);
    return followWatch(clients.poll, id, { timeoutSeconds: timeout, pollMs: poll * 1000, out: io.out, progress: io.progress });
  });
}

/** Adds `wait` to the program. */
export function registerWaitCommand(program: Command): void {
  targetOptions(
    usageExitsTwo(program.command('wait <deployId>'))
      .description('wait for the verdict on a deploy; exit 0 pass, 1 fail, 3 inconclusive, 4 timed out, 2 could not run')
      .option('--timeout <duration>', 'give up after this long', '45m')
      .option('--poll-interval <duration>', 'time between polls', '5s'),
  ).action(async (id: string, flags: WaitFlags) => {
    process.exitCode = await runWait(id, flags, processIo());
  });
}
