// `release-guard deploy`: tells the guard a deploy started (filled from the CI's environment), optionally waits for the verdict.
import { randomUUID } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ciDeployFields, ciDeployId, detectCiJob } from './ci-environment.js';
import { followWatch } from './follow-watch.js';
import { GATE_EXIT, type GateExit } from './gate-exit-codes.js';
import { processIo, runGate, usageExitsTwo, type GateIo } from './gate-io.js';
import { clientsFor, parseTimeout, resolveTarget, targetOptions, UsageError, type TargetFlags } from './guard-target.js';
import { printable } from './terminal-text.js';

export interface DeployFlags extends TargetFlags {
  service: string;
  environment: string;
  version: string;
  previousVersion?: string;
  commit?: string;
  id?: string;
  startedAt?: string;
  link?: string[];
  label?: string[];
  /** Leave out what the CI environment would add. */
  ci?: boolean;
  wait?: boolean;
  timeout?: string;
  pollInterval?: string;
}

type Env = Readonly<Record<string, string | undefined>>;

/** `name=value` pairs from repeated flags; the last one for a name wins. */
function pairs(list: string[] | undefined, flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of list ?? []) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new UsageError(`${flag} "${item.slice(0, 80)}" must be written name=value`);
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

/**
 * The POST /v1/deploys body: flags win over $RELEASE_GUARD_LABELS (`k=v,k2=v2`, labels a platform team sets for every
 * pipeline) and over what the CI environment says. The id is the flag's, else one derived
 * from the CI job (stable for that job attempt), else a fresh one — so a retried post is always safe.
 */
export function deployBody(flags: DeployFlags, env: Env): Record<string, unknown> {
  const job = flags.ci === false ? null : detectCiJob(env);
  const fromCi = job ? ciDeployFields(job) : { links: {}, labels: {} };
  const links = { ...fromCi.links, ...pairs(flags.link, '--link') };
  const fromEnv = (env.RELEASE_GUARD_LABELS ?? '')
    .split(',')
    .map((l) => l.trim())
    .filter(Boolean);
  const labels = { ...fromCi.labels, ...pairs(fromEnv, 'RELEASE_GUARD_LABELS'), ...pairs(flags.label, '--label') };
  const commit = flags.commit ?? fromCi.commit;
  const what = { service: flags.service, environment: flags.environment, version: flags.version };
  const id = flags.id ?? (job?.attempt ? ciDeployId(job, what) : `cli-${randomUUID()}`);
  return {
    id,
    ...what,
    ...(flags.previousVersion ? { previousVersion: flags.previousVersion } : {}),
    ...(commit ? { commit } : {}),
    ...(flags.startedAt ? { startedAt: flags.startedAt } : {}),
    ...(Object.keys(links).length ? { links } : {}),
    ...(Object.keys(labels).length ? { labels } : {}),
  };
}

/** Posts the deploy, prints its UI link, and with --wait follows it to the verdict. Returns the exit code. */
export async function runDeploy(flags: DeployFlags, io: GateIo): Promise<GateExit> {
  return runGate('deploy', io, async () => {
    const timeout = parseTimeout(flags.timeout ?? '45m');
    const poll = parseTimeout(flags.pollInterval ?? '5s', '--poll-interval');
    const target = resolveTarget(flags, io.env, io.cwd);
    const clients = clientsFor(target);
    const { view, created } = await clients.post.postDeploy(deployBody(flags, io.env));
    const d = view.deploy;
    const link = clients.post.uiLink(d.id);
    io.out(
      `${created ? 'posted' : 'already posted (same id)'}: deploy ${printable(d.id, 128)} of ${printable(d.service, 128)}/${printable(d.environment, 128)} ${printable(d.version, 256)}`,
    );
    io.out(`review: ${printable(link, 600)}`);
    if (io.env.GITHUB_OUTPUT) appendFileSync(io.env.GITHUB_OUTPUT, `deploy-id=${d.id}\nreview-url=${link}\n`);
    if (!flags.wait) return GATE_EXIT.pass;
    return followWatch(clients.poll, d.id, { timeoutSeconds: timeout, pollMs: poll * 1000, out: io.out, progress: io.progress });
  });
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Adds `deploy` to the program. */
export function registerDeployCommand(program: Command): void {
  targetOptions(
    usageExitsTwo(program.command('deploy'))
      .description('tell the guard a deploy started (commit, repository, run link and actor from the CI environment); --wait gates on the verdict')
      .requiredOption('-s, --service <name>', 'service deployed')
      .requiredOption('-e, --environment <name>', 'environment deployed to')
      .requiredOption('--version <version>', 'version deployed (tag, sha, …)')
      .option('--previous-version <version>', 'version replaced (passed to rollback hooks)')
      .option('--commit <sha>', 'commit (default: from the CI environment)')
      .option('--id <id>', 'deploy id (default: derived from the CI job, so a re-run of the same job attempt attaches to the same deploy)')
      .option('--started-at <time>', 'when the deploy started: Unix seconds or ISO-8601 (default: when the guard receives it)')
      .option('--link <name=url>', 'a link shown with the deploy (repeatable)', collect)
      .option('--label <key=value>', 'a label (repeatable; more from $RELEASE_GUARD_LABELS="k=v,k2=v2")', collect)
      .option('--no-ci', 'do not read the CI environment')
      .option('--wait', 'follow the watch and exit 0 pass, 1 fail, 3 inconclusive, 4 timed out, 2 could not run')
      .option('--timeout <duration>', 'with --wait: give up after this long', '45m')
      .option('--poll-interval <duration>', 'with --wait: time between polls', '5s'),
  ).action(async (flags: DeployFlags) => {
    process.exitCode = await runDeploy(flags, processIo());
  });
}
