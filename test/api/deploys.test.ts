// POST/GET /v1/deploys over real HTTP: validation errors, body limits, idempotency, listing and lookup.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeployView } from '../../src/store/records.js';
import { FAKE_NOW } from './fake-intake.js';
import { CI_TOKEN, startApp, type RunningApp } from './start-app.js';

const auth = { authorization: `Bearer ${CI_TOKEN}` };

let app: RunningApp;
beforeAll(async () => {
  app = await startApp();
});
afterAll(async () => {
  await app.close();
});

function postDeploy(body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }) {
  return fetch(`${app.url}/v1/deploys`, { method: 'POST', headers: { ...auth, ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
}

async function issuesOf(res: Response): Promise<Array<{ path: string; message: string }>> {
  expect(res.status).toBe(400);
  const json = (await res.json()) as { error: string; issues: Array<{ path: string; message: string }> };
  expect(json.error).toBe('invalid deploy');
  return json.issues;
}

describe('POST /v1/deploys', () => {
  it('answers 202 with the view, then 200 with the same record for the same id', async () => {
    const body = {
      id: 'ci-run-7',
      service: 'checkout',
      environment: 'production',
      version: 'v1.2.0',
      previousVersion: 'v1.1.9',
      commit: 'f95f852',
      startedAt: '2025-11-20T13:55:00Z',
      links: { ci: 'https://ci.example.com/7' },
      labels: { team: 'payments' },
    };
    const first = await postDeploy(body);
    expect(first.status).toBe(202);
    const created = (await first.json()) as DeployView;
    expect(created.deploy).toEqual({
      id: 'ci-run-7',
      service: 'checkout',
      environment: 'production',
      version: 'v1.2.0',
      previousVersion: 'v1.1.9',
      commit: 'f95f852',
      startedAt: 1_763_646_900,
      links: { ci: 'https://ci.example.com/7' },
      labels: { team: 'payments' },
      origin: 'api',
      receivedAt: FAKE_NOW,
    });
    const second = await postDeploy({ ...body, version: 'v1.2.1' });
    expect(second.status).toBe(200);
    expect(await second.json()).toEqual(created);
    expect(app.intake.ingested.map((c) => c.origin)).toEqual(['api', 'api']);
  });

  it('generates a d-<uuid> id when none is sent', async () => {
    const res = await postDeploy({ service: 'search', environment: 'staging', version: '2025.11.20' });
    expect(res.status).toBe(202);
    const view = (await res.json()) as DeployView;
    expect(view.deploy.id).toMatch(/^d-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(app.intake.ingested.at(-1)?.input.startedAt).toBeUndefined();
  });

  it('accepts JSON sent without a JSON content type (curl -d)', async () => {
    const res = await postDeploy(
      { service: 'search', environment: 'staging', version: 'v2', id: 'curl-1' },
      { 'content-type': 'application/x-www-form-urlencoded' },
    );
    expect(res.status).toBe(202);
  });

  it('answers 400 for a missing service', async () => {
    expect(await issuesOf(await postDeploy({ environment: 'production', version: 'v1' }))).toEqual([
      { path: 'service', message: 'required: the service name, e.g. "checkout"' },
    ]);
  });

  it('answers 400 for a bad startedAt', async () => {
    const found = await issuesOf(await postDeploy({ service: 'a', environment: 'b', version: 'c', startedAt: 'last tuesday' }));
    expect(found.map((i) => i.path)).toEqual(['startedAt']);
  });

  it('answers 400 naming an unknown key', async () => {
    const found = await issuesOf(await postDeploy({ service: 'a', environment: 'b', version: 'c', enviroment: 'prod' }));
    expect(found).toHaveLength(1);
    expect(found[0]?.path).toBe('enviroment');
    expect(found[0]?.message).toMatch(/^unknown field "enviroment"; accepted fields: service, environment, version, id,/);
  });

  it('answers 400 for bad id characters, listing every problem', async () => {
    const found = await issuesOf(await postDeploy({ service: 'check out', environment: 'prod', version: 'v1', id: 'run/42' }));
    expect(found.map((i) => i.path)).toEqual(['service', 'id']);
  });

  it('answers 400 with the parser position for invalid JSON', async () => {
    const res = await postDeploy('{"service": "a",}');
    expect(res.status).toBe(400);
    const json = (await res.json()) as { error: string; message: string };
    expect(json.error).toBe('invalid JSON');
    expect(json.message).toMatch(/^the request body is not valid JSON: .*position 16/);
  });

  it('answers 400 for an empty body', async () => {
    const res = await fetch(`${app.url}/v1/deploys`, { method: 'POST', headers: auth });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toBe('the request body is empty: send a JSON object');
  });

  it('answers 413 JSON for a 300 KiB body', async () => {
    const res = await postDeploy({ service: 'a', environment: 'b', version: 'c', commit: 'x'.repeat(300 * 1024) });
    expect(res.status).toBe(413);
    const json = (await res.json()) as { error: string; message: string };
    expect(json.error).toBe('payload too large');
    expect(json.message).toMatch(/^the limit is 262144 bytes \(256 KiB\) and the body is \d+ bytes$/);
  });
});

describe('GET /v1/deploys', () => {
  let reader: RunningApp;
  beforeAll(async () => {
    reader = await startApp();
    const seed = [
      { id: 'r1', service: 'checkout', environment: 'production', version: 'v1' },
      { id: 'r2', service: 'checkout', environment: 'staging', version: 'v2' },
      { id: 'r3', service: 'search', environment: 'production', version: 'v3' },
      { id: 'r4', service: 'checkout', environment: 'production', version: 'v4' },
    ];
    for (const d of seed) await reader.intake.ingest(d, 'api');
    await reader.intake.stop('r4', 'CI cancelled');
  });
  afterAll(async () => {
    await reader.close();
  });

  async function list(query: string): Promise<{ status: number; json: unknown }> {
    const res = await fetch(`${reader.url}/v1/deploys${query}`, { headers: auth });
    return { status: res.status, json: await res.json() };
  }
  const ids = (json: unknown) => (json as { deploys: DeployView[] }).deploys.map((v) => v.deploy.id);

  it('lists newest first and filters by service, environment, status, limit and cursor', async () => {
    expect(ids((await list('')).json)).toEqual(['r4', 'r3', 'r2', 'r1']);
    expect(ids((await list('?service=checkout&environment=production')).json)).toEqual(['r4', 'r1']);
    expect(ids((await list('?status=stopped')).json)).toEqual(['r4']);
    expect(ids((await list('?limit=2')).json)).toEqual(['r4', 'r3']);
    expect(ids((await list('?before=r3&service=')).json)).toEqual(['r2', 'r1']);
    expect(reader.intake.queries.at(-1)).toEqual({ before: 'r3' });
  });

  it('pages with the opaque cursor: next on a full page (and in the Link header), null on the last one', async () => {
    const first = await fetch(`${reader.url}/v1/deploys?limit=3&service=`, { headers: auth });
    const page1 = (await first.json()) as { deploys: DeployView[]; next: string | null };
    expect(page1.deploys.map((v) => v.deploy.id)).toEqual(['r4', 'r3', 'r2']);
    expect(page1.next).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(first.headers.get('link')).toBe(`</v1/deploys?limit=3&service=&cursor=${page1.next}>; rel="next"`);
    const r2 = reader.intake.views.get('r2')!.deploy;
    expect(reader.intake.queries.at(-1)).toEqual({ limit: 3 });
    const page2 = (await list(`?limit=3&cursor=${page1.next}`)).json as { deploys: DeployView[]; next: string | null };
    expect(reader.intake.queries.at(-1)).toEqual({ limit: 3, after: { receivedAt: r2.receivedAt, id: 'r2' } });
    expect(page2).toEqual({ deploys: [expect.objectContaining({ deploy: expect.objectContaining({ id: 'r1' }) })], next: null });
    // A page exactly as long as the limit may be followed by an empty last page.
    const exact = (await list('?limit=4')).json as { next: string | null };
    expect((await list(`?limit=4&cursor=${exact.next}`)).json).toEqual({ deploys: [], next: null });
  });

  it('answers 400 for a cursor it did not make, and for cursor with before', async () => {
    for (const cursor of [
      'nope!',
      Buffer.from('{"a":1}').toString('base64url'),
      Buffer.from('[1,""]').toString('base64url'),
      Buffer.from('[null,"r1"]').toString('base64url'),
      'x'.repeat(3000),
    ]) {
      const bad = await list(`?cursor=${cursor}`);
      expect(bad.status).toBe(400);
      expect((bad.json as { issues: Array<{ path: string; message: string }> }).issues).toEqual([
        {
          path: 'cursor',
          message: 'is not a cursor of this guard: pass the `next` value of the previous page unchanged, or leave cursor out for the first page',
        },
      ]);
    }
    const good = ((await list('?limit=1')).json as { next: string }).next;
    const both = await list(`?before=r3&cursor=${good}`);
    expect(both.status).toBe(400);
    expect((both.json as { issues: Array<{ path: string }> }).issues.map((i) => i.path)).toEqual(['cursor']);
  });

  it('answers 400 for bad query parameters', async () => {
    const bad = await list('?status=broken&limit=0&colour=red&service=a&service=b');
    expect(bad.status).toBe(400);
    const { error, issues } = bad.json as { error: string; issues: Array<{ path: string }> };
    expect(error).toBe('invalid query');
    expect(issues.map((i) => i.path)).toEqual(['service', 'status', 'limit', 'colour']);
    expect((await list('?limit=501')).status).toBe(400);
    expect((await list('?limit=ten')).status).toBe(400);
  });

  it('answers a deploy by id, and 404 for an unknown id', async () => {
    const found = await fetch(`${reader.url}/v1/deploys/r2`, { headers: auth });
    expect(found.status).toBe(200);
    expect(((await found.json()) as DeployView).deploy.version).toBe('v2');
    const missing = await fetch(`${reader.url}/v1/deploys/nope`, { headers: auth });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: 'not found', message: 'no deploy with id nope' });
  });
});
