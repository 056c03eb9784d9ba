// GitLab Deployment Hook: the payload mapping and the token-checked route, using a documented-shape fixture.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gitlabTimeToIso, mapGitLabEvent } from '../../src/api/webhooks/gitlab.js';
import type { DeployView } from '../../src/store/records.js';
import { GITLAB_TOKEN, startApp, type RunningApp } from './start-app.js';

const FIXTURE = new URL('../fixtures/gitlab/deployment-running.json', import.meta.url);
const raw = await readFile(FIXTURE, 'utf8');
const running = (): Record<string, unknown> => JSON.parse(raw) as Record<string, unknown>;

/** What the fixture (GitLab's documented Deployment Hook shape, which has no `ref`) maps to. */
const CHECKOUT = {
  id: 'gitlab-4021',
  service: 'checkout',
  environment: 'production',
  version: '279484c0',
  commit: '279484c09fbe69ededfced8c1bb6e6d24616b468',
  startedAt: 1_763_643_600, // 2025-11-20 14:00:00 +0100
  links: {
    commit: 'https://gitlab.example.com/payments/checkout/-/commit/279484c09fbe69ededfced8c1bb6e6d24616b468',
    job: 'https://gitlab.example.com/payments/checkout/-/jobs/88317',
    environment: 'https://checkout.example.com/',
    repository: 'https://gitlab.example.com/payments/checkout',
  },
  labels: { repository: 'payments/checkout', gitlab_job: '88317' },
};

describe('mapGitLabEvent', () => {
  it('maps a running deployment to a deploy', () => {
    expect(mapGitLabEvent('Deployment Hook', running())).toEqual({ kind: 'ingest', input: CHECKOUT });
  });

  it('uses ref as the version when the payload has one, and project.name without a path', () => {
    const body = { ...running(), status: 'success', ref: 'v4.2.0', project: { name: 'checkout', web_url: null } };
    const out = mapGitLabEvent('Deployment Hook', body);
    expect(out).toEqual({
      kind: 'ingest',
      input: {
        ...CHECKOUT,
        version: 'v4.2.0',
        links: { commit: CHECKOUT.links.commit, job: CHECKOUT.links.job, environment: CHECKOUT.links.environment },
        labels: { gitlab_job: '88317' },
      },
    });
  });

  it('stops on failed and canceled, ignores other statuses and events', () => {
    expect(mapGitLabEvent('Deployment Hook', { ...running(), status: 'failed' })).toEqual({
      kind: 'stop',
      id: 'gitlab-4021',
      reason: 'GitLab reported the deployment failed',
    });
    expect(mapGitLabEvent('Deployment Hook', { ...running(), status: 'canceled' })).toEqual({
      kind: 'stop',
      id: 'gitlab-4021',
      reason: 'GitLab reported the deployment canceled',
    });
    expect(mapGitLabEvent('Deployment Hook', { ...running(), status: 'created' })).toEqual({
      kind: 'ignore',
      reason: 'deployment status created does not start or stop a watch',
    });
    expect(mapGitLabEvent('Push Hook', { object_kind: 'push' })).toEqual({ kind: 'ignore', reason: 'event Push Hook is not handled' });
    expect(mapGitLabEvent('Deployment Hook', { object_kind: 'build' })).toEqual({ kind: 'ignore', reason: 'object_kind build is not handled' });
  });

  it('converts GitLab times to ISO-8601', () => {
    expect(gitlabTimeToIso('2021-04-28 21:50:00 +0200')).toBe('2021-04-28T21:50:00+02:00');
    expect(gitlabTimeToIso('2021-04-28 19:50:00 UTC')).toBe('2021-04-28T19:50:00Z');
    expect(gitlabTimeToIso('2021-04-28T19:50:00Z')).toBe('2021-04-28T19:50:00Z');
  });
});

describe('POST /v1/webhooks/gitlab', () => {
  let app: RunningApp;
  beforeAll(async () => {
    app = await startApp();
  });
  afterAll(async () => {
    await app.close();
  });

  function deliver(body: string, token: string | null, event = 'Deployment Hook') {
    const headers: Record<string, string> = { 'content-type': 'application/json', 'x-gitlab-event': event };
    if (token !== null) headers['x-gitlab-token'] = token;
    return fetch(`${app.url}/v1/webhooks/gitlab`, { method: 'POST', headers, body });
  }

  it('rejects a missing or wrong token with 401', async () => {
    const missing = await deliver(raw, null);
    expect(missing.status).toBe(401);
    expect(((await missing.json()) as { message: string }).message).toContain('missing X-Gitlab-Token');
    const wrong = await deliver(raw, `${GITLAB_TOKEN}-nope`);
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).not.toContain(GITLAB_TOKEN);
    expect(app.intake.ingested).toHaveLength(0);
  });

  it('ingests the running deployment with the right token, idempotently on success', async () => {
    const first = await deliver(raw, GITLAB_TOKEN);
    expect(first.status).toBe(202);
    expect(app.intake.ingested).toEqual([{ input: CHECKOUT, origin: 'gitlab' }]);
    const view = (await first.json()) as DeployView;
    const success = await deliver(JSON.stringify({ ...running(), status: 'success', status_changed_at: '2025-11-20 14:04:00 +0100' }), GITLAB_TOKEN);
    expect(success.status).toBe(200);
    expect(await success.json()).toEqual(view);
  });

  it('stops the watch when GitLab reports the deployment failed', async () => {
    const res = await deliver(JSON.stringify({ ...running(), status: 'failed' }), GITLAB_TOKEN);
    expect(res.status).toBe(200);
    expect(app.intake.stops).toEqual([{ id: 'gitlab-4021', reason: 'GitLab reported the deployment failed' }]);
  });

  it('ignores other hooks with 202', async () => {
    const res = await deliver(JSON.stringify({ object_kind: 'pipeline' }), GITLAB_TOKEN, 'Pipeline Hook');
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ ignored: 'event Pipeline Hook is not handled' });
  });

  it('answers 404 when no GitLab token is configured', async () => {
    const off = await startApp({ auth: { gitlabToken: null } });
    try {
      const res = await fetch(`${off.url}/v1/webhooks/gitlab`, { method: 'POST', headers: { 'x-gitlab-token': 'x' }, body: raw });
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({
        error: 'not configured',
        message:
          'gitlab webhooks are not configured on this guard: set RELEASE_GUARD_GITLAB_TOKEN (or auth.gitlabTokenFile) and restart; see README.md#post-v1webhooksgitlab--gitlab-deployment-hooks',
      });
    } finally {
      await off.close();
    }
  });
});
