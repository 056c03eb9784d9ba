// The secrets test: a real daemon (child process) runs with known secrets through every feature — bearer and signed
// CI calls, GitHub and GitLab webhooks, silences, a rollback through an exec and an http hook, PagerDuty, Slack and
// email alerts, export — then logs, API answers, /metrics, the export, the hook's environment and everything stored
// are searched for each secret: zero hits.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signRequest, signSha256 } from '../../src/api/signature.js';
import { openDb } from '../../src/store/sqlite/db.js';
import type { DeployView } from '../../src/store/records.js';
import { freePort, startGuardProcess, type GuardProcess } from './guard-process.js';
import { ROUTING_KEY, startNotifyRig, until, type NotifyRig } from './notify-rig.js';

const SECRETS = {
  RELEASE_GUARD_TOKEN: 'S1-ci-token-7f3a9c2e41',
  RELEASE_GUARD_ADMIN_TOKEN: 'S2-admin-token-b8d0e6f317',
  RELEASE_GUARD_GITHUB_SECRET: 'S3-github-secret-5c1e9a7d20',
  RELEASE_GUARD_GITLAB_TOKEN: 'S4-gitlab-token-e2b7f04c96',
  DEPLOY_TOKEN: 'S5-deploy-token-passed-to-hook-91ac',
  RG_HOOK_SECRET: 'S6-http-hook-hmac-key-0d4e8b',
};
const HOOK_HEADER_SECRET = 'S7-hook-authorization-header-3f9a';
const ROOT = path.resolve(import.meta.dirname, '../..');

let rig: NotifyRig;
let guard: GuardProcess;
let echo: Server;
let envDump: string;
let configFile: string;
const answers: string[] = [];

/** Every value that must never be seen, including the secret parts of channel URLs. */
function secretValues(): string[] {
  return [...Object.values(SECRETS), HOOK_HEADER_SECRET, ROUTING_KEY, rig.slackUrl, new URL(rig.slackUrl).pathname];
}

async function call(method: string, route: string, opts: { headers?: Record<string, string>; body?: unknown } = {}): Promise<Response> {
  const body = opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
  const res = await fetch(`${guard.url}${route}`, { method, headers: { 'content-type': 'application/json', ...opts.headers }, body });
  const text = await res.text();
  answers.push(`${method} ${route} ${res.status} ${JSON.stringify(Object.fromEntries(res.headers))}\n${text}`);
  return new Response(text, { status: res.status });
}
const ci = { authorization: `Bearer ${SECRETS.RELEASE_GUARD_TOKEN}` };
const admin = { authorization: `Bearer ${SECRETS.RELEASE_GUARD_ADMIN_TOKEN}` };

beforeAll(async () => {
  echo = createServer((req, res) => {
    // A careless receiver that echoes every header (signature, Authorization) back into the hook's output.
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(JSON.stringify(req.headers));
  });
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
  const echoUrl = `http://127.0.0.1:${(echo.address() as AddressInfo).port}/rollback?x=1`;
  rig = await startNotifyRig();
  envDump = path.join(rig.dir, 'hook-env.json');
  const script = `const fs=require('fs');fs.writeFileSync(${JSON.stringify(envDump)},JSON.stringify(process.env));console.log('env:',JSON.stringify(process.env));console.log('token used:',process.env.DEPLOY_TOKEN)`;
  await writeFile(
    path.join(rig.rulesDir, 'vault.yaml'),
    [
      'match: {service: vault}',
      'hooks:',
      '  rollback:',
      `    - {type: exec, name: dump, command: [node, -e, ${JSON.stringify(script)}], env: [DEPLOY_TOKEN]}`,
      `    - {type: http, name: echo, url: ${JSON.stringify(echoUrl)}, secretEnv: RG_HOOK_SECRET, headers: {Authorization: ${JSON.stringify(`Bearer ${HOOK_HEADER_SECRET}`)}}}`,
    ].join('\n'),
  );
  configFile = path.join(rig.dir, 'release-guard.yaml');
  const config = {
    dataDir: './data',
    rulesDir: './rules',
    logLevel: 'debug',
    sources: { demo: { type: 'demo', seed: 5, timeScale: 60 } },
    defaultSource: 'demo',
    notifications: rig.notifications(),
  };
  await writeFile(configFile, JSON.stringify(config, null, 2));
  guard = await startGuardProcess(configFile, await freePort(), { ...rig.env, ...SECRETS }, 90_000);
}, 120_000);

afterAll(async () => {
  guard?.child.kill('SIGKILL');
  await rig?.close();
  await new Promise((r) => echo?.close(r));
});

