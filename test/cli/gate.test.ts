// `release-guard deploy --wait` and `wait` against a live guard with demo deploys: the gate's exit codes and what CI logs show.
// Two cases run the real command as a child process (exit status, commander); the rest call the same command
// functions in-process (a child costs ~5–20 s of tsx start-up on a loaded machine).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDeploy, type DeployFlags } from '../../src/cli/deploy.js';
import { runWait } from '../../src/cli/wait.js';
import { freePort } from '../integration/guard-process.js';
import { captureIo, runCli, startLiveGuard, type LiveGuard } from './live-guard.js';

let live: LiveGuard;
/** Bearer until the server verifies the signed scheme (issue #8); the signed headers are tested in guard-client.test.ts. */
const env = { RELEASE_GUARD_AUTH: 'bearer' };
/** A child's tsx start-up takes 5–90 s on a loaded 2-core machine. */
const CHILD_MS = 240_000;
let target: { url: string; tokenFile: string; pollInterval: string };

beforeAll(async () => {
  live = await startLiveGuard();
  target = { url: live.guard.url, tokenFile: live.tokenFile, pollInterval: '0.2s' };
});
afterAll(async () => {
  await live?.close();
});

async function deploy(service: string, version: string, behaviour: string, extra: Partial<DeployFlags>) {
  const io = captureIo(env);
  const code = await runDeploy(
    { service, environment: 'production', version, previousVersion: 'v0.9.0', label: [`demo=${behaviour}`], ...target, ...extra },
    io,
  );
  return { code, out: io.text(), err: io.errors.join('\n') };
}

