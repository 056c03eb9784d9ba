// /v1/silences against a real store: admin token only, field-level errors, list/show/expire with who and why.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSilenceService } from '../../src/actions/silences/service.js';
import { createApp } from '../../src/api/app.js';
import { openTestStore } from '../store/backends.js';
import type { Store } from '../../src/store/interfaces.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { FakeIntake } from './fake-intake.js';
import { ADMIN_TOKEN, CI_TOKEN } from './start-app.js';

const NOW = 1_763_650_000;
let dir: string;
let store: Store;
let server: Server;
let url: string;

async function startSilenceApi(s: Store, adminToken: string | null = ADMIN_TOKEN): Promise<{ server: Server; url: string }> {
  const app = createApp({
    auth: { token: CI_TOKEN, adminToken, githubSecret: null, gitlabToken: null },
    intake: new FakeIntake(),
    registry: new Registry(),
    logger: silentLogger(),
    notReadyReason: () => null,
    silences: createSilenceService(s, () => NOW),
  });
  const srv = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => srv.once('listening', resolve));
  return { server: srv, url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}` };
}

const call = (method: string, p: string, body?: unknown, token = ADMIN_TOKEN) =>
  fetch(`${url}${p}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'rg-silences-'));
  store = await openTestStore(dir);
  ({ server, url } = await startSilenceApi(store));
});
afterEach(async () => {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

describe('/v1/silences', () => {
  it('creates a silence for a duration, lists, shows and expires it, recording who and why', async () => {
    const created = await call('POST', '/v1/silences', {
      service: 'checkout',
      environment: 'production',
      duration: '2h',
      createdBy: 'alice',
      reason: 'DB migration CHG-1234',
    });
    expect(created.status).toBe(201);
    const { silence } = (await created.json()) as { silence: Record<string, unknown> };
    expect(silence).toEqual({
      id: 1,
      service: 'checkout',
      environment: 'production',
      startsAt: NOW,
      endsAt: NOW + 7200,
      createdBy: 'alice',
      reason: 'DB migration CHG-1234',
      createdAt: NOW,
      expiredAt: null,
      expiredBy: null,
      state: 'active',
      muted: 0,
    });
    expect(((await (await call('GET', '/v1/silences')).json()) as { silences: unknown[] }).silences).toEqual([silence]);
    expect(await (await call('GET', '/v1/silences/1')).json()).toEqual({ silence, mutedDeliveries: [] });
    const expired = await call('POST', '/v1/silences/1/expire', { by: 'bob' });
    expect(((await expired.json()) as { silence: unknown }).silence).toMatchObject({ state: 'expired', expiredAt: NOW, expiredBy: 'bob' });
    expect(((await (await call('GET', '/v1/silences')).json()) as { silences: unknown[] }).silences).toEqual([]);
    expect(((await (await call('GET', '/v1/silences?all=true')).json()) as { silences: unknown[] }).silences).toHaveLength(1);
  });

  it('accepts ISO times and answers a future silence as pending', async () => {
    const startsAt = new Date((NOW + 3600) * 1000).toISOString();
    const endsAt = new Date((NOW + 7200) * 1000).toISOString();
    const res = await call('POST', '/v1/silences', { service: 'checkout', startsAt, endsAt, createdBy: 'alice', reason: 'window' });
    expect(((await res.json()) as { silence: unknown }).silence).toMatchObject({
      environment: null,
      startsAt: NOW + 3600,
      endsAt: NOW + 7200,
      state: 'pending',
    });
  });

  it('answers 400 with every field problem, and for a silence that is already over', async () => {
    const res = await call('POST', '/v1/silences', { service: '', duration: 'forever', colour: 'red' });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: 'invalid silence',
      issues: [
        { path: 'service', message: 'Too small: expected string to have >=1 characters' },
        { path: 'duration', message: '"forever" is not a duration; write it like 30s, 1m, 1h30m' },
        { path: 'createdBy', message: 'Invalid input: expected string, received undefined' },
        { path: 'reason', message: 'Invalid input: expected string, received undefined' },
        { path: 'colour', message: 'unknown field "colour"; accepted fields: service, environment, startsAt, endsAt, duration, createdBy, reason' },
      ],
    });
    const over = await call('POST', '/v1/silences', { service: 's', endsAt: NOW - 10, createdBy: 'a', reason: 'r' });
    expect(await over.json()).toEqual({ error: 'invalid silence', message: 'the silence ends before it starts; check startsAt and endsAt/duration' });
  });

  it('needs the admin token: 401 with the CI token, 403 when no admin token is configured, 404 for unknown ids', async () => {
    expect((await call('GET', '/v1/silences', undefined, CI_TOKEN)).status).toBe(401);
    expect((await call('GET', '/v1/silences/99')).status).toBe(404);
    expect((await call('POST', '/v1/silences/abc/expire', { by: 'x' })).status).toBe(404);
    const noAdmin = await startSilenceApi(store, null);
    const res = await fetch(`${noAdmin.url}/v1/silences`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(res.status).toBe(403);
    await new Promise<void>((resolve) => {
      noAdmin.server.close(() => resolve());
      noAdmin.server.closeAllConnections();
    });
  });
});
