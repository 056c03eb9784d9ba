// Fuzzes every HTTP route of a real in-process guard (store, intake, watcher, demo source): any method, path, query,
// headers, credentials and body answer 2xx or 4xx, never 5xx or a dropped connection, log no error, and a rejected
// request leaves the store as it was. RG_FUZZ_RUNS raises the number of cases.
import { randomUUID } from 'node:crypto';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signRequest, signSha256 } from '../../src/api/signature.js';
import { Config } from '../../src/config/schema.js';
import { startGuard, type RunningGuard } from '../../src/main.js';
import { openDb, type Db } from '../../src/store/sqlite/db.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { fuzzRuns, fuzzTimeout } from './fuzz-runs.js';

const CI = 'fuzz-ci-token-0123456789';
const ADMIN = 'fuzz-admin-token-9876543210';
const GITHUB = 'fuzz-github-secret-abcdef';
const GITLAB = 'fuzz-gitlab-token-abcdef';
const RUNS = fuzzRuns(500);

let dir: string;
let guard: RunningGuard;
let db: Db;
const errors: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'rg-fuzz-'));
  await cp(path.resolve('rules/default.yaml'), path.join(dir, 'rules', 'default.yaml'));
  const config = Config.parse({
    port: 0,
    dataDir: path.join(dir, 'data'),
    rulesDir: path.join(dir, 'rules'),
    sources: { demo: { type: 'demo', seed: 3, timeScale: 600 } },
  });
  const logger = createLogger({ level: 'error', destination: new Writable({ write: (c, _e, cb) => (errors.push(String(c)), cb()) }) });
  guard = await startGuard({
    config,
    secrets: { token: CI, adminToken: ADMIN, githubSecret: GITHUB, gitlabToken: GITLAB },
    dev: false,
    logger,
    baseDir: dir,
    env: {},
  });
  db = await openDb(path.join(dir, 'data', 'release-guard.db'));
});

afterAll(async () => {
  await db?.close();
  await guard?.close();
  await rm(dir, { recursive: true, force: true });
});

/** What a request may change: deploys and silences (evaluations in the background write other tables). */
async function storeState(): Promise<string> {
  const deploys = await db.all<{ id: string; version: string }>('SELECT id, version FROM deploys ORDER BY id');
  const silences = await db.all<{ id: number; ends_at: number }>('SELECT id, ends_at FROM silences ORDER BY id');
  return JSON.stringify({ deploys, silences });
}

const control = fc.constantFrom('\u0000', '\n', '\r', '\t', '\u001b', '\u007f', '\u0085', '\u2028');
/** Strings that favour the trouble a review tries: controls, markup, escapes, unicode, long runs. */
const nasty = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.tuple(fc.string({ maxLength: 8 }), control, fc.string({ maxLength: 8 })).map(([a, c, b]) => a + c + b),
  fc.constantFrom(
    '<!channel>',
    '<https://evil.example|x>',
    '${RELEASE_GUARD_TOKEN}',
    '%ZZ',
    '../../etc/passwd',
    "'; DROP TABLE deploys; --",
    'v1.2.3',
    'checkout',
    'production',
    '',
  ),
  fc.string({ minLength: 200, maxLength: 1200 }),
);
const name = fc.oneof(fc.constantFrom('checkout', 'demo-shop', 'production', 'staging'), fc.stringMatching(/^[A-Za-z0-9._-]{1,20}$/), nasty);
const time = fc.oneof(fc.integer(), fc.double(), fc.constant(Math.floor(Date.now() / 1000)), fc.integer({ min: 0, max: 4e9 }), nasty);
const deployBody = fc.record(
  {
    service: name,
    environment: name,
    version: nasty,
    id: fc.oneof(fc.stringMatching(/^[A-Za-z0-9._:-]{1,30}$/), fc.constant(`github-${Date.now()}`), nasty),
    previousVersion: nasty,
    commit: nasty,
    startedAt: time,
    links: fc.dictionary(fc.string({ maxLength: 10 }), fc.oneof(fc.webUrl(), nasty), { maxKeys: 3 }),
    labels: fc.dictionary(fc.string({ maxLength: 10 }), fc.oneof(nasty, fc.integer()), { maxKeys: 3 }),
    extra: fc.anything(),
  },
  { requiredKeys: [] },
);
const githubBody = fc.record(
  {
    action: fc.constantFrom('created', 'deleted', undefined),
    deployment: fc.record(
      {
        id: fc.oneof(fc.integer(), nasty),
        url: fc.oneof(fc.webUrl(), nasty),
        environment: name,
        ref: fc.option(nasty),
        sha: nasty,
        created_at: fc.oneof(
          fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
          nasty,
        ),
        payload: fc.oneof(fc.object(), nasty),
      },
      { requiredKeys: [] },
    ),
    repository: fc.record({ name: name, full_name: nasty, html_url: fc.oneof(fc.webUrl(), nasty) }, { requiredKeys: [] }),
    deployment_status: fc.record({ state: fc.constantFrom('success', 'failure', 'error', 'in_progress', 'queued') }),
  },
  { requiredKeys: [] },
);
const gitlabBody = fc.record(
  {
    object_kind: fc.constantFrom('deployment', 'build', undefined),
    status: fc.constantFrom('running', 'success', 'failed', 'canceled', 'created'),
    deployment_id: fc.oneof(fc.integer(), nasty),
    environment: name,
    ref: nasty,
    short_sha: nasty,
    status_changed_at: nasty,
    project: fc.record({ name: name, path_with_namespace: nasty, web_url: fc.oneof(fc.webUrl(), nasty) }, { requiredKeys: [] }),
  },
  { requiredKeys: [] },
);
const silenceBody = fc.record(
  {
    service: name,
    environment: name,
    duration: fc.oneof(fc.constantFrom('1h', '30m', '0s', '-1h', '10000d'), nasty),
    startsAt: time,
    endsAt: time,
    createdBy: nasty,
    reason: nasty,
    by: nasty,
  },
  { requiredKeys: [] },
);

