// Runs an exec rollback hook: the configured argv without a shell, deploy facts in RG_* variables, with a timeout.
import { spawn, type ChildProcess, type ChildProcessByStdio } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Readable } from 'node:stream';
import type { ExecHook } from '../../rules/schema.js';
import { OutputBuffer } from './output-buffer.js';
import type { HookContext, HookDeps, HookResult } from './types.js';

const DEFAULT_KILL_GRACE_MS = 5000;
/** After the process exits, wait this long for its pipes to close (a background child may hold them open). */
const PIPE_GRACE_MS = 2000;

interface ProcessOutcome {
  output: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  spawnError: NodeJS.ErrnoException | null;
}

/** Variables of the guard's environment every exec hook gets; anything else only when the hook names it in `env`. */
export const HOOK_ENV_ALLOWED = ['PATH', 'HOME'] as const;

/**
 * The guard environment a hook may see: PATH, HOME, the RG_* variables and the names in `passThrough`. The guard's
 * own secrets (RELEASE_GUARD_TOKEN, channel URLs, …) are withheld, as systemd and CI runners withhold theirs; so is
 * an RG_* variable the config names as a secret (`withheld`, e.g. `webhookUrlEnv: RG_SLACK_URL`) unless the hook
 * names it itself.
 */
export function allowedEnv(base: NodeJS.ProcessEnv, passThrough: readonly string[] = [], withheld: readonly string[] = []): NodeJS.ProcessEnv {
  const named = new Set<string>([...HOOK_ENV_ALLOWED, ...passThrough]);
  const secret = new Set(withheld);
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(base)) if (v !== undefined && (named.has(k) || (k.startsWith('RG_') && !secret.has(k)))) out[k] = v;
  return out;
}

/** The hook's environment: the allowed part of the guard's own plus the deploy as RG_* variables (empty strings when unknown). */
export function hookEnv(ctx: HookContext, base: NodeJS.ProcessEnv, passThrough: readonly string[] = [], withheld: readonly string[] = []): NodeJS.ProcessEnv {
  const d = ctx.deploy;
  return {
    ...allowedEnv(base, passThrough, withheld),
    RG_DEPLOY_ID: d.id,
    RG_SERVICE: d.service,
    RG_ENVIRONMENT: d.environment,
    RG_VERSION: d.version,
    RG_PREVIOUS_VERSION: d.previousVersion ?? '',
    RG_COMMIT: d.commit ?? '',
    RG_STARTED_AT: String(d.startedAt),
    RG_REASON: ctx.reason,
    RG_VERDICT_URL: ctx.verdictUrl ?? '',
    RG_FINDINGS: JSON.stringify(ctx.findings),
  };
}

/**
 * Runs `hook.command` and waits for it. On timeout the whole process group gets SIGTERM, then SIGKILL after
 * the grace period. Never throws for hook failure. Hooks may be retried, so rollback scripts should be idempotent.
 */
export async function runExecHook(hook: ExecHook, ctx: HookContext, deps: HookDeps = {}): Promise<HookResult> {
  const now = deps.now ?? Date.now;
  const started = now();
  const where = `exec hook "${hook.name}"`;
  const cwd = resolve(deps.baseDir ?? process.cwd(), hook.cwd ?? '.');
  if (!(await isDirectory(cwd))) {
    const error = `${where}: working directory ${cwd} does not exist; fix "cwd" in the rule file`;
    return { ok: false, output: '', error, durationMs: now() - started, retryable: false };
  }
  const outcome = await runProcess(hook.command, {
    cwd,
    env: hookEnv(ctx, deps.env ?? process.env, hook.env, deps.secretEnvNames?.() ?? []),
    timeoutMs: hook.timeout * 1000,
    killGraceMs: deps.killGraceMs ?? DEFAULT_KILL_GRACE_MS,
  });
  const redact = deps.redact ?? ((t: string) => t);
  const judged = judgeOutcome(hook, cwd, outcome);
  return { ...judged, error: judged.error === null ? null : redact(judged.error), output: redact(outcome.output), durationMs: now() - started };
}

type Judged = Pick<HookResult, 'ok' | 'error' | 'retryable'>;

function judgeOutcome(hook: ExecHook, cwd: string, o: ProcessOutcome): Judged {
  const where = `exec hook "${hook.name}"`;
  if (o.spawnError) {
    return { ok: false, error: `${where}: ${spawnProblem(hook.command[0]!, cwd, o.spawnError)}`, retryable: false };
  }
  if (o.timedOut) {
    const killed = o.signal ? ` and was stopped with ${o.signal}` : '';
    return { ok: false, error: `${where}: timed out after ${hook.timeout}s${killed}`, retryable: true };
  }
  if (o.signal) return { ok: false, error: `${where}: was killed by signal ${o.signal}`, retryable: true };
  if (o.code !== 0) return { ok: false, error: `${where}: exited with code ${o.code}`, retryable: true };
  return { ok: true, error: null, retryable: false };
}

function spawnProblem(program: string, cwd: string, err: NodeJS.ErrnoException): string {
  const name = JSON.stringify(program);
  if (err.code === 'ENOENT') {
    return `cannot run ${name}: no such file (ENOENT); check the path in "command" (it runs without a shell, relative paths from ${cwd})`;
  }
  if (err.code === 'EACCES') return `cannot run ${name}: permission denied (EACCES); make it executable (chmod +x)`;
  return `cannot run ${name}: ${err.message}`;
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

interface ProcessOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  killGraceMs: number;
}

function runProcess(argv: string[], opts: ProcessOptions): Promise<ProcessOutcome> {
  return new Promise((done) => {
    const out = new OutputBuffer();
    const timers: NodeJS.Timeout[] = [];
    let timedOut = false;
    let finished = false;
    const finish = (outcome: Omit<ProcessOutcome, 'output' | 'timedOut'>): void => {
      if (finished) return;
      finished = true;
      timers.forEach(clearTimeout);
      done({ ...outcome, output: out.text(), timedOut });
    };
    let child: ChildProcessByStdio<null, Readable, Readable>;
    try {
      // detached: the hook gets its own process group, so a timeout also stops the children it started.
      child = spawn(argv[0]!, argv.slice(1), { shell: false, cwd: opts.cwd, env: opts.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (err) {
      // Invalid arguments (e.g. a NUL byte in the command) throw synchronously instead of emitting 'error'.
      return finish({ code: null, signal: null, spawnError: err as NodeJS.ErrnoException });
    }
    child.stdout.on('data', (chunk: Buffer) => out.append(chunk));
    child.stderr.on('data', (chunk: Buffer) => out.append(chunk));
    child.on('error', (err: NodeJS.ErrnoException) => {
      if (child.pid === undefined) finish({ code: null, signal: null, spawnError: err });
    });
    child.on('close', (code, signal) => finish({ code, signal, spawnError: null }));
    child.on('exit', (code, signal) => {
      const stopWaiting = (): void => {
        child.stdout.destroy();
        child.stderr.destroy();
        finish({ code, signal, spawnError: null });
      };
      timers.push(setTimeout(stopWaiting, PIPE_GRACE_MS));
    });
    const stop = (): void => {
      timedOut = true;
      killGroup(child, 'SIGTERM');
      timers.push(setTimeout(() => killGroup(child, 'SIGKILL'), opts.killGraceMs));
    };
    timers.push(setTimeout(stop, opts.timeoutMs));
  });
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    child.kill(signal);
  }
}
