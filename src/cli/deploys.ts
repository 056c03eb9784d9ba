// `release-guard deploys list|show`: recent deploys and one deploy's verdict, findings, evidence and actions, for people (or --json).
import type { Command } from 'commander';
import { formatDeployDetail, formatDeployTable } from './deploy-view-text.js';
import { GATE_EXIT, type GateExit } from './gate-exit-codes.js';
import { processIo, runGate, usageExitsTwo, type GateIo } from './gate-io.js';
import { clientsFor, resolveTarget, targetOptions, UsageError, type TargetFlags } from './guard-target.js';
import { printable } from './terminal-text.js';

export interface ListFlags extends TargetFlags {
  service?: string;
  environment?: string;
  status?: string;
  limit?: string;
  cursor?: string;
  json?: boolean;
}

export async function runDeploysList(flags: ListFlags, io: GateIo): Promise<GateExit> {
  return runGate('deploys list', io, async () => {
    const { post } = clientsFor(resolveTarget(flags, io.env, io.cwd));
    const { views, next, raw } = await post.listDeploys({
      service: flags.service,
      environment: flags.environment,
      status: flags.status,
      limit: flags.limit,
      cursor: flags.cursor,
    });
    io.out(flags.json ? JSON.stringify(raw) : `${formatDeployTable(views)}${next ? `\n${nextPageHint(next)}` : ''}`);
    return GATE_EXIT.pass;
  });
}

/**
 * The line under a full page: how to ask for the next one, with the same filters. The cursor is base64url (safe to
 * print and paste) and never cut, so this one line may pass 100 columns for very long deploy ids.
 */
function nextPageHint(cursor: string): string {
  return `next page: --cursor ${printable(cursor, 4096)}`;
}

export async function runDeploysShow(id: string, flags: TargetFlags & { json?: boolean }, io: GateIo): Promise<GateExit> {
  return runGate('deploys show', io, async () => {
    const { post } = clientsFor(resolveTarget(flags, io.env, io.cwd));
    const got = await post.getDeploy(id);
    if (!got) throw new UsageError(`no deploy with id ${printable(id, 128)}; list them with: release-guard deploys list`);
    io.out(flags.json ? JSON.stringify(got.raw) : formatDeployDetail(got.view, printable(post.uiLink(id), 600)));
    return GATE_EXIT.pass;
  });
}

/** Adds `deploys list|show` to the program. */
export function registerDeploysCommands(program: Command): void {
  const deploys = program.command('deploys').description('recent deploys and their verdicts, for people at a terminal (--json for scripts)');
  targetOptions(
    usageExitsTwo(deploys.command('list'))
      .description('recent deploys, newest first')
      .option('-s, --service <name>', 'only this service')
      .option('-e, --environment <name>', 'only this environment')
      .option('--status <status>', 'only this status: watching, pass, fail, inconclusive, superseded, stopped')
      .option('-n, --limit <n>', 'how many (at most 500)', '20')
      .option('--cursor <cursor>', 'the next page: the cursor printed under the previous one')
      .option('--json', 'print the API answer as JSON'),
  ).action(async (flags: ListFlags) => {
    process.exitCode = await runDeploysList(flags, processIo());
  });
  targetOptions(
    usageExitsTwo(deploys.command('show <deployId>'))
      .description('one deploy: verdict, findings with evidence, actions')
      .option('--json', 'print the API answer as JSON'),
  ).action(async (id: string, flags: TargetFlags & { json?: boolean }) => {
    process.exitCode = await runDeploysShow(id, flags, processIo());
  });
}