const body = fc.oneof(
  { weight: 4, arbitrary: fc.oneof(deployBody, githubBody, gitlabBody, silenceBody).map((b) => JSON.stringify(b)) },
  { weight: 1, arbitrary: fc.json() },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 300 }) },
  { weight: 1, arbitrary: fc.constant('') },
);
const segment = fc.oneof(
  fc.webSegment(),
  fc.string({ maxLength: 12 }).map(encodeURIComponent),
  fc.constantFrom('%ZZ', '%', '%E0%A4%A', '%00', '%2F..%2F', 'github-1', '1', 'expire', ''),
);
const route = fc.oneof(
  fc.constantFrom('/v1/deploys', '/v1/webhooks/github', '/v1/webhooks/gitlab', '/v1/silences', '/healthz', '/readyz', '/metrics', '/', '/v2/x'),
  fc.tuple(fc.constantFrom('/v1/deploys/', '/v1/silences/'), segment).map(([a, b]) => a + b),
  fc.tuple(fc.constantFrom('/v1/silences/'), segment).map(([a, b]) => `${a}${b}/expire`),
);
const query = fc.oneof(
  fc.constant(''),
  fc.webQueryParameters().map((q) => `?${q}`),
  fc.constantFrom('?limit=0', '?limit=1e9', '?status=nope', '?service=&service=a', '?before=%ZZ', '?all=maybe'),
);
/** Real routes with their methods most of the time, so cases get past routing; any method on any path otherwise. */
const endpoint = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.oneof(
      fc.constantFrom(
        ['POST', '/v1/deploys'],
        ['GET', '/v1/deploys'],
        ['POST', '/v1/webhooks/github'],
        ['POST', '/v1/webhooks/gitlab'],
        ['POST', '/v1/silences'],
        ['GET', '/v1/silences'],
      ),
      segment.map((s) => ['GET', `/v1/deploys/${s}`]),
      segment.map((s) => ['GET', `/v1/silences/${s}`]),
      segment.map((s) => ['POST', `/v1/silences/${s}/expire`]),
    ),
  },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'), route) },
) as fc.Arbitrary<[string, string]>;
const credential = fc.constantFrom('none', 'ci', 'ci', 'admin', 'admin', 'wrong', 'signed', 'signed', 'signed-stale', 'signed-other-path');
const contentType = fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=utf-16', undefined);

function headersFor(
  cred: string,
  m: string,
  target: string,
  raw: string,
  ct: string | undefined,
  webhook: { event: string; sign: boolean; token: boolean },
): Record<string, string> {
  const h: Record<string, string> = {};
  if (ct) h['content-type'] = ct;
  const now = Math.floor(Date.now() / 1000);
  if (cred === 'ci') h.authorization = `Bearer ${CI}`;
  if (cred === 'admin') h.authorization = `Bearer ${ADMIN}`;
  if (cred === 'wrong') h.authorization = 'Bearer nope';
  if (cred === 'signed') Object.assign(h, signRequest(CI, { timestamp: now, method: m, path: target, body: raw }));
  if (cred === 'signed-stale') Object.assign(h, signRequest(CI, { timestamp: now - 3600, method: m, path: target, body: raw }));
  if (cred === 'signed-other-path') Object.assign(h, signRequest(CI, { timestamp: now, method: m, path: '/v1/deploys', body: raw }));
  h['x-github-event'] = webhook.event;
  h['x-github-delivery'] = randomUUID();
  if (webhook.sign) h['x-hub-signature-256'] = signSha256(GITHUB, raw);
  h['x-gitlab-event'] = webhook.event === 'deployment' ? 'Deployment Hook' : webhook.event;
  if (webhook.token) h['x-gitlab-token'] = GITLAB;
  return h;
}

describe('fuzzing every route', () => {
  it(
    `answers 2xx/4xx only, logs no error and changes nothing on rejection (${RUNS} cases)`,
    async () => {
      const statuses = new Map<number, number>();
      await fc.assert(
        fc.asyncProperty(
          endpoint,
          query,
          credential,
          body,
          contentType,
          fc.record({ event: fc.constantFrom('deployment', 'deployment_status', 'ping', 'push', 'Deployment Hook'), sign: fc.boolean(), token: fc.boolean() }),
          async ([m, r], q, cred, raw, ct, webhook) => {
            const target = r + q;
            const before = await storeState();
            const withBody = m !== 'GET' && m !== 'HEAD';
            const res = await fetch(`${guard.url}${target}`, {
              method: m,
              headers: headersFor(cred, m, target, withBody ? raw : '', ct, webhook),
              body: withBody ? raw : undefined,
            });
            await res.arrayBuffer();
            statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
            expect(res.status, `${m} ${target} answered ${res.status}`).toBeLessThan(500);
            expect(res.status).toBeGreaterThanOrEqual(200);
            if (res.status >= 400) expect(await storeState(), `${m} ${target} was rejected with ${res.status} but changed the store`).toBe(before);
          },
        ),
        { numRuns: RUNS },
      );
      expect(errors.filter((l) => l.includes('unhandled error in HTTP handler'))).toEqual([]);
      // The generators reach past authentication and validation, not only the 401 wall.
      const reached = [...statuses.keys()];
      expect(reached).toEqual(expect.arrayContaining([200, 400, 401, 404]));
      if (process.env.RG_FUZZ_VERBOSE) console.log(Object.fromEntries(statuses));
    },
    fuzzTimeout(RUNS, 40),
  );
});
