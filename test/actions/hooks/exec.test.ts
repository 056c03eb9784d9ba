// Tests the exec rollback hook against real child processes (node -e), including timeouts and spawn failures.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runExecHook, type HookContext } from '../../../src/actions/hooks/index.js';
import type { Finding } from '../../../src/judge/types.js';
import { ExecHook } from '../../../src/rules/schema.js';

const finding: Finding = {
  rule: 'error-rate-spike',
  metric: 'error_rate',
  severity: 'P1',
  at: 1763647440,
  observed: 0.031,
  baseline: 0.002,
  condition: 'ratio > 5 and value > 0.01',
  kind: 'breach',
  summary: 'error_rate 3.1% vs baseline 0.2% (15.5x) for 2m',
};
const ctx: HookContext = {
  deploy: { id: 'd-42', service: 'checkout', environment: 'production', version: 'v1.2.0', previousVersion: 'v1.1.9', commit: 'abc123', startedAt: 1763647200 },
  reason: 'error-rate-spike: error_rate 3.1% vs baseline 0.2%',
  verdictUrl: 'http://guard.local/v1/deploys/d-42',
  findings: [finding],
};

/** An exec hook running `node -e script`. */
function nodeHook(script: string, over: Record<string, unknown> = {}): ExecHook {
  return ExecHook.parse({ type: 'exec', name: 'rollback', command: [process.execPath, '-e', script], ...over });
}

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rg-exec-hook-'));
  await mkdir(join(dir, 'scripts'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('exec hook', () => {
  it('passes the deploy as RG_* variables, with only PATH, HOME, RG_* and the named variables of the guard environment', async () => {
    const script = 'console.log(JSON.stringify(process.env))';
    const guardEnv = {
      INHERITED: 'yes',
      PATH: '/usr/bin:/bin',
      HOME: '/home/guard',
      RG_EXTRA: 'kept',
      KUBECONFIG: '/etc/kube',
      RELEASE_GUARD_TOKEN: 'ci-secret-value',
      RELEASE_GUARD_ADMIN_TOKEN: 'admin-secret-value',
      RELEASE_GUARD_GITHUB_SECRET: 'gh-secret-value',
      RELEASE_GUARD_GITLAB_TOKEN: 'gl-secret-value',
      SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T/B/secret',
    };
    const result = await runExecHook(nodeHook(script, { env: ['KUBECONFIG'] }), ctx, { env: guardEnv });
    expect(result).toMatchObject({ ok: true, error: null });
    const seen = JSON.parse(result.output) as Record<string, string>;
    // Node may add nothing, but the OS may: compare the keys we control.
    const guardKeys = Object.keys(guardEnv).filter((k) => k in seen);
    expect(guardKeys.sort()).toEqual(['HOME', 'KUBECONFIG', 'PATH', 'RG_EXTRA']);
    for (const secret of ['ci-secret-value', 'admin-secret-value', 'gh-secret-value', 'gl-secret-value', 'hooks.slack.com'])
      expect(result.output).not.toContain(secret);
    expect(Object.fromEntries(Object.entries(seen).filter(([k]) => k.startsWith('RG_') && k !== 'RG_EXTRA'))).toEqual({
      RG_DEPLOY_ID: 'd-42',
      RG_SERVICE: 'checkout',
      RG_ENVIRONMENT: 'production',
      RG_VERSION: 'v1.2.0',
      RG_PREVIOUS_VERSION: 'v1.1.9',
      RG_COMMIT: 'abc123',
      RG_STARTED_AT: '1763647200',
      RG_REASON: 'error-rate-spike: error_rate 3.1% vs baseline 0.2%',
      RG_VERDICT_URL: 'http://guard.local/v1/deploys/d-42',
      RG_FINDINGS: JSON.stringify([finding]),
    });
  });

  it('withholds an RG_* variable the config names as a secret, unless the hook names it', async () => {
    const script = 'console.log(JSON.stringify([process.env.RG_SLACK_URL ?? null, process.env.RG_PD_KEY ?? null, process.env.RG_PLAIN ?? null]))';
    const env = { RG_SLACK_URL: 'https://hooks.slack.com/x', RG_PD_KEY: 'pd-key-123456', RG_PLAIN: 'plain' };
    const deps = { env, secretEnvNames: () => ['RG_SLACK_URL', 'RG_PD_KEY'] };
    expect(JSON.parse((await runExecHook(nodeHook(script), ctx, deps)).output)).toEqual([null, null, 'plain']);
    expect(JSON.parse((await runExecHook(nodeHook(script, { env: ['RG_PD_KEY'] }), ctx, deps)).output)).toEqual([null, 'pd-key-123456', 'plain']);
  });

  it('redacts configured secrets from the output and the error it returns', async () => {
    const script = 'console.log("token is ci-secret-value; url https://hooks.slack.com/services/T/B/xyzzy"); process.exit(3)';
    const redact = (t: string) => t.split('ci-secret-value').join('[redacted]').split('https://hooks.slack.com/services/T/B/xyzzy').join('[redacted]');
    const result = await runExecHook(nodeHook(script), ctx, { env: {}, redact });
    expect(result).toMatchObject({ ok: false, output: 'token is [redacted]; url [redacted]\n', retryable: true });
  });

  it('passes empty strings for an unknown previous version, commit and verdict URL', async () => {
    const bare: HookContext = { deploy: { id: 'd-1', service: 's', environment: 'e', version: 'v', startedAt: 1 }, reason: 'r', findings: [] };
    const script = 'console.log(JSON.stringify([process.env.RG_PREVIOUS_VERSION, process.env.RG_COMMIT, process.env.RG_VERDICT_URL, process.env.RG_FINDINGS]))';
    const result = await runExecHook(nodeHook(script), bare, { env: {} });
    expect(JSON.parse(result.output)).toEqual(['', '', '', '[]']);
  });

  it('captures stdout and stderr in one output and measures duration with the injected clock', async () => {
    let ms = 1000;
    const result = await runExecHook(nodeHook('console.log("out"); console.error("err")'), ctx, { now: () => (ms += 250) });
    expect(result.output).toContain('out\n');
    expect(result.output).toContain('err\n');
    expect(result.durationMs).toBe(250);
  });

  it('reports a non-zero exit with its code, as retryable', async () => {
    const result = await runExecHook(nodeHook('console.error("kubectl: forbidden"); process.exit(3)'), ctx);
    expect(result).toMatchObject({ ok: false, error: 'exec hook "rollback": exited with code 3', retryable: true });
    expect(result.output).toBe('kubectl: forbidden\n');
  });

  it('kills a hook that runs past its timeout and says so', async () => {
    const result = await runExecHook(nodeHook('console.log("started"); setInterval(() => {}, 1000)', { timeout: '1s' }), ctx);
    expect(result.ok).toBe(false);
    expect(result.error).toBe('exec hook "rollback": timed out after 1s and was stopped with SIGTERM');
    expect(result.retryable).toBe(true);
    expect(result.output).toBe('started\n');
  });

  it('escalates to SIGKILL when the hook ignores SIGTERM', async () => {
    const script = 'process.on("SIGTERM", () => console.log("ignoring SIGTERM")); console.log("started"); setInterval(() => {}, 1000)';
    const result = await runExecHook(nodeHook(script, { timeout: '1s' }), ctx, { killGraceMs: 300 });
    expect(result.error).toBe('exec hook "rollback": timed out after 1s and was stopped with SIGKILL');
    expect(result.output).toBe('started\nignoring SIGTERM\n');
  });

  it('names the command and suggests checking the path when it does not exist', async () => {
    const hook = ExecHook.parse({ type: 'exec', name: 'rollback', command: ['./scripts/no-such-rollback.sh', '--to', 'previous'] });
    const result = await runExecHook(hook, ctx, { baseDir: dir });
    expect(result).toMatchObject({ ok: false, retryable: false, output: '' });
    expect(result.error).toContain('cannot run "./scripts/no-such-rollback.sh": no such file (ENOENT)');
    expect(result.error).toContain('check the path in "command"');
  });

  it('runs in cwd resolved against baseDir, and reports a missing cwd before spawning', async () => {
    const ok = await runExecHook(nodeHook('console.log(process.cwd())', { cwd: 'scripts' }), ctx, { baseDir: dir });
    expect(ok.output.trim()).toBe(join(dir, 'scripts'));
    const missing = await runExecHook(nodeHook('0', { cwd: 'nowhere' }), ctx, { baseDir: dir });
    expect(missing.error).toBe(`exec hook "rollback": working directory ${join(dir, 'nowhere')} does not exist; fix "cwd" in the rule file`);
  });

  it('keeps the first 64 KiB of output and marks the cut', async () => {
    const result = await runExecHook(nodeHook('process.stdout.write("x".repeat(70000))'), ctx);
    expect(result.ok).toBe(true);
    expect(result.output).toBe(`${'x'.repeat(65536)}\n[output truncated: 4464 more bytes not kept]`);
  });
});

describe('exec hook with an invalid command', () => {
  it('reports arguments spawn rejects outright instead of throwing', async () => {
    const hook = ExecHook.parse({ type: 'exec', name: 'rollback', command: ['roll\0back'] });
    const result = await runExecHook(hook, ctx);
    expect(result).toMatchObject({ ok: false, retryable: false });
    expect(result.error).toContain('cannot run "roll\\u0000back"');
  });
});
