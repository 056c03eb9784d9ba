// GitHub webhooks: the signature check, the payload mapping, and the route, using @octokit/webhooks-examples payloads.
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signSha256, verifySha256Signature } from '../../src/api/signature.js';
import { mapGitHubEvent } from '../../src/api/webhooks/github.js';
import type { DeployView } from '../../src/store/records.js';
import { GITHUB_SECRET, startApp, type RunningApp } from './start-app.js';

interface Definition {
  name: string;
  examples: Array<Record<string, unknown>>;
}
const definitions = createRequire(import.meta.url)('@octokit/webhooks-examples') as Definition[];

function example(name: string, match: (e: Record<string, unknown>) => boolean = () => true): Record<string, unknown> {
  const found = definitions.find((d) => d.name === name)?.examples.find(match);
  if (!found) throw new Error(`no ${name} example in @octokit/webhooks-examples`);
  return structuredClone(found);
}
const stateIs = (state: string) => (e: Record<string, unknown>) => (e.deployment_status as { state?: string } | undefined)?.state === state;

const DELIVERY = '72d3162e-cc78-11e3-81ab-4c9367dc0958';
/** What every @octokit deployment example (Codertocat/Hello-World, deployment 145988746) maps to. */
const HELLO_WORLD = {
  id: 'github-145988746',
  service: 'Hello-World',
  environment: 'production',
  version: 'master',
  commit: 'f95f852bd8fca8fcc58a9a2d6c842781e32a215e',
  startedAt: 1_557_933_653, // 2019-05-15T15:20:53Z
  links: {
    deployment: 'https://api.github.com/repos/Codertocat/Hello-World/deployments/145988746',
    repository: 'https://github.com/Codertocat/Hello-World',
  },
  labels: { repository: 'Codertocat/Hello-World', github_delivery: DELIVERY },
};

describe('GitHub signature verification', () => {
  it('matches the test vector from GitHub', () => {
    const header = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';
    expect(signSha256("It's a Secret to Everybody", 'Hello, World!')).toBe(header);
    expect(verifySha256Signature("It's a Secret to Everybody", Buffer.from('Hello, World!'), header)).toBe(true);
    expect(verifySha256Signature("It's a Secret to Everybody", Buffer.from('Hello, World!'), header.toUpperCase().replace('SHA256', 'sha256'))).toBe(true);
  });

  it('rejects another body, another secret, a truncated or missing header', () => {
    const header = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';
    expect(verifySha256Signature("It's a Secret to Everybody", Buffer.from('Hello, World?'), header)).toBe(false);
    expect(verifySha256Signature('another secret', Buffer.from('Hello, World!'), header)).toBe(false);
    expect(verifySha256Signature("It's a Secret to Everybody", Buffer.from('Hello, World!'), header.slice(0, -2))).toBe(false);
    expect(verifySha256Signature("It's a Secret to Everybody", Buffer.from('Hello, World!'), undefined)).toBe(false);
  });
});

describe('mapGitHubEvent', () => {
  it('maps the deployment example to a deploy', () => {
    expect(mapGitHubEvent('deployment', example('deployment'), DELIVERY)).toEqual({ kind: 'ingest', input: HELLO_WORLD });
  });

  it('takes service, previousVersion and labels from deployment.payload', () => {
    const e = example('deployment');
    (e.deployment as Record<string, unknown>).payload = { service: 'hello-api', previousVersion: 'v0.9', labels: { team: 'web', n: 3 } };
    const out = mapGitHubEvent('deployment', e, undefined);
    expect(out).toEqual({
      kind: 'ingest',
      input: { ...HELLO_WORLD, service: 'hello-api', previousVersion: 'v0.9', labels: { team: 'web', repository: 'Codertocat/Hello-World' } },
    });
  });

  it('maps deployment_status success to the same deploy, failure/error to a stop, others to ignore', () => {
    expect(mapGitHubEvent('deployment_status', example('deployment_status', stateIs('success')), DELIVERY)).toEqual({ kind: 'ingest', input: HELLO_WORLD });
    const failed = example('deployment_status', stateIs('success'));
    (failed.deployment_status as Record<string, unknown>).state = 'error';
    expect(mapGitHubEvent('deployment_status', failed, DELIVERY)).toEqual({
      kind: 'stop',
      id: 'github-145988746',
      reason: 'GitHub reported the deployment error',
    });
    expect(mapGitHubEvent('deployment_status', example('deployment_status', stateIs('in_progress')), DELIVERY)).toEqual({
      kind: 'ignore',
      reason: 'deployment_status in_progress does not start or stop a watch',
    });
  });

  it('answers ping, ignores other events and reports malformed payloads', () => {
    expect(mapGitHubEvent('ping', example('ping'), DELIVERY)).toEqual({ kind: 'ping' });
    expect(mapGitHubEvent('push', {}, DELIVERY)).toEqual({ kind: 'ignore', reason: 'event push is not handled' });
    const out = mapGitHubEvent('deployment', { action: 'created', repository: {} }, DELIVERY);
    expect(out.kind).toBe('invalid');
    if (out.kind === 'invalid') expect(out.issues.map((i) => i.path)).toContain('deployment');
  });

  it('reports a GitHub environment that is not a valid release-guard name', () => {
    const e = example('deployment');
    (e.deployment as Record<string, unknown>).environment = 'Production EU';
    const out = mapGitHubEvent('deployment', e, DELIVERY);
    expect(out.kind === 'invalid' && out.issues.map((i) => i.path)).toEqual(['environment']);
  });
});

