// Bearer and HMAC authentication of the CI routes, against the real app on a loopback port.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signSha256 } from '../../src/api/signature.js';
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
      message: 'missing credentials: send Authorization: Bearer <token> or X-Release-Guard-Signature: sha256=<hmac>',
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
    expect(((await basic.json()) as { message: string }).message).toBe(
      'invalid credentials: the Authorization header must have the form "Bearer <token>"',
    );
  });

  it('accepts the CI token and the admin token as bearer', async () => {
    expect((await post({ authorization: `Bearer ${CI_TOKEN}` })).status).toBe(202);
    expect((await post({ authorization: `bearer ${ADMIN_TOKEN}` })).status).toBe(200);
  });

  it('accepts an HMAC-SHA256 signature of the raw body keyed with the CI token', async () => {
    const signed = JSON.stringify({ service: 'checkout', environment: 'production', version: 'v1.3.0', id: 'auth-hmac' });
    const res = await post({ 'x-release-guard-signature': signSha256(CI_TOKEN, signed) }, signed);
    expect(res.status).toBe(202);
    expect(app.intake.views.get('auth-hmac')?.deploy.version).toBe('v1.3.0');
  });

  it('rejects a signature made with another key', async () => {
    const res = await post({ 'x-release-guard-signature': signSha256('not-the-token', body) });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { message: string }).message).toBe(
      'invalid credentials: X-Release-Guard-Signature does not match the body (expected sha256=<hex HMAC-SHA256 of the exact raw body, keyed with the CI token>)',
    );
  });

  it('rejects a valid signature over a different body', async () => {
    const other = JSON.stringify({ service: 'checkout', environment: 'production', version: 'v9.9.9', id: 'auth-forged' });
    const res = await post({ 'x-release-guard-signature': signSha256(CI_TOKEN, body) }, other);
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
