// Probes, /metrics with the HTTP request counter, unknown routes and the 500 error handler.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeployIntake } from '../../src/api/deps.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { CI_TOKEN, startApp, type RunningApp } from './start-app.js';

describe('probes and metrics', () => {
  let ready: string | null = null;
  let app: RunningApp;
  beforeAll(async () => {
    app = await startApp({ notReadyReason: () => ready });
  });
  afterAll(async () => {
    await app.close();
  });

  it('/healthz is always ok, without auth', async () => {
    const res = await fetch(`${app.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('/readyz answers 200 when ready and 503 with the reason when not', async () => {
    const ok = await fetch(`${app.url}/readyz`);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ status: 'ready' });
    ready = 'store migrations are still running';
    const not = await fetch(`${app.url}/readyz`);
    expect(not.status).toBe(503);
    expect(await not.json()).toEqual({ status: 'not ready', reason: 'store migrations are still running' });
    ready = null;
  });

  it('unknown routes answer 404 JSON', async () => {
    const res = await fetch(`${app.url}/v2/nothing`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'not found', message: 'no route for GET /v2/nothing; the routes are listed in README.md#http-api' });
  });

  it('/metrics serves the registry with its content type and counts requests by route pattern', async () => {
    await fetch(`${app.url}/v1/deploys/some-id`, { headers: { authorization: `Bearer ${CI_TOKEN}` } });
    const res = await fetch(`${app.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(app.registry.contentType);
    const text = await res.text();
    expect(text).toContain('# TYPE release_guard_http_requests_total counter');
    expect(text).toContain('release_guard_http_requests_total{route="/healthz",status="200"} 1');
    expect(text).toContain('release_guard_http_requests_total{route="/readyz",status="503"} 1');
    expect(text).toContain('release_guard_http_requests_total{route="/v1/deploys/:id",status="404"} 1');
    expect(text).toContain('release_guard_http_requests_total{route="unmatched",status="404"} 1');
  });
});

describe('unexpected errors', () => {
  it('are logged and answered 500 with a request id, without the error text', async () => {
    const lines: string[] = [];
    const logger = createLogger({
      destination: new Writable({
        write(chunk, _enc, cb) {
          lines.push(String(chunk));
          cb();
        },
      }),
    });
    const broken: DeployIntake = {
      ingest: () => Promise.reject(new Error('SQLITE_BUSY: database is locked at /var/lib/secret.db')),
      get: () => Promise.reject(new Error('boom')),
      list: () => Promise.resolve([]),
      stop: () => Promise.resolve(null),
    };
    const app = await startApp({ intake: broken, logger });
    try {
      const res = await fetch(`${app.url}/v1/deploys`, {
        method: 'POST',
        headers: { authorization: `Bearer ${CI_TOKEN}`, 'x-request-id': 'req-123' },
        body: JSON.stringify({ service: 'a', environment: 'b', version: 'c' }),
      });
      expect(res.status).toBe(500);
      expect(res.headers.get('x-request-id')).toBe('req-123');
      const text = await res.text();
      expect(JSON.parse(text)).toEqual({ error: 'internal error', requestId: 'req-123' });
      expect(text).not.toContain('SQLITE');
      const logged = lines.map((l) => JSON.parse(l) as { requestId?: string; err?: { message?: string } });
      expect(logged.some((l) => l.requestId === 'req-123' && l.err?.message?.startsWith('SQLITE_BUSY'))).toBe(true);
      expect(lines.join('')).not.toContain(CI_TOKEN);
    } finally {
      await app.close();
    }
  });
});
