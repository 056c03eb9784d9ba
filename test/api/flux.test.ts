// Flux notification events → deploys: the mapping, and the route with generic-hmac's X-Signature against the real app.
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mapFluxEvent } from '../../src/api/webhooks/flux.js';
import { CI_TOKEN, startApp, type RunningApp } from './start-app.js';

/** A kustomize-controller event as notification-controller forwards it, with an Alert's eventMetadata. */
const event = (over: Record<string, unknown> = {}) => ({
  involvedObject: {
    kind: 'Kustomization',
    namespace: 'flux-system',
    name: 'checkout',
    uid: 'cc4d0095-e64b-4d3e-8d4f-1e0d5e2f7f10',
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
  },
  severity: 'info',
  timestamp: '2026-11-29T16:00:00Z',
  message: 'Reconciliation finished in 1.2s, next run in 10m0s',
  reason: 'ReconciliationSucceeded',
  metadata: { 'kustomize.toolkit.fluxcd.io/revision': 'main@sha1:8d8f4b1ba3b2d0a1f63a1e8ec0a2c6f93c1b2a4e', service: 'checkout', environment: 'production' },
  reportingController: 'kustomize-controller',
  reportingInstance: 'kustomize-controller-7f5c6c6d9-x2x7l',
  ...over,
});

describe('Flux events', () => {
  it('a successful reconciliation with a revision starts a watch named by object and revision', () => {
    expect(mapFluxEvent(event())).toEqual({
      kind: 'ingest',
      input: {
        id: 'flux-kustomization-flux-system-checkout-8d8f4b1ba3b2d0a1f63a1e8ec0a2c6f93c1b2a4e',
        service: 'checkout',
        environment: 'production',
        version: 'main@sha1:8d8f4b1ba3b2d0a1f63a1e8ec0a2c6f93c1b2a4e',
        commit: '8d8f4b1ba3b2d0a1f63a1e8ec0a2c6f93c1b2a4e',
        startedAt: 1795968000,
        labels: { 'flux/kind': 'Kustomization', 'flux/object': 'flux-system/checkout' },
      },
    });
  });

  it('a failed rollout stops that revision; other reasons and events without a revision are ignored', () => {
    expect(mapFluxEvent(event({ reason: 'ReconciliationFailed', severity: 'error' }))).toMatchObject({
      kind: 'stop',
      id: 'flux-kustomization-flux-system-checkout-8d8f4b1ba3b2d0a1f63a1e8ec0a2c6f93c1b2a4e',
    });
    expect(mapFluxEvent(event({ reason: 'Progressing' }))).toMatchObject({ kind: 'ignore' });
    expect(mapFluxEvent(event({ metadata: {} }))).toMatchObject({ kind: 'ignore', reason: expect.stringContaining('without a revision') });
    expect(mapFluxEvent({ reason: 1 })).toMatchObject({ kind: 'invalid', error: 'invalid Flux event' });
  });

  it('hostile names do not pass: the deploy schema refuses them field by field', () => {
    expect(mapFluxEvent(event({ metadata: { revision: 'v1', service: 'a b\u001b[2J' } }))).toMatchObject({
      kind: 'invalid',
      issues: [expect.objectContaining({ path: 'service' })],
    });
  });
});

describe('POST /v1/webhooks/flux', () => {
  let app: RunningApp;
  beforeAll(async () => {
    app = await startApp();
  });
  afterAll(async () => {
    await app.close();
  });
  const post = (body: string, headers: Record<string, string>) =>
    fetch(`${app.url}/v1/webhooks/flux`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

  it('accepts generic-hmac (X-Signature: sha256=<hmac of the body with the CI token>) and a bearer token', async () => {
    const body = JSON.stringify(event());
    const signed = await post(body, { 'x-signature': `sha256=${createHmac('sha256', CI_TOKEN).update(body).digest('hex')}` });
    expect(signed.status).toBe(202);
    expect(app.intake.ingested.at(-1)).toMatchObject({ origin: 'api', input: { service: 'checkout', environment: 'production' } });
    expect((await post(body, { authorization: `Bearer ${CI_TOKEN}` })).status).toBe(200);
  });

  it('refuses a wrong signature or no credentials with 401', async () => {
    const body = JSON.stringify(event());
    expect((await post(body, { 'x-signature': `sha256=${createHmac('sha256', 'other').update(body).digest('hex')}` })).status).toBe(401);
    expect((await post(body, {})).status).toBe(401);
  });
});