describe('POST /v1/webhooks/github', () => {
  let app: RunningApp;
  beforeAll(async () => {
    app = await startApp();
  });
  afterAll(async () => {
    await app.close();
  });

  function deliver(event: string, payload: unknown, signature?: (raw: string) => string, delivery: string = randomUUID()) {
    const raw = JSON.stringify(payload);
    const headers: Record<string, string> = { 'content-type': 'application/json', 'x-github-event': event, 'x-github-delivery': delivery };
    const sig = signature ?? ((b: string) => signSha256(GITHUB_SECRET, b));
    const value = sig(raw);
    if (value) headers['x-hub-signature-256'] = value;
    return fetch(`${app.url}/v1/webhooks/github`, { method: 'POST', headers, body: raw });
  }

  it('rejects an unsigned delivery and a wrongly signed one with 401', async () => {
    const unsigned = await deliver('deployment', example('deployment'), () => '');
    expect(unsigned.status).toBe(401);
    expect(((await unsigned.json()) as { message: string }).message).toContain('missing X-Hub-Signature-256');
    const wrong = await deliver('deployment', example('deployment'), (b) => signSha256('not-the-secret', b));
    expect(wrong.status).toBe(401);
    expect(app.intake.ingested).toHaveLength(0);
  });

  it('ingests the signed deployment example, then treats deployment_status success as the same deploy', async () => {
    const first = await deliver('deployment', example('deployment'), undefined, DELIVERY);
    expect(first.status).toBe(202);
    expect(app.intake.ingested).toEqual([{ input: HELLO_WORLD, origin: 'github' }]);
    const view = (await first.json()) as DeployView;
    expect(view.deploy.id).toBe('github-145988746');

    const second = randomUUID();
    const status = await deliver('deployment_status', example('deployment_status', stateIs('success')), undefined, second);
    expect(status.status).toBe(200);
    expect(await status.json()).toEqual(view);
    expect(app.intake.ingested.at(-1)).toEqual({ input: { ...HELLO_WORLD, labels: { ...HELLO_WORLD.labels, github_delivery: second } }, origin: 'github' });
  });

  it('processes a delivery GUID once: a redelivery (same X-GitHub-Delivery) changes nothing', async () => {
    const guid = randomUUID();
    const payload = example('deployment');
    (payload.deployment as Record<string, unknown>).id = 777;
    const first = await deliver('deployment', payload, undefined, guid);
    expect(first.status).toBe(202);
    const before = app.intake.ingested.length;
    const again = await deliver('deployment', payload, undefined, guid);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ duplicate: `delivery ${guid} was already processed; nothing changed` });
    expect(app.intake.ingested).toHaveLength(before);
  });

  it('stops the watch on deployment_status failure', async () => {
    const failed = example('deployment_status', stateIs('success'));
    (failed.deployment_status as Record<string, unknown>).state = 'failure';
    const res = await deliver('deployment_status', failed);
    expect(res.status).toBe(200);
    expect(app.intake.stops).toEqual([{ id: 'github-145988746', reason: 'GitHub reported the deployment failure' }]);
    expect(((await res.json()) as DeployView).watch?.status).toBe('stopped');
  });

  it('answers ping, ignored states and unhandled events', async () => {
    const ping = await deliver('ping', example('ping'));
    expect(ping.status).toBe(200);
    expect(await ping.json()).toEqual({ ok: true });
    const inProgress = await deliver('deployment_status', example('deployment_status', stateIs('in_progress')));
    expect(inProgress.status).toBe(202);
    expect(await inProgress.json()).toEqual({ ignored: 'deployment_status in_progress does not start or stop a watch' });
    const push = await deliver('push', { ref: 'refs/heads/main' });
    expect(push.status).toBe(202);
    expect(await push.json()).toEqual({ ignored: 'event push is not handled' });
  });

  it('answers 404 with how to enable it when no GitHub secret is configured', async () => {
    const off = await startApp({ auth: { githubSecret: null } });
    try {
      const res = await fetch(`${off.url}/v1/webhooks/github`, { method: 'POST', headers: { 'x-github-event': 'ping' }, body: '{}' });
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({
        error: 'not configured',
        message:
          'github webhooks are not configured on this guard: set RELEASE_GUARD_GITHUB_SECRET (or auth.githubSecretFile) and restart; see README.md#post-v1webhooksgithub--github-deployment-events',
      });
    } finally {
      await off.close();
    }
  });
});
