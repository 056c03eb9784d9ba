// Bearer and HMAC authentication of the CI routes, against the real app on a loopback port.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signRequest, signSha256 } from '../../src/api/signature.js';
import { openTestStore } from '../store/backends.js';
import { ADMIN_TOKEN, CI_TOKEN, startApp, type RunningApp } from './start-app.js';

const body = JSON.stringify({ service: 'checkout', environment: 'production', version: 'v1.2.0', id: 'auth-1' });

let app: RunningApp;
beforeAll(async () => {
  app = await startApp();
});
afterAll(async () => {
  await app.close();
});

function post(headers: Record<string, string>, payload: string = body) {
  return fetch(`${app.url}/v1/deploys`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: payload });
}

describe('CI authentication on /v1/deploys', () => {
  it('answers 401 with how to authenticate when no credentials are sent', async () => {
    const res = await post({});
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="release-guard"');
    expect(await res.json()).toEqual({
      error: 'unauthorized',
      message: 'missing credentials: send Authorization: Bearer <token>, or X-Release-Guard-Timestamp and X-Release-Guard-Signature: sha256=<hmac>',
    });
    expect(app.intake.ingested).toHaveLength(0);
  });

  it('rejects a wrong bearer token without revealing the secret', async () => {
    const res = await post({ authorization: `Bearer ${CI_TOKEN.slice(0, -1)}x` });
    expect(res.status).toBe(401);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({ error: 'unauthorized', message: 'invalid credentials: the bearer token is not valid' });
    expect(text).not.toContain(CI_TOKEN.slice(0, 8));
  });

  it('rejects a token of a different length and a non-Bearer scheme', async () => {
    expect((await post({ authorization: 'Bearer short' })).status).toBe(401);
    const basic = await post({ authorization: `Basic ${Buffer.from(`ci:${CI_TOKEN}`).toString('base64')}` });
    expect(basic.status).toBe(401);
    expect(((await basic.json()) as { message: string }).message).toBe('invalid credentials: the Authorization header must have the form "Bearer <token>"');
  });

  it('accepts the CI token and the admin token as bearer', async () => {
    expect((await post({ authorization: `Bearer ${CI_TOKEN}` })).status).toBe(202);
    expect((await post({ authorization: `bearer ${ADMIN_TOKEN}` })).status).toBe(200);
  });

  const nowSeconds = () => Math.floor(Date.now() / 1000);
  const signed = (payload: string, over: { timestamp?: number; method?: string; path?: string; key?: string } = {}) =>
    signRequest(over.key ?? CI_TOKEN, {
      timestamp: over.timestamp ?? nowSeconds(),
      method: over.method ?? 'POST',
      path: over.path ?? '/v1/deploys',
      body: payload,
    });

  it('accepts a request signed over timestamp, method, path and body with the CI token', async () => {
    const payload = JSON.stringify({ service: 'checkout', environment: 'production', version: 'v1.3.0', id: 'auth-hmac' });
    const res = await post(signed(payload), payload);
    expect(res.status).toBe(202);
    expect(app.intake.views.get('auth-hmac')?.deploy.version).toBe('v1.3.0');
  });

  it('refuses a replay of a signed request, even one that would be valid (Slack/Stripe replay protection)', async () => {
    const payload = JSON.stringify({ service: 'checkout', environment: 'production', version: 'v1.4.0', id: 'auth-replay' });
    const headers = signed(payload);
    expect((await post(headers, payload)).status).toBe(202);
    const replay = await post(headers, payload);
    expect(replay.status).toBe(401);
    expect(((await replay.json()) as { message: string }).message).toContain('this signature was already used');
    expect(app.intake.ingested.filter((i) => i.input.id === 'auth-replay')).toHaveLength(1);
  });

  it('refuses a signature older or newer than 5 minutes, and one without a timestamp', async () => {
    const payload = JSON.stringify({ service: 'checkout', environment: 'production', version: 'v1.5.0', id: 'auth-old' });
    const old = await post(signed(payload, { timestamp: nowSeconds() - 301 }), payload);
    expect(old.status).toBe(401);
    expect(((await old.json()) as { message: string }).message).toMatch(/X-Release-Guard-Timestamp is 30\d s from the guard's clock/);
    expect((await post(signed(payload, { timestamp: nowSeconds() + 400 }), payload)).status).toBe(401);
    const bodyOnly = await post({ 'x-release-guard-signature': signSha256(CI_TOKEN, payload) }, payload);
    expect(bodyOnly.status).toBe(401);
    expect(((await bodyOnly.json()) as { message: string }).message).toContain('X-Release-Guard-Timestamp is missing');
    expect(app.intake.views.has('auth-old')).toBe(false);
  });

  it('binds method and path: a signature for one route does not open another', async () => {
    // The review's case: an HMAC of the empty body read GET /v1/deploys forever.
    const forPost = signed('', { method: 'POST', path: '/v1/deploys' });
    expect((await fetch(`${app.url}/v1/deploys`, { headers: forPost })).status).toBe(401);
    const forOther = signed('', { method: 'GET', path: '/v1/deploys?service=x' });
    expect((await fetch(`${app.url}/v1/deploys`, { headers: forOther })).status).toBe(401);
    const right = signed('', { method: 'GET', path: '/v1/deploys?service=x' });
    expect((await fetch(`${app.url}/v1/deploys?service=x`, { headers: right })).status).toBe(200);
  });

  it('rejects a signature made with another key', async () => {
    const res = await post(signed(body, { key: 'not-the-token' }));
    expect(res.status).toBe(401);
    expect(((await res.json()) as { message: string }).message).toBe(
      'invalid credentials: X-Release-Guard-Signature does not match the request (expected sha256=<hex HMAC-SHA256 of "<timestamp>.<METHOD>.<path?query>.<raw body>", keyed with the CI token>)',
    );
  });

  it('rejects a valid signature over a different body', async () => {
    const other = JSON.stringify({ service: 'checkout', environment: 'production', version: 'v9.9.9', id: 'auth-forged' });
    const res = await post(signed(body), other);
    expect(res.status).toBe(401);
    expect(app.intake.views.has('auth-forged')).toBe(false);
  });

  it('rejects a malformed signature header', async () => {
    expect((await post({ 'x-release-guard-signature': 'sha1=abcd' })).status).toBe(401);
  });

  it('guards the read routes too', async () => {
    expect((await fetch(`${app.url}/v1/deploys`)).status).toBe(401);
    expect((await fetch(`${app.url}/v1/deploys/auth-1`)).status).toBe(401);
    const ok = await fetch(`${app.url}/v1/deploys/auth-1`, { headers: { authorization: `Bearer ${CI_TOKEN}` } });
    expect(ok.status).toBe(200);
  });
});

describe('replay protection across a restart', () => {
  it('remembers used signatures in the store, so a replay after a restart is refused too', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rg-auth-'));
    const payload = JSON.stringify({ service: 'checkout', environment: 'production', version: 'v2.0.0', id: 'auth-restart' });
    const headers = signRequest(CI_TOKEN, { timestamp: Math.floor(Date.now() / 1000), method: 'POST', path: '/v1/deploys', body: payload });
    const send = (url: string) => fetch(`${url}/v1/deploys`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: payload });
    try {
      const store1 = await openTestStore(dir);
      const first = await startApp({ nonces: store1 });
      expect((await send(first.url)).status).toBe(202);
      await first.close();
      await store1.close();
      const store2 = await openTestStore(dir);
      const second = await startApp({ nonces: store2 });
      const replay = await send(second.url);
      expect(replay.status).toBe(401);
      expect(second.intake.ingested).toHaveLength(0);
      await second.close();
      await store2.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
