// GET /v1/deploys over a real SQLite store: a page read again while nothing is committed is the same frozen page,
// sent as the same bytes (respondShared); a commit shows at once; the answer is what respond() would send.
import { get as httpGet } from 'node:http';
import { join } from 'node:path';
import express from 'express';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { respond, respondShared } from '../../src/api/respond.js';
import { DeployListResponse } from '../../src/api/schemas/index.js';
import type { Store } from '../../src/store/interfaces.js';
import type { DeployListQuery } from '../../src/store/records.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { deployRecord, newWatch, tempDir } from '../store/sample-records.js';
import { FakeIntake } from './fake-intake.js';
import { CI_TOKEN, startApp, type RunningApp } from './start-app.js';

const auth = { authorization: `Bearer ${CI_TOKEN}` };
const SECRET = 'hook-secret-0123456789';

let store: Store;
let remove: () => Promise<void>;
let app: RunningApp;
let redacting = false;

beforeEach(async () => {
  let dir: string;
  ({ dir, remove } = await tempDir());
  store = await openSqliteStore(join(dir, 'guard.db'));
  const intake = new FakeIntake();
  intake.list = (q: DeployListQuery) => store.listDeploys(q);
  redacting = false;
  const redact = <T>(v: T): T => (redacting && JSON.stringify(v).includes(SECRET) ? (JSON.parse(JSON.stringify(v).replaceAll(SECRET, '[redacted]')) as T) : v);
  app = await startApp({ intake, redact });
  await store.createDeploy(deployRecord({ id: 'd-1', receivedAt: 1763647201.123 }), newWatch());
});

afterEach(async () => {
  await app.close();
  await store.close();
  await remove();
});

async function get(query = '', headers: Record<string, string> = {}) {
  const res = await fetch(`${app.url}/v1/deploys${query}`, { headers: { ...auth, ...headers } });
  return { status: res.status, headers: res.headers, body: await res.text() };
}

describe('a list page while nothing is committed', () => {
  it('is one frozen page from the store, and the same bytes and ETag from the API', async () => {
    const page = await store.listDeploys({});
    expect(await store.listDeploys({})).toBe(page);
    expect(Object.isFrozen(page[0]!.deploy)).toBe(true);
    expect(() => ((page[0]!.deploy as { id: string }).id = 'changed')).toThrow(TypeError);
    const first = await get();
    const second = await get();
    expect(second.body).toBe(first.body);
    expect(second.headers.get('etag')).toBe(first.headers.get('etag'));
    expect(first.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(Number(first.headers.get('content-length'))).toBe(Buffer.byteLength(first.body));
    expect((JSON.parse(first.body) as { deploys: Array<{ deploy: { receivedAt: number } }> }).deploys[0]!.deploy.receivedAt).toBe(1763647201.123);
    // A conditional GET with the ETag answers 304 (node:http: fetch adds a no-cache that makes it unconditional).
    const status = await new Promise<number | undefined>((resolve, reject) =>
      httpGet(`${app.url}/v1/deploys`, { headers: { ...auth, 'if-none-match': first.headers.get('etag')! } }, (res) => {
        res.resume();
        resolve(res.statusCode);
      }).on('error', reject),
    );
    expect(status).toBe(304);
  });

  it('shows a commit at once: a new deploy, a changed watch', async () => {
    const before = await get();
    await store.createDeploy(deployRecord({ id: 'd-2', service: 'cart', receivedAt: 1763647300 }), newWatch());
    const after = await get();
    expect((JSON.parse(after.body) as { deploys: Array<{ deploy: { id: string } }> }).deploys.map((d) => d.deploy.id)).toEqual(['d-2', 'd-1']);
    expect(after.headers.get('etag')).not.toBe(before.headers.get('etag'));
    await store.endWatch('d-1', 'stopped', 'CI cancelled', 1763647400);
    expect(JSON.parse((await get('?status=stopped')).body)).toMatchObject({ deploys: [{ deploy: { id: 'd-1' }, watch: { status: 'stopped' } }] });
  });

  it('is redacted at every request once the redactor finds a secret in it', async () => {
    await store.createDeploy(deployRecord({ id: 'd-secret', version: SECRET, receivedAt: 1763647300 }), newWatch());
    expect((await get()).body).toContain(SECRET);
    redacting = true;
    const body = (await get()).body;
    expect(body).not.toContain(SECRET);
    expect(body).toContain('[redacted]');
  });
});

describe('respondShared', () => {
  it('sends the bytes and headers respond() sends, builds once per shared value and variant, and answers 500 for a body that does not fit', async () => {
    const shared = Object.freeze([]);
    let builds = 0;
    const server = express()
      .get('/plain', (_req, res) => respond(res, DeployListResponse, { deploys: [], next: 'x' }))
      .get('/shared/:variant', (req, res) =>
        respondShared(res, DeployListResponse, shared, req.params.variant, () => {
          builds++;
          return { deploys: [], next: req.params.variant === 'bad' ? (42 as unknown as string) : 'x' };
        }),
      )
      .listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const plain = await fetch(`${url}/plain`);
      const plainBody = await plain.text();
      for (let i = 0; i < 2; i++) {
        const res = await fetch(`${url}/shared/a`);
        expect(await res.text()).toBe(plainBody);
        for (const h of ['content-type', 'content-length', 'etag']) expect(res.headers.get(h)).toBe(plain.headers.get(h));
      }
      expect(builds).toBe(1);
      await fetch(`${url}/shared/b`);
      expect(builds).toBe(2);
      expect((await fetch(`${url}/shared/bad`)).status).toBe(500);
    } finally {
      server.close();
    }
  });
});