describe('deploy --wait and wait against a live guard', () => {
  it(
    'as a command: a healthy deploy passes with exit 0, the review link and the verdict in plain lines',
    async () => {
      const r = await runCli(
        [
          'deploy',
          '-s',
          'demo-shop',
          '-e',
          'staging',
          '--version',
          'v1.0.0',
          '--label',
          'demo=healthy',
          '--id',
          'gate-pass',
          '--url',
          live.guard.url,
          '--token-file',
          live.tokenFile,
          '--poll-interval',
          '0.2s',
          '--wait',
          '--timeout',
          '60s',
        ],
        env,
      );
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      const lines = r.out.trim().split('\n');
      expect(lines[0]).toBe('posted: deploy gate-pass of demo-shop/staging v1.0.0');
      expect(lines[1]).toBe(`review: ${live.guard.url}/ui/deploys/gate-pass`);
      expect(lines.at(-1)).toMatch(/^verdict: pass — /);
      // Not a terminal: no cursor movement in the log.
      expect(r.out).not.toContain('\x1b');
    },
    CHILD_MS,
  );

  it(
    'as a command: a missing flag is exit 2, not 1 (1 means "fail" to a pipeline)',
    async () => {
      const r = await runCli(['deploy', '-s', 'a', '--url', live.guard.url], env);
      expect(r.code).toBe(2);
      expect(r.err).toContain("required option '-e, --environment <name>' not specified");
    },
    CHILD_MS,
  );

  it('a broken deploy fails: 1, the finding as it was established, then the verdict with its reason and the rollback', async () => {
    const r = await deploy('demo-shop', 'v1.1.0', 'broken-errors', { id: 'gate-fail', wait: true, timeout: '60s' });
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^finding P1 error-rate-spike at \+\d+m: error_rate \d+\.\d+% vs baseline/m);
    expect(r.out).toMatch(/^verdict: fail P1 — rollback: error-rate-spike/m);
    expect(r.out).toMatch(/^action rollback → demo-rollback: (succeeded|running|pending)/m);
    expect(r.out.indexOf('finding P1 error-rate-spike')).toBeLessThan(r.out.indexOf('verdict:'));
  }, 60_000);

  it('wait on a deploy posted otherwise, whose source goes blind: 3 inconclusive', async () => {
    expect(await live.post({ id: 'gate-blind', service: 'blind-shop', environment: 'production', version: 'v2.0.0', labels: { demo: 'flaky-source' } })).toBe(
      202,
    );
    const io = captureIo(env);
    const code = await runWait('gate-blind', { ...target, timeout: '150s' }, io);
    expect(code).toBe(3);
    expect(io.lines[0]).toBe(`waiting for the verdict on deploy gate-blind (up to 150s): ${live.guard.url}/ui/deploys/gate-blind`);
    expect(io.text()).toMatch(/^finding P3 source-blind:error_rate at \+\d+m: /m);
    expect(io.text()).toMatch(/^verdict: inconclusive/m);
  }, 180_000);

  it('a watch longer than --timeout: 4, and the guard keeps watching', async () => {
    const r = await deploy('slow-shop', 'v3.0.0', 'healthy', { id: 'gate-slow', wait: true, timeout: '2s' });
    expect(r.code).toBe(4);
    expect(r.out).toMatch(
      /^timed out: still watching after the timeout \(2s\); the guard keeps watching — watching slow-shop\/production v3\.0\.0: \d+ of \d+ min$/m,
    );
    expect(await runWait('gate-slow', { ...target, timeout: '1s' }, captureIo(env))).toBe(4);
  }, 60_000);

  it('2 when it cannot run: unknown deploy, guard unreachable, no token, bad timeout, refused deploy', async () => {
    const unknown = captureIo(env);
    expect(await runWait('no-such-deploy', { ...target, timeout: '5s' }, unknown)).toBe(2);
    expect(unknown.text()).toContain(`no deploy with id no-such-deploy at ${live.guard.url}`);
    const down = captureIo(env);
    const closed = `http://127.0.0.1:${await freePort()}`;
    expect(await runWait('gate-pass', { ...target, url: closed, timeout: '1s' }, down)).toBe(2);
    expect(down.lines.slice(1)).toEqual([
      `warning: cannot reach the guard at ${closed} (ECONNREFUSED); check --url / RELEASE_GUARD_URL; still waiting`,
      `could not follow deploy gate-pass: cannot reach the guard at ${closed} (ECONNREFUSED); check --url / RELEASE_GUARD_URL`,
    ]);
    const noToken = captureIo(env);
    expect(await runDeploy({ service: 'a', environment: 'b', version: 'c', url: live.guard.url }, noToken)).toBe(2);
    expect(noToken.errors).toEqual(['release-guard deploy: no CI token: set RELEASE_GUARD_TOKEN (e.g. from your CI secret store) or pass --token-file FILE']);
    const badTimeout = captureIo(env);
    expect(await runWait('x', { ...target, timeout: 'soon' }, badTimeout)).toBe(2);
    expect(badTimeout.errors[0]).toContain('--timeout "soon" is not a duration');
    const refused = await deploy('bad service!', 'v1', 'healthy', { id: 'gate-bad' });
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/^release-guard deploy: POST \/v1\/deploys answered 400: invalid deploy — service: may contain only letters/);
  }, 60_000);

  it('a repeated post with the same id attaches to the deploy already there', async () => {
    const first = await deploy('demo-shop', 'v1.2.0', 'healthy', { id: 'gate-again' });
    const again = await deploy('demo-shop', 'v1.2.0', 'healthy', { id: 'gate-again' });
    expect(first.out.split('\n')[0]).toBe('posted: deploy gate-again of demo-shop/production v1.2.0');
    expect(again.out.split('\n')[0]).toBe('already posted (same id): deploy gate-again of demo-shop/production v1.2.0');
  });

  it('sends the signed scheme by default and the guard accepts it', async () => {
    const io = captureIo({});
    const code = await runDeploy(
      { service: 'demo-shop', environment: 'production', version: 'v1', id: 'gate-signed', url: live.guard.url, tokenFile: live.tokenFile },
      io,
    );
    expect(io.errors).toEqual([]);
    expect(code).toBe(0);
  });
});
