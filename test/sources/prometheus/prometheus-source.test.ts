// The Prometheus source against a scripted stand-in of its HTTP API on 127.0.0.1: query shape, auth, TLS, errors, retries.
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BUILTIN_METRICS } from '../../../src/rules/schema.js';
import { PrometheusConfig, prometheusSource } from '../../../src/sources/prometheus/index.js';
import type { MetricQuery } from '../../../src/sources/types.js';
import { createLogger, silentLogger } from '../../../src/telemetry/logger.js';
import { matrix, startStandIn, type StandIn } from './stand-in.js';

const T0 = 1_763_647_200;
const TEMPLATE = 'sum(rate(http_requests_total{service="{{service}}"}[{{rateInterval}}]))';
let dir: string;
let stand: StandIn;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rg-prom-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(async () => {
  await stand?.close();
});

function query(over: Partial<MetricQuery> = {}, template: string | null = TEMPLATE): MetricQuery {
  const decl = { ...BUILTIN_METRICS.throughput, ...(template ? { queries: { prometheus: template } } : {}) };
  return {
    metric: 'throughput',
    decl,
    deploy: { id: 'd-1', service: 'shop', environment: 'production', version: 'v2', startedAt: T0 },
    scope: 'deploy',
    start: T0 - 300,
    end: T0,
    step: 60,
    ...over,
  };
}

function source(raw: Record<string, unknown>, env: Record<string, string> = {}, logger = silentLogger()) {
  const config = PrometheusConfig.parse({ type: 'prometheus', url: stand.url, retries: 0, backoff: '0.01s', ...raw });
  return prometheusSource.create('prom', config, { logger, baseDir: dir, env, registry: new Registry() });
}

