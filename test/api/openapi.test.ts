// /v1/openapi.json: generated from the zod schemas, valid OpenAPI 3.1 (checked with a real validator), and complete:
// every route the app answers is documented, and nothing documented is missing from the app.
import type { AddressInfo } from 'node:net';
import { Validator } from '@seriousme/openapi-schema-validator';
import type express from 'express';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.js';
import type { AppDeps } from '../../src/api/deps.js';
import { createSilenceService } from '../../src/actions/silences/service.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { FakeIntake } from './fake-intake.js';
import { ADMIN_TOKEN, CI_TOKEN } from './start-app.js';

const VIEWER = 'viewer-token-for-tests-55555';
const unused = () => {
  throw new Error('not called by this test');
};
let app: express.Express;
let server: ReturnType<express.Express['listen']>;
let url: string;

beforeAll(async () => {
  const deps: AppDeps = {
    auth: { token: CI_TOKEN, adminToken: ADMIN_TOKEN, viewerToken: VIEWER, githubSecret: 's', gitlabToken: 't' },
    intake: new FakeIntake(),
    registry: new Registry(),
    logger: silentLogger(),
    notReadyReason: () => null,
    silences: createSilenceService({} as Parameters<typeof createSilenceService>[0], () => 0),
    review: { act: unused, feedback: unused, extras: unused, charts: unused },
    tuning: { rules: unused, store: {} as NonNullable<AppDeps['tuning']>['store'], now: () => 0 },
    uiDir: '/nonexistent',
  };
  app = createApp(deps);
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

/** method + OpenAPI path of every route registered on the app (express `:id` → `{id}`; the UI shell excluded). */
function appRoutes(a: express.Express): string[] {
  const out: string[] = [];
  const walk = (stack: Array<{ route?: { path: string | string[]; methods: Record<string, boolean> }; handle?: { stack?: unknown[] } }>) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const p of [layer.route.path].flat()) for (const m of Object.keys(layer.route.methods)) out.push(`${m} ${p.replace(/:([A-Za-z]+)/g, '{$1}')}`);
      } else if (layer.handle?.stack) walk(layer.handle.stack as typeof stack);
    }
  };
  walk((a as unknown as { router: { stack: Parameters<typeof walk>[0] } }).router.stack);
  return [...new Set(out)].filter((r) => !r.includes(' /ui')).sort();
}

