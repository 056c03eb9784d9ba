// Review defects at the HTTP edge: malformed percent-escapes, reserved webhook ids, conflicting repeats, control
// characters in webhook payloads, and secrets redacted from every answer.
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { signSha256 } from '../../src/api/signature.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { DeployConflictError } from '../../src/watch/deploy-conflict.js';
import { FakeIntake } from './fake-intake.js';
import { CI_TOKEN, GITHUB_SECRET, GITLAB_TOKEN, startApp, type RunningApp } from './start-app.js';

let app: RunningApp | null = null;
afterEach(async () => {
  await app?.close();
  app = null;
});

const auth = { authorization: `Bearer ${CI_TOKEN}`, 'content-type': 'application/json' };
const post = (url: string, body: unknown) => fetch(`${url}/v1/deploys`, { method: 'POST', headers: auth, body: JSON.stringify(body) });

function capture() {
  const lines: string[] = [];
  const logger = createLogger({ destination: new Writable({ write: (c, _e, cb) => (lines.push(String(c)), cb()) }) });
  return { lines, logger };
}

describe('malformed percent-escapes', () => {
  it.each(['/v1/deploys/%ZZ', '/v1/deploys/%E0%A4%A', '/v1/deploys/%'])('answers 400 for %s, before auth, and logs no error', async (path) => {
    const { lines, logger } = capture();
    app = await startApp({ logger });
    for (const headers of [{}, { authorization: `Bearer ${CI_TOKEN}` }] as Array<Record<string, string>>) {
      const res = await fetch(`${app.url}${path}`, { headers });
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ error: 'bad request', message: 'the path has a malformed percent-escape (use %XX with two hex digits)' });
    }
    expect(lines.filter((l) => JSON.parse(l).level >= 50)).toEqual([]);
  });
});

describe('deploy ids', () => {
  it.each(['github-1', 'GitLab-42'])('refuses the CI token an id in a webhook namespace (%s)', async (id) => {
    app = await startApp();
    const res = await post(app.url, { service: 'checkout', environment: 'production', version: 'v1', id });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { issues: Array<{ path: string; message: string }> };
    expect(body.issues).toEqual([{ path: 'id', message: expect.stringContaining('are reserved for deploys from the') }]);
    expect(app.intake.ingested).toEqual([]);
  });

  it('answers a repeated id with different facts 409, listing the differing fields', async () => {
    const intake = new FakeIntake();
    intake.ingest = async (input) => {
      throw new DeployConflictError(input.id!, ['version', 'labels']);
    };
    app = await startApp({ intake });
    const res = await post(app.url, { service: 'checkout', environment: 'production', version: 'v2', id: 'ci-7' });
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual({
      error: 'conflict',
      message: 'deploy ci-7 already exists with different version, labels; a repeated id must repeat the same deploy (send a new id for a new deploy)',
      fields: ['version', 'labels'],
    });
  });
});

describe('control characters from webhooks', () => {
  it('refuses a GitHub deployment whose sha or ref holds a NUL byte (it would break the exec hook for good)', async () => {
    app = await startApp();
    const payload = {
      action: 'created',
      deployment: {
        id: 9,
        url: 'https://api.github.com/repos/o/r/deployments/9',
        environment: 'production',
        ref: 'v1\u0000',
        sha: 'abc\u0000',
        created_at: new Date().toISOString(),
        payload: { previousVersion: 'v0\u0000x' },
      },
      repository: { name: 'r', full_name: 'o/r', html_url: 'https://github.com/o/r' },
    };
    const raw = JSON.stringify(payload);
    const res = await fetch(`${app.url}/v1/webhooks/github`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'deployment',
        'x-github-delivery': 'd-nul',
        'x-hub-signature-256': signSha256(GITHUB_SECRET, raw),
      },
      body: raw,
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { issues: Array<{ path: string }> };
    expect(body.issues.map((i) => i.path).sort()).toEqual(['commit', 'previousVersion', 'version']);
    expect(app.intake.ingested).toEqual([]);
  });

  it('refuses a GitLab deployment with a control character in its ref', async () => {
    app = await startApp();
    const payload = {
      object_kind: 'deployment',
      status: 'running',
      deployment_id: 5,
      deployable_id: 1,
      environment: 'production',
      ref: 'v1\u001b[31m',
      short_sha: 'abc1234',
      status_changed_at: '2025-11-20 13:00:00 UTC',
      project: { name: 'shop', path_with_namespace: 'g/shop', web_url: 'https://gitlab.example.com/g/shop' },
    };
    const res = await fetch(`${app.url}/v1/webhooks/gitlab`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-gitlab-event': 'Deployment Hook', 'x-gitlab-token': GITLAB_TOKEN },
      body: JSON.stringify(payload),
    });
    expect(res.status).toBe(400);
    expect(app.intake.ingested).toEqual([]);
  });
});

describe('redaction', () => {
  it('replaces configured secrets in every deploy the API returns', async () => {
    const redact = <T>(v: T): T => JSON.parse(JSON.stringify(v).split('hunter2-secret').join('[redacted]')) as T;
    app = await startApp({ redact });
    const created = await post(app.url, { service: 'checkout', environment: 'production', version: 'v1', id: 'r-1', labels: { note: 'hunter2-secret' } });
    expect(JSON.stringify(await created.json())).not.toContain('hunter2-secret');
    const one = await fetch(`${app.url}/v1/deploys/r-1`, { headers: auth });
    const list = await fetch(`${app.url}/v1/deploys`, { headers: auth });
    for (const res of [one, list]) {
      const text = await res.text();
      expect(text).toContain('[redacted]');
      expect(text).not.toContain('hunter2-secret');
    }
  });
});
