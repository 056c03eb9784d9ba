// The Datadog source with the real @datadog/datadog-api-client against a local contract server: auth, shapes, gaps,
// rate limiting, batching across deploys and the budget degrading the interval (never dropping a watch).
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Registry } from 'prom-client';
import { afterEach, beforeAll, afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { Point } from '../../../src/judge/types.js';
import { BUILTIN_METRICS, type CanonicalMetric } from '../../../src/rules/schema.js';
import { DatadogSource } from '../../../src/sources/datadog/datadog-source.js';
import { DatadogConfig } from '../../../src/sources/datadog/index.js';
import type { MetricQuery, QueryResult } from '../../../src/sources/types.js';
import { createLogger, silentLogger, type Logger } from '../../../src/telemetry/logger.js';
import { startContractServer, type ContractOptions, type ContractServer, type FakeSeries } from './contract-server.js';

const T0 = 1_763_647_200;
const KEYS = { DD_TEST_API: 'api-key-123456', DD_TEST_APP: 'app-key-654321' };
const TEMPLATES = (
  parse(await readFile(new URL('../../../rules/examples/datadog.yaml', import.meta.url), 'utf8')) as { queries: { datadog: Record<CanonicalMetric, string> } }
).queries.datadog;

/** Per minute: 600 hits; errors 1% for shop, 5% for cart, none for api; gappy reports nothing for ten minutes. */
function series(): FakeSeries[] {
  const errors: Record<string, number> = { shop: 6, cart: 30, api: 0, gappy: 6 };
  const gap = (t: number) => t >= T0 - 1800 && t < T0 - 1200;
  return Object.entries(errors).flatMap(([service, e]): FakeSeries[] => {
    const tags = { service, env: 'production' };
    const v = (x: number) => (t: number) => (service === 'gappy' && gap(t) ? null : x);
    return [
      { metric: 'trace.http.request.hits', tags, value: v(600) },
      { metric: 'trace.http.request.errors', tags, value: v(e) },
      { metric: 'trace.http.request', tags, value: v(0.12) },
      ...['a', 'b'].flatMap((host) => [
        { metric: 'container.cpu.usage', tags: { ...tags, host }, value: v(250e6) },
        { metric: 'container.cpu.limit', tags: { ...tags, host }, value: v(1e9) },
      ]),
    ];
  });
}

let dir: string;
let server: ContractServer;
let clock = T0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rg-dd-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(async () => {
  await server?.close();
  clock = T0;
});

async function start(over: Partial<ContractOptions> = {}): Promise<ContractServer> {
  server = await startContractServer({ apiKey: KEYS.DD_TEST_API, appKey: KEYS.DD_TEST_APP, series: series(), now: () => clock, ...over });
  return server;
}

function source(raw: Record<string, unknown> = {}, deps: { logger?: Logger; registry?: Registry; env?: Record<string, string> } = {}): DatadogSource {
  const config = DatadogConfig.parse({
    type: 'datadog',
    url: server.url,
    apiKeyEnv: 'DD_TEST_API',
    appKeyEnv: 'DD_TEST_APP',
    retries: 0,
    backoff: '0.01s',
    budget: { batchWindow: '0.05s' },
    ...raw,
  });
  return new DatadogSource(
    'dd',
    config,
    { logger: deps.logger ?? silentLogger(), baseDir: dir, env: deps.env ?? KEYS, registry: deps.registry },
    { now: () => clock },
  );
}

function query(metric: CanonicalMetric, service: string, start: number, end: number, template: string | null = TEMPLATES[metric]): MetricQuery {
  const decl = { ...BUILTIN_METRICS[metric], ...(template ? { queries: { datadog: template } } : {}) };
  return {
    metric,
    decl,
    deploy: { id: `d-${service}`, service, environment: 'production', version: 'v2', startedAt: T0 },
    scope: 'deploy',
    start,
    end,
    step: 60,
  };
}

const preflight = (metric: CanonicalMetric, service: string) => query(metric, service, T0 - 3600, T0);
const values = (r: QueryResult) => (r.kind === 'value' ? r.points.map(([, v]) => v) : r.kind);
const times = (r: QueryResult) => (r.kind === 'value' ? r.points.map(([t]) => t) : []);

describe('datadog source against the contract server', () => {
  it('runs the example queries through the real client, on the deploy step grid', async () => {
    await start();
    const dd = source();
    const errors = await dd.query(preflight('error_rate', 'shop'));
    expect(times(errors)).toEqual(Array.from({ length: 61 }, (_, i) => T0 - 3600 + 60 * i));
    expect(new Set(values(errors) as number[])).toEqual(new Set([0.01]));
    expect(server.seen).toEqual([
      {
        status: 200,
        from: T0 - 3660,
        to: T0,
        query:
          'sum:trace.http.request.errors{service IN (shop) AND env:production} by {service}.as_count().rollup(sum, 60) / sum:trace.http.request.hits{service IN (shop) AND env:production} by {service}.as_count().rollup(sum, 60)',
      },
    ]);
    expect(new Set(values(await dd.query(preflight('latency_p95', 'shop'))) as number[])).toEqual(new Set([120]));
    expect(new Set(values(await dd.query(preflight('cpu', 'shop'))) as number[])).toEqual(new Set([0.25]));
    expect(new Set(values(await dd.query(preflight('throughput', 'shop'))) as number[])).toEqual(new Set([600]));
  });

  it('batches concurrent queries of one metric across deploys into one grouped request, each deploy getting its own series', async () => {
    await start();
    const dd = source();
    const first = await Promise.all(['shop', 'cart', 'api'].map((s) => dd.query(preflight('error_rate', s))));
    expect(first.map((r) => values(r)[0])).toEqual([0.01, 0.05, 0]);
    expect(server.seen).toHaveLength(1);
    expect(server.seen[0]!.query).toContain('{service IN (api, cart, shop) AND env:production} by {service}');
    clock = T0 + 60;
    const next = await Promise.all(['shop', 'cart', 'api'].map((s) => dd.query(query('error_rate', s, T0, T0 + 60))));
    expect(next.map((r) => [times(r), values(r)])).toEqual([
      [
        [T0, T0 + 60],
        [0.01, 0.01],
      ],
      [
        [T0, T0 + 60],
        [0.05, 0.05],
      ],
      [
        [T0, T0 + 60],
        [0, 0],
      ],
    ]);
    expect(server.seen).toHaveLength(2);
  });

  it('reports a 403 as a non-retryable error naming the key settings, without the keys, and does not retry it', async () => {
    await start();
    let log = '';
    const logger = createLogger({ level: 'debug', destination: new Writable({ write: (c, _e, cb) => ((log += String(c)), cb()) }) });
    const result = await source({ retries: 2 }, { logger, env: { DD_TEST_API: KEYS.DD_TEST_API, DD_TEST_APP: 'wrong-app-key' } }).query(
      preflight('error_rate', 'shop'),
    );
    expect(result).toEqual({
      kind: 'error',
      retryable: false,
      message:
        'error_rate: datadog "dd" answered 403 (check the API key in $DD_TEST_API and the application key in $DD_TEST_APP, which needs the timeseries_query permission, and that site is your Datadog site): Forbidden',
    });
    expect(server.seen.map((s) => s.status)).toEqual([403]);
    expect(JSON.stringify(result) + log).not.toMatch(/api-key-123456|wrong-app-key/);
  });

  it('reads the keys from files, and says which setting is missing', async () => {
    await start();
    await writeFile(join(dir, 'api-key'), `${KEYS.DD_TEST_API}\n`);
    await writeFile(join(dir, 'app-key'), `${KEYS.DD_TEST_APP}\n`);
    const viaFiles = source({ apiKeyEnv: undefined, appKeyEnv: undefined, apiKeyFile: 'api-key', appKeyFile: 'app-key' }, { env: {} });
    expect(values(await viaFiles.query(preflight('throughput', 'shop')))[0]).toBe(600);
    const missing = await source({}, { env: {} }).query(preflight('throughput', 'shop'));
    expect(missing).toEqual({
      kind: 'error',
      retryable: false,
      message: 'throughput: datadog "dd": environment variable DD_TEST_API (apiKeyEnv) is not set or empty; export it before starting release-guard',
    });
  });

  it('answers no-data for a service without series, and leaves null points out as gaps', async () => {
    await start();
    const dd = source();
    expect(await dd.query(preflight('error_rate', 'ghost'))).toEqual({ kind: 'no-data' });
    const gappy = await dd.query(preflight('error_rate', 'gappy'));
    expect(times(gappy)).toHaveLength(51);
    expect(times(gappy).filter((t) => t > T0 - 1800 && t <= T0 - 1200)).toEqual([]);
  });

  it('refuses a query that gives several series per service', async () => {
    await start();
    const byHost = await source().query(query('cpu', 'shop', T0 - 600, T0, 'sum:container.cpu.usage{service:{{service}}} by {host}'));
    expect(byHost).toMatchObject({ kind: 'error', retryable: false });
    expect(byHost.kind === 'error' && byHost.message).toBe(
      'datadog "dd": the cpu query returns 2 series for shop, but a metric needs one; aggregate it (sum:, avg:) and drop extra "by {…}" tags; query: sum:container.cpu.usage{service IN (shop)} by {host,service}',
    );
  });

  it('on a 429 reports the rate limit and its reset, sends nothing more until the reset, then fetches again', async () => {
    await start({ rateLimit: { limit: 2, period: 60 } });
    const dd = source();
    // Another user of the organization spends the period's two requests.
    for (let i = 0; i < 2; i++)
      await fetch(`${server.url}/api/v1/query?from=1&to=2&query=sum:x{*}`, {
        headers: { 'DD-API-KEY': KEYS.DD_TEST_API, 'DD-APPLICATION-KEY': KEYS.DD_TEST_APP },
      });
    clock = T0 + 20;
    const limited = await dd.query(preflight('error_rate', 'shop'));
    expect(limited).toEqual({
      kind: 'error',
      retryable: true,
      message: 'error_rate: datadog "dd" is rate limited (429, limit metrics_query); it resets in 40s: Too many requests',
    });
    const held = await dd.query(preflight('throughput', 'shop'));
    expect(held).toEqual({
      kind: 'error',
      retryable: true,
      message: `datadog "dd": Datadog answered 429 (rate limited: metrics_query); throughput cannot be fetched before ${new Date((T0 + 60) * 1000).toISOString()}`,
    });
    expect(server.seen.map((s) => s.status)).toEqual([200, 200, 429]);
    clock = T0 + 60;
    expect(values(await dd.query(preflight('error_rate', 'shop')))).toHaveLength(61);
  });

  it('serves a watch from its cached result while rate limited, and catches up after the reset', async () => {
    await start({ rateLimit: { limit: 2, period: 120 } });
    const dd = source();
    expect(times(await dd.query(preflight('error_rate', 'shop')))).toHaveLength(61);
    await fetch(`${server.url}/api/v1/query?from=1&to=2&query=sum:x{*}`, {
      headers: { 'DD-API-KEY': KEYS.DD_TEST_API, 'DD-APPLICATION-KEY': KEYS.DD_TEST_APP },
    });
    clock = T0 + 60;
    const cached = await dd.query(query('error_rate', 'shop', T0, T0 + 60));
    expect(times(cached)).toEqual([T0]);
    // The step after the cached result is pending, not silent: the watch judges it once answered.
    expect(cached).toMatchObject({ kind: 'value', answeredUntil: T0 });
    clock = T0 + 120;
    const caughtUp = await dd.query(query('error_rate', 'shop', T0 + 60, T0 + 120));
    expect(times(caughtUp)).toEqual([T0 + 60, T0 + 120]);
    expect(caughtUp).not.toHaveProperty('answeredUntil');
    expect(server.seen.map((s) => s.status)).toEqual([200, 200, 429, 200]);
  });

  it('degrades the effective interval to fit the budget, logs and exposes it, and still delivers every step', async () => {
    await start();
    const registry = new Registry();
    let log = '';
    const logger = createLogger({ level: 'info', destination: new Writable({ write: (c, _e, cb) => ((log += String(c)), cb()) }) });
    const dd = source({ budget: { queriesPerHour: 60, batchWindow: '0.01s' } }, { registry, logger });
    const metrics = ['error_rate', 'throughput', 'latency_p95'] as const;
    const seen = new Map<string, Map<number, number>>(metrics.map((m) => [m, new Map()]));
    const keep = (m: string, r: QueryResult) => {
      expect(r.kind).toBe('value');
      if (r.kind === 'value') for (const [t, v] of r.points as Point[]) seen.get(m)!.set(t, v);
    };
    for (const m of metrics) keep(m, await dd.query(preflight(m, 'shop')));
    for (let t = T0 + 60; t <= T0 + 600; t += 60) {
      clock = t;
      for (const m of metrics) keep(m, await dd.query(query(m, 'shop', t - 60, t)));
    }
    // 3 groups at 1-minute steps want 180 queries/h; the budget is 60/h: each group refreshes every 3 minutes.
    expect(dd.intervalFactor).toBe(3);
    expect(server.seen).toHaveLength(3 + 3 * 3);
    expect(server.seen.filter((s) => s.query.startsWith('sum:trace.http.request.errors')).map((s) => s.to)).toEqual([T0, T0 + 180, T0 + 360, T0 + 540]);
    for (const m of metrics) expect([...seen.get(m)!.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: 70 }, (_, i) => T0 - 3600 + 60 * i));
    expect(log).toContain(
      'datadog \\"dd\\": 3 query groups need 180 queries/h but the budget allows 60/h; refreshing each every 3 intervals instead of every one',
    );
    const text = await registry.metrics();
    expect(text).toContain('release_guard_source_interval_factor{source="dd"} 3');
    expect(text).toContain('release_guard_source_effective_interval_seconds{source="dd",metric="error_rate"} 180');
    expect(text).toMatch(/release_guard_source_served_total\{source="dd",metric="error_rate",how="degraded"\} 7/);
    expect(text).toContain('release_guard_source_budget_queries_per_hour{source="dd"} 60');
  });

  it('retries 5xx and reports an unreachable server as retryable', async () => {
    await start({ failWith: 500 });
    const failed = await source({ retries: 1 }).query(preflight('throughput', 'shop'));
    expect(failed).toEqual({ kind: 'error', retryable: true, message: 'throughput: datadog "dd" answered 500: Internal Server Error (after 2 attempts)' });
    expect(server.seen).toHaveLength(2);
    const url = server.url;
    await server.close();
    const down = await source({ url, retries: 1 }).query(preflight('throughput', 'shop'));
    expect(down).toEqual({ kind: 'error', retryable: true, message: `throughput: datadog "dd" at ${url} is unreachable: ECONNREFUSED (after 2 attempts)` });
  });

  it('is not redirected by DD_SITE in the environment', async () => {
    await start();
    const before = process.env.DD_SITE;
    process.env.DD_SITE = 'datadoghq.invalid';
    try {
      expect(values(await source().query(preflight('throughput', 'shop')))[0]).toBe(600);
      expect(server.seen).toHaveLength(1);
    } finally {
      if (before === undefined) delete process.env.DD_SITE;
      else process.env.DD_SITE = before;
    }
  });

  it('refuses keys written into the config, and defaults to the DD_API_KEY / DD_APP_KEY variables and datadoghq.com', () => {
    const inline = DatadogConfig.safeParse({ type: 'datadog', apiKey: 'abc' });
    expect(inline.error?.issues[0]?.message).toBe('secrets are not read from the config file: name an environment variable (…Env) or a file (…File) instead');
    expect(DatadogConfig.parse({ type: 'datadog' })).toEqual({
      type: 'datadog',
      site: 'datadoghq.com',
      timeout: 30,
      retries: 2,
      backoff: 1,
      budget: { queriesPerHour: 1200, batchWindow: 0.2 },
    });
    expect(DatadogConfig.safeParse({ type: 'datadog', appKeyEnv: 'A', appKeyFile: 'b' }).error?.issues[0]?.message).toBe(
      'set appKeyEnv or appKeyFile, not both',
    );
  });

  it('says where to add a missing template', async () => {
    await start();
    expect(await source().query(query('memory', 'shop', T0 - 60, T0, null))).toEqual({
      kind: 'error',
      retryable: false,
      message:
        'datadog "dd": no Datadog query for metric memory; add queries: { datadog: { memory: "<query>" } } to a rule file (see rules/examples/datadog.yaml)',
    });
    expect(server.seen).toHaveLength(0);
  });
});