it('is valid OpenAPI 3.1 and documents exactly the routes the app has', async () => {
  expect((await fetch(`${url}/v1/openapi.json`)).status).toBe(401);
  const res = await fetch(`${url}/v1/openapi.json`, { headers: { authorization: `Bearer ${VIEWER}` } });
  expect(res.status).toBe(200);
  const doc = (await res.json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
  expect(doc.openapi).toBe('3.1.0');
  const result = await new Validator().validate(doc as unknown as Parameters<Validator['validate']>[0]);
  expect(result.errors ?? []).toEqual([]);
  expect(result.valid).toBe(true);
  const documented = Object.entries(doc.paths)
    .flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m} ${p}`))
    .sort();
  expect(documented).toEqual(appRoutes(app));
  expect(documented.length).toBeGreaterThanOrEqual(24);
});

it('takes request bodies and queries from the zod schemas that validate them', async () => {
  const doc = (await (await fetch(`${url}/v1/openapi.json`, { headers: { authorization: `Bearer ${VIEWER}` } })).json()) as {
    paths: Record<
      string,
      Record<
        string,
        {
          requestBody?: { content: Record<string, { schema: { properties: Record<string, { enum?: string[] }>; required?: string[] } }> };
          parameters?: Array<{ name: string; in: string }>;
        }
      >
    >;
  };
  const actions = doc.paths['/v1/deploys/{id}/actions']?.post?.requestBody?.content['application/json']?.schema;
  expect(actions?.properties.action?.enum).toEqual(['acknowledge', 'rollback', 'stop', 'extend', 'note']);
  expect(actions?.required).toEqual(['action', 'reason']);
  const feedback = doc.paths['/v1/deploys/{id}/feedback']?.post?.requestBody?.content['application/json']?.schema;
  expect(feedback?.properties.label?.enum).toEqual(['correct', 'false-alarm', 'missed-regression']);
  const deploy = doc.paths['/v1/deploys']?.post?.requestBody?.content['application/json']?.schema;
  expect(deploy?.required).toEqual(expect.arrayContaining(['service', 'environment', 'version']));
  expect(doc.paths['/v1/deploys']?.get?.parameters?.map((p) => `${p.in}:${p.name}`)).toEqual([
    'query:service',
    'query:environment',
    'query:status',
    'query:limit',
    'query:before',
    'query:cursor',
  ]);
  expect(doc.paths['/v1/deploys/{id}/log.md']?.get?.parameters?.map((p) => `${p.in}:${p.name}`)).toEqual(['path:id']);
  // The list answers summaries and a next cursor; the evidence is documented on the detail route only.
  const answer = (path: string) => JSON.stringify((doc.paths[path]?.get as { responses: Record<string, unknown> }).responses['200']);
  expect(answer('/v1/deploys')).toContain('"next"');
  expect(answer('/v1/deploys')).not.toContain('"evidence"');
  expect(answer('/v1/deploys/{id}')).toContain('"evidence"');
});

it('documents every answer with the response schema its route answers through (respond)', async () => {
  type Schema = { type?: string; properties?: Record<string, Schema>; items?: Schema; anyOf?: Schema[]; enum?: string[]; required?: string[] };
  const doc = (await (await fetch(`${url}/v1/openapi.json`, { headers: { authorization: `Bearer ${VIEWER}` } })).json()) as {
    paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: Schema }> }> }>>;
  };
  const answer = (path: string, method: string, status = '200') => doc.paths[path]?.[method]?.responses[status]?.content?.['application/json']?.schema;
  const nullable = (s: Schema | undefined) => s?.anyOf?.find((x) => x.type !== 'null') ?? s;
  // Every JSON answer is an object with named properties, never an open record.
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const schema = Object.values(op.responses).find((r) => r.content?.['application/json'])?.content?.['application/json']?.schema;
      if (schema && path !== '/v1/openapi.json' && !path.startsWith('/v1/webhooks'))
        expect(Object.keys(schema.properties ?? {}), `${method} ${path}`).not.toEqual([]);
    }
  }
  const detail = answer('/v1/deploys/{id}', 'get');
  const attempt = detail?.properties?.actions?.items?.properties?.attempts?.items;
  expect(attempt?.properties?.outcome?.enum).toEqual(['delivered', 'retry', 'failed', 'expired', 'interrupted']);
  expect(attempt?.required).toEqual(['attempt', 'startedAt', 'finishedAt', 'durationMs', 'outcome', 'httpStatus', 'error']);
  expect(nullable(detail?.properties?.recovery)?.properties?.status?.enum).toEqual(['checking', 'recovered', 'not-recovered']);
  expect(Object.keys(answer('/v1/rules/quality', 'get')?.properties ?? {})).toEqual(['since', 'rules', 'shadow']);
  expect(answer('/v1/session', 'get')?.properties?.role?.enum).toEqual(['viewer', 'admin']);
  expect(answer('/v1/deploys/{id}/actions', 'post', '201')?.properties?.action?.properties?.action?.enum).toEqual([
    'acknowledge',
    'rollback',
    'stop',
    'extend',
    'note',
  ]);
  expect(Object.keys(answer('/v1/backtest', 'post')?.properties ?? {})).toEqual(['judged', 'rejudged', 'changed', 'labels', 'elapsedMs']);
  expect(answer('/v1/deploys/{id}/charts', 'get')?.properties?.metrics?.items?.required).toContain('band');
});