describe('secrets never leave the guard', () => {
  it('after every feature ran, no secret is in logs, answers, /metrics, the export, the hook environment or the store', async () => {
    const now = () => Math.floor(Date.now() / 1000);
    // CI: bearer, signed, wrong credentials, reads.
    expect(
      (
        await call('POST', '/v1/deploys', {
          headers: ci,
          body: { id: 'sec-broken', service: 'vault', environment: 'production', version: 'v2', previousVersion: 'v1', labels: { demo: 'outage' } },
        })
      ).status,
    ).toBe(202);
    const signedBody = JSON.stringify({ id: 'sec-signed', service: 'vault', environment: 'staging', version: 'v3', labels: { demo: 'healthy' } });
    expect(
      (
        await call('POST', '/v1/deploys', {
          headers: signRequest(SECRETS.RELEASE_GUARD_TOKEN, { timestamp: now(), method: 'POST', path: '/v1/deploys', body: signedBody }),
          body: signedBody,
        })
      ).status,
    ).toBe(202);
    expect((await call('POST', '/v1/deploys', { headers: { authorization: `Bearer ${SECRETS.RELEASE_GUARD_TOKEN}x` }, body: signedBody })).status).toBe(401);
    expect(
      (
        await call('POST', '/v1/deploys', {
          headers: signRequest(SECRETS.RELEASE_GUARD_ADMIN_TOKEN, { timestamp: now(), method: 'POST', path: '/v1/deploys', body: signedBody }),
          body: signedBody,
        })
      ).status,
    ).toBe(401);
    // Webhooks.
    const gh = JSON.stringify({
      action: 'created',
      deployment: {
        id: 4242,
        url: 'https://api.github.com/repos/o/vault/deployments/4242',
        environment: 'qa',
        ref: 'v9',
        sha: 'a'.repeat(40),
        created_at: new Date().toISOString(),
        payload: { labels: { demo: 'healthy' } },
      },
      repository: { name: 'vault', full_name: 'o/vault', html_url: 'https://github.com/o/vault' },
    });
    expect(
      (
        await call('POST', '/v1/webhooks/github', {
          headers: {
            'x-github-event': 'deployment',
            'x-github-delivery': randomUUID(),
            'x-hub-signature-256': signSha256(SECRETS.RELEASE_GUARD_GITHUB_SECRET, gh),
          },
          body: gh,
        })
      ).status,
    ).toBe(202);
    expect(
      (await call('POST', '/v1/webhooks/github', { headers: { 'x-github-event': 'deployment', 'x-hub-signature-256': signSha256('wrong', gh) }, body: gh }))
        .status,
    ).toBe(401);
    const gl = {
      object_kind: 'deployment',
      status: 'running',
      deployment_id: 77,
      deployable_id: 1,
      environment: 'dev',
      ref: 'v5',
      short_sha: 'abc1234',
      status_changed_at: new Date().toISOString(),
      project: { name: 'vault', path_with_namespace: 'g/vault', web_url: 'https://gitlab.example.com/g/vault' },
    };
    expect(
      (
        await call('POST', '/v1/webhooks/gitlab', {
          headers: { 'x-gitlab-event': 'Deployment Hook', 'x-gitlab-token': SECRETS.RELEASE_GUARD_GITLAB_TOKEN },
          body: gl,
        })
      ).status,
    ).toBe(202);
    expect((await call('POST', '/v1/webhooks/gitlab', { headers: { 'x-gitlab-event': 'Deployment Hook', 'x-gitlab-token': 'nope' }, body: gl })).status).toBe(
      401,
    );
    // Silences (admin).
    expect(
      (await call('POST', '/v1/silences', { headers: admin, body: { service: 'nothing-here', duration: '1h', createdBy: 'alice', reason: 'test' } })).status,
    ).toBe(201);
    await call('GET', '/v1/silences', { headers: admin });

    // The outage rolls back through both hooks and alerts PagerDuty, Slack and email.
    const done = await until(
      'both rollback hooks finished',
      async () => {
        const v = (await (await call('GET', '/v1/deploys/sec-broken', { headers: ci })).json()) as DeployView;
        const hooks = v.actions.filter((a) => a.kind === 'rollback');
        return hooks.length === 2 && hooks.every((a) => a.status === 'succeeded' || a.status === 'failed') ? v : null;
      },
      60_000,
    );
    expect(
      done.actions
        .filter((a) => a.kind === 'rollback')
        .map((a) => [a.target, a.status])
        .sort(),
    ).toEqual([
      ['dump', 'succeeded'],
      ['echo', 'succeeded'],
    ]);
    const dumpOutput = done.actions.find((a) => a.target === 'dump')?.output ?? '';
    expect(dumpOutput).toContain('token used: [redacted]');
    await until('an alert reached Slack', () => rig.slack.accepted.length > 0);
    await until('an alert reached PagerDuty', () => rig.pd.accepted.length > 0);
    await call('GET', '/v1/deploys', { headers: ci });
    await call('GET', '/v1/deploys/sec-signed', { headers: ci });
    const metrics = await (await fetch(`${guard.url}/metrics`)).text();

    const exported = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT, 'src/cli/index.ts'), 'export', 'sec-broken', '--config', configFile],
      { cwd: ROOT, env: { PATH: process.env.PATH ?? '' } },
    );
    const hookEnv = JSON.parse(await readFile(envDump, 'utf8')) as Record<string, string>;
    // The hook got only PATH, HOME, RG_* and what its rule named (DEPLOY_TOKEN), never the guard's own secrets.
    expect(Object.keys(hookEnv).filter((k) => k.startsWith('RELEASE_GUARD_'))).toEqual([]);
    expect(hookEnv.DEPLOY_TOKEN).toBe(SECRETS.DEPLOY_TOKEN);

    guard.child.kill('SIGTERM');
    await guard.exited;
    const db = await openDb(path.join(rig.dir, 'data', 'release-guard.db'));
    const stored = JSON.stringify([await db.all('SELECT * FROM deliveries'), await db.all('SELECT * FROM deploys'), await db.all('SELECT * FROM findings')]);
    await db.close();

    const places: Record<string, string> = {
      logs: guard.output(),
      'API answers': answers.join('\n'),
      '/metrics': metrics,
      export: exported.stdout + exported.stderr,
      'hook environment': JSON.stringify(Object.fromEntries(Object.entries(hookEnv).filter(([k]) => k !== 'DEPLOY_TOKEN'))),
      'stored actions, deliveries, deploys, findings': stored,
    };
    expect(guard.output().length).toBeGreaterThan(1000);
    const hits = Object.entries(places).flatMap(([place, text]) =>
      secretValues()
        .filter((s) => text.includes(s))
        .map((s) => `${place}: ${s.slice(0, 6)}…`),
    );
    expect(hits).toEqual([]);
  }, 120_000);
});
