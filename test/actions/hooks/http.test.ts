// Tests the http rollback hook against a real local HTTP server: signature, body, status classes, timeout, secrets.
import { requestSignatureBase, verifySha256Signature } from '../../../src/api/signature.js';
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { runHttpHook, type HookContext } from '../../../src/actions/hooks/index.js';
import type { Finding } from '../../../src/judge/types.js';
import { HttpHook } from '../../../src/rules/schema.js';

const SECRET = 'hook-secret-do-not-leak-3f9a';
const NOW_MS = 1763647512_345;

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
  deploy: { id: 'd-42', service: 'checkout', environment: 'production', version: 'v1.2.0', previousVersion: 'v1.1.9', startedAt: 1763647200 },
  reason: 'error-rate-spike: error_rate 3.1% vs baseline 0.2%',
  verdictUrl: 'http://guard.local/v1/deploys/d-42',
  findings: [finding],
};

interface Received {
  headers: IncomingHttpHeaders;
  method: string;
  body: string;
}

let server: Server | null = null;

/** Starts a server on 127.0.0.1 that records each request and answers with `respond`. Returns its URL. */
async function serve(respond: (res: ServerResponse, req: Received) => void, received: Received[] = []): Promise<string> {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r = { headers: req.headers, method: req.method ?? '', body: Buffer.concat(chunks).toString('utf8') };
      received.push(r);
      respond(res, r);
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/rollback`;
}

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = null;
});

function hook(url: string, over: Record<string, unknown> = {}): HttpHook {
  return HttpHook.parse({ type: 'http', name: 'deployer', url, ...over });
}

const reply = (status: number, body: string) => (res: ServerResponse) => res.writeHead(status, { 'content-type': 'text/plain' }).end(body);

describe('http hook', () => {
  it('POSTs the rollback event as JSON, signed with HMAC-SHA256 of timestamp, method, path and the exact body', async () => {
    const received: Received[] = [];
    const url = await serve(reply(200, 'rolling back d-42'), received);
    const h = hook(url, { secretEnv: 'RG_HOOK_SECRET', headers: { 'X-Team': 'payments' } });
    const result = await runHttpHook(h, ctx, { env: { RG_HOOK_SECRET: SECRET }, now: () => NOW_MS });
    expect(result).toEqual({ ok: true, output: 'HTTP 200 OK\nrolling back d-42', error: null, durationMs: 0, retryable: false, httpStatus: 200 });
    expect(received).toHaveLength(1);
    const [req] = received;
    expect(req!.method).toBe('POST');
    expect(JSON.parse(req!.body)).toEqual({ event: 'rollback', deploy: ctx.deploy, reason: ctx.reason, findings: [finding], verdictUrl: ctx.verdictUrl });
    // Signed as the guard's own API verifies: "<timestamp>.<METHOD>.<path?query>.<body>", so the timestamp is bound.
    const path = new URL(url).pathname + new URL(url).search;
    const expected = `sha256=${createHmac('sha256', SECRET).update(`1763647512.POST.${path}.${req!.body}`).digest('hex')}`;
    expect(req!.headers['x-release-guard-signature']).toBe(expected);
    expect(req!.headers['x-release-guard-timestamp']).toBe('1763647512');
    const base = requestSignatureBase({ timestamp: 1763647512, method: 'POST', path, body: req!.body });
    expect(verifySha256Signature(SECRET, base, req!.headers['x-release-guard-signature'] as string)).toBe(true);
    expect(req!.headers['content-type']).toBe('application/json');
    expect(req!.headers['user-agent']).toBe('release-guard');
    expect(req!.headers['x-team']).toBe('payments');
  });

  it('sends no signature without secretEnv, and verdictUrl null when unknown', async () => {
    const received: Received[] = [];
    const url = await serve(reply(204, ''), received);
    const result = await runHttpHook(hook(url), { ...ctx, verdictUrl: undefined }, { env: {} });
    expect(result).toMatchObject({ ok: true, output: 'HTTP 204 No Content\n' });
    expect(received[0]!.headers['x-release-guard-signature']).toBeUndefined();
    expect(JSON.parse(received[0]!.body).verdictUrl).toBeNull();
  });

  it('refuses to send unsigned when secretEnv names an unset variable', async () => {
    const received: Received[] = [];
    const url = await serve(reply(200, 'ok'), received);
    const result = await runHttpHook(hook(url, { secretEnv: 'RG_HOOK_SECRET' }), ctx, { env: {} });
    expect(result).toMatchObject({ ok: false, retryable: false });
    expect(result.error).toContain('environment variable RG_HOOK_SECRET (secretEnv) is not set');
    expect(received).toHaveLength(0);
  });

  it.each([
    [500, true],
    [503, true],
    [429, true],
    [400, false],
    [401, false],
    [404, false],
  ])('answers HTTP %i as failed, retryable=%s', async (status, retryable) => {
    const url = await serve(reply(status, 'nope'));
    const result = await runHttpHook(hook(url), ctx, { env: {} });
    expect(result.ok).toBe(false);
    expect(result.retryable).toBe(retryable);
    expect(result.httpStatus).toBe(status);
    expect(result.output).toMatch(new RegExp(`^HTTP ${status} .+\\nnope$`));
    expect(result.error).toContain(`http hook "deployer" (${new URL(url).origin}): answered HTTP ${status}`);
  });

  it('gives up after the timeout when the server never answers', async () => {
    const url = await serve(() => undefined);
    const result = await runHttpHook(hook(url, { timeout: '1s' }), ctx, { env: {} });
    expect(result).toMatchObject({ ok: false, retryable: true, output: '' });
    expect(result.error).toContain('timed out after 1s');
  });

  it('reports a refused connection as retryable', async () => {
    const url = await serve(reply(200, 'ok'));
    server!.close();
    server = null;
    const result = await runHttpHook(hook(url), ctx, { env: {} });
    expect(result).toMatchObject({ ok: false, retryable: true });
    expect(result.error).toContain('request failed');
    expect(result.error).toContain('ECONNREFUSED');
  });

  it('keeps only the first 4 KiB of the response body', async () => {
    const url = await serve(reply(200, 'a'.repeat(10_000)));
    const result = await runHttpHook(hook(url), ctx, { env: {} });
    expect(result.output).toBe(`HTTP 200 OK\n${'a'.repeat(4096)}\n[body truncated at 4 KiB]`);
  });

  it('never lets the secret or an auth header reach output or error, even when the receiver echoes it', async () => {
    const echo = (res: ServerResponse, req: Received) => res.writeHead(500).end(`bad: ${JSON.stringify(req.headers)} key=${SECRET}`);
    const url = await serve(echo);
    const h = hook(url, { secretEnv: 'RG_HOOK_SECRET', headers: { Authorization: 'Bearer tok-123456' } });
    const result = await runHttpHook(h, ctx, { env: { RG_HOOK_SECRET: SECRET } });
    expect(result.ok).toBe(false);
    const everything = `${result.output}\n${result.error}`;
    expect(everything).toContain('[redacted]');
    expect(everything).not.toContain(SECRET);
    expect(everything).not.toContain('tok-123456');
  });

  it('keeps paths and query strings of the URL out of errors (they are often secret)', async () => {
    const url = await serve(reply(403, 'forbidden'));
    const result = await runHttpHook(hook(`${url}?token=sekrit`), ctx, { env: {} });
    expect(result.error).not.toContain('sekrit');
    expect(result.error).not.toContain('/hooks/rollback');
  });

  it('uses an injected fetch', async () => {
    const calls: string[] = [];
    const fetchStub: typeof fetch = async (input) => {
      calls.push(String(input));
      return new Response('accepted', { status: 202, statusText: 'Accepted' });
    };
    const result = await runHttpHook(hook('https://deployer.example/rollback'), ctx, { env: {}, fetch: fetchStub });
    expect(calls).toEqual(['https://deployer.example/rollback']);
    expect(result).toMatchObject({ ok: true, output: 'HTTP 202 Accepted\naccepted' });
  });
});