describe('prometheus source', () => {
  it('POSTs query_range on the deploy step grid and returns the finite points', async () => {
    stand = await startStandIn();
    stand.script(
      matrix(
        [
          [T0 - 240, '2.5'],
          [T0 - 180, 'NaN'],
          [T0 - 120, '3'],
          [T0 - 60, '+Inf'],
          [T0, '4'],
        ],
        { service: 'shop' },
      ),
    );
    const result = await source({}).query(query({ start: T0 - 270, end: T0 + 59 }));
    expect(result).toEqual({
      kind: 'value',
      points: [
        [T0 - 240, 2.5],
        [T0 - 120, 3],
        [T0, 4],
      ],
    });
    expect(stand.seen).toHaveLength(1);
    expect(stand.seen[0]!.path).toBe('/api/v1/query_range');
    expect(stand.seen[0]!.form).toEqual({ query: 'sum(rate(http_requests_total{service="shop"}[60s]))', start: String(T0 - 240), end: String(T0), step: '60' });
  });

  it('keeps a path prefix in the url and uses an instant query for a single step', async () => {
    stand = await startStandIn();
    stand.script({ status: 200, body: { status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [T0, '7'] }] } } });
    const s = prometheusSource.create('prom', PrometheusConfig.parse({ type: 'prometheus', url: `${stand.url}/prometheus` }), {
      logger: silentLogger(),
      baseDir: dir,
      env: {},
    });
    expect(await s.query(query({ start: T0, end: T0 }))).toEqual({ kind: 'value', points: [[T0, 7]] });
    expect(stand.seen[0]!.path).toBe('/prometheus/api/v1/query');
    expect(stand.seen[0]!.form).toEqual({ query: 'sum(rate(http_requests_total{service="shop"}[60s]))', time: String(T0) });
    await s.close?.();
  });

  it('answers no-data for an empty result or only NaN values', async () => {
    stand = await startStandIn();
    expect(await source({}).query(query())).toEqual({ kind: 'no-data' });
    stand.script(matrix([[T0, 'NaN']]));
    expect(await source({}).query(query())).toEqual({ kind: 'no-data' });
  });

  it('a vanished target: points up to its last scrape (then nothing) is a value; an error is an error, never no-data', async () => {
    stand = await startStandIn();
    stand.script(
      matrix(
        [
          [T0 - 240, '20'],
          [T0 - 180, '20'],
        ],
        { service: 'shop' },
      ),
    );
    expect(await source({}).query(query())).toEqual({
      kind: 'value',
      points: [
        [T0 - 240, 20],
        [T0 - 180, 20],
      ],
    });
    stand.script({ status: 503, body: 'Service Unavailable' });
    expect(await source({}).query(query())).toMatchObject({ kind: 'error', retryable: true });
  });

  it('refuses a query that returns several series, naming them', async () => {
    stand = await startStandIn();
    const two = {
      status: 'success',
      data: {
        resultType: 'matrix',
        result: [
          { metric: { pod: 'a' }, values: [[T0, '1']] },
          { metric: { pod: 'b' }, values: [[T0, '2']] },
        ],
      },
    };
    stand.script({ status: 200, body: two });
    const result = await source({}).query(query());
    expect(result).toMatchObject({ kind: 'error', retryable: false });
    expect(result.kind === 'error' && result.message).toContain(
      'returned 2 series ({pod="a"}, {pod="b"}), but a metric needs exactly one per deploy; aggregate it',
    );
  });

  it('says where to add a missing template, and rejects an unsafe one without calling Prometheus', async () => {
    stand = await startStandIn();
    expect(await source({}).query(query({}, null))).toEqual({
      kind: 'error',
      retryable: false,
      message:
        'prometheus "prom": no PromQL for metric throughput; add queries: { prometheus: { throughput: "<PromQL>" } } to a rule file (see rules/examples/prometheus.yaml)',
    });
    const unsafe = await source({}).query(query({}, 'x{service={{service}}}'));
    expect(unsafe).toMatchObject({ kind: 'error', retryable: false });
    expect(stand.seen).toHaveLength(0);
  });

  it('does not retry bad_data (400) or execution (422) errors, and shows the query', async () => {
    stand = await startStandIn();
    stand.script({ status: 400, body: { status: 'error', errorType: 'bad_data', error: '1:5: parse error: unexpected "}"' } });
    const bad = await source({ retries: 3 }).query(query());
    expect(bad).toEqual({
      kind: 'error',
      retryable: false,
      message:
        'throughput: prometheus "prom" answered 400 bad_data: 1:5: parse error: unexpected "}"; query: sum(rate(http_requests_total{service="shop"}[60s]))',
    });
    expect(stand.seen).toHaveLength(1);
    stand.script({ status: 422, body: { status: 'error', errorType: 'execution', error: 'expanding series: too many samples' } });
    expect(await source({ retries: 3 }).query(query())).toMatchObject({ kind: 'error', retryable: false });
    expect(stand.seen).toHaveLength(2);
  });

  it('retries 503 timeouts and 5xx with backoff, then succeeds', async () => {
    stand = await startStandIn();
    stand.script(
      { status: 503, body: { status: 'error', errorType: 'timeout', error: 'query timed out in expression evaluation' } },
      { status: 502, body: 'bad gateway' },
      matrix([[T0, '1']]),
    );
    expect(await source({ retries: 2 }).query(query())).toEqual({ kind: 'value', points: [[T0, 1]] });
    expect(stand.seen).toHaveLength(3);
  });

  it('gives up after its retries with a retryable error that counts the attempts', async () => {
    stand = await startStandIn();
    stand.script({ status: 503, body: { status: 'error', errorType: 'unavailable', error: 'not ready' } });
    const result = await source({ retries: 2 }).query(query());
    expect(result).toEqual({ kind: 'error', retryable: true, message: 'throughput: prometheus "prom" answered 503 unavailable: not ready (after 3 attempts)' });
    expect(stand.seen).toHaveLength(3);
  });

  it('times out a server that never answers, and reports an unreachable one as retryable', async () => {
    stand = await startStandIn();
    stand.script({ hang: true });
    const slow = await source({ timeout: '0.2s' }).query(query());
    expect(slow).toEqual({
      kind: 'error',
      retryable: true,
      message: `throughput: prometheus "prom" at ${stand.url} is unreachable: no answer within 0.2s (timeout)`,
    });
    const url = stand.url;
    await stand.close();
    const down = prometheusSource.create('prom', PrometheusConfig.parse({ type: 'prometheus', url, retries: 1, backoff: '0.01s' }), {
      logger: silentLogger(),
      baseDir: dir,
      env: {},
    });
    const result = await down.query(query());
    expect(result).toMatchObject({ kind: 'error', retryable: true });
    expect(result.kind === 'error' && result.message).toMatch(/is unreachable: ECONNREFUSED: .* \(after 2 attempts\)$/);
  });

  it('sends a bearer token from an environment variable and basic auth from a file, and never logs them', async () => {
    stand = await startStandIn();
    stand.script(matrix([[T0, '1']]));
    let log = '';
    const logger = createLogger({ level: 'debug', destination: new Writable({ write: (c, _e, cb) => ((log += String(c)), cb()) }) });
    await source({ auth: { type: 'bearer', tokenEnv: 'PROM_TOKEN' } }, { PROM_TOKEN: 's3cret-token' }, logger).query(query());
    expect(stand.seen[0]!.headers.authorization).toBe('Bearer s3cret-token');
    await writeFile(join(dir, 'prom-password'), 'pa55word\n');
    await source({ auth: { type: 'basic', username: 'guard', passwordFile: 'prom-password' }, headers: { 'X-Scope-OrgID': 'team-a' } }).query(query());
    expect(stand.seen[1]!.headers.authorization).toBe(`Basic ${Buffer.from('guard:pa55word').toString('base64')}`);
    expect(stand.seen[1]!.headers['x-scope-orgid']).toBe('team-a');
    stand.script({ status: 401, body: 'unauthorized' });
    const denied = await source({ auth: { type: 'bearer', tokenEnv: 'PROM_TOKEN' }, retries: 1 }, { PROM_TOKEN: 's3cret-token' }, logger).query(query());
    expect(denied).toMatchObject({ kind: 'error', retryable: false });
    expect(JSON.stringify(denied)).toContain('401 (unauthorized: check auth and its token or password)');
    expect(JSON.stringify(denied) + log).not.toContain('s3cret-token');
  });

  it('reports a missing secret as a non-retryable error naming the setting, without calling Prometheus', async () => {
    stand = await startStandIn();
    const missing = await source({ auth: { type: 'bearer', tokenEnv: 'PROM_TOKEN' } }).query(query());
    expect(missing).toEqual({
      kind: 'error',
      retryable: false,
      message: 'throughput: prometheus "prom": environment variable PROM_TOKEN (auth.tokenEnv) is not set or empty; export it before starting release-guard',
    });
    expect(stand.seen).toHaveLength(0);
  });

  it('rejects secrets written into the config and auth without a secret reference', () => {
    expect(PrometheusConfig.safeParse({ type: 'prometheus', url: 'http://p:9090', auth: { type: 'bearer', token: 'x' } }).success).toBe(false);
    const neither = PrometheusConfig.safeParse({ type: 'prometheus', url: 'http://p:9090', auth: { type: 'basic', username: 'u' } });
    expect(neither.error?.issues[0]?.message).toBe('set exactly one of passwordEnv (an environment variable name) or passwordFile (a file path)');
    expect(PrometheusConfig.safeParse({ type: 'prometheus', url: 'ftp://p' }).error?.issues[0]?.message).toBe(
      'url must be an http:// or https:// URL, e.g. http://prometheus:9090',
    );
  });

  it('verifies TLS against tls.caFile, refuses an unknown CA, and skips verification only when told to', async () => {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    stand = await startStandIn({ key: await readFile(join(dir, 'key.pem'), 'utf8'), cert: await readFile(join(dir, 'cert.pem'), 'utf8') });
    stand.script(matrix([[T0, '1']]));
    expect(await source({ tls: { caFile: 'cert.pem' } }).query(query())).toEqual({ kind: 'value', points: [[T0, 1]] });
    const unknown = await source({}).query(query());
    expect(unknown).toMatchObject({ kind: 'error' });
    expect(unknown.kind === 'error' && unknown.message).toContain('SELF_SIGNED_CERT');
    expect(await source({ tls: { insecureSkipVerify: true } }).query(query())).toEqual({ kind: 'value', points: [[T0, 1]] });
    const noCa = await source({ tls: { caFile: 'missing.pem' } }).query(query());
    expect(noCa).toMatchObject({ kind: 'error', retryable: false });
    expect(noCa.kind === 'error' && noCa.message).toContain(`tls.caFile ${join(dir, 'missing.pem')} cannot be read (ENOENT)`);
  });
});
