// Pre-flight through the whole guard (in-process) with a Datadog source on the contract server: the first tick at
// deploy start fetches and records the baseline hour, and a broken query makes that metric blind at once.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportRecording } from '../../../src/cli/export.js';
import { checkSources } from '../../../src/cli/sources.js';
import { loadConfig } from '../../../src/config/load.js';
import { startGuard, type RunningGuard } from '../../../src/main.js';
import { openStore } from '../../../src/store/open.js';
import type { DeployView } from '../../../src/store/records.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { startContractServer, type ContractServer, type FakeSeries } from './contract-server.js';

const TOKEN = 'dd-preflight-token';
const KEYS = { DD_TEST_API: 'api-key-preflight', DD_TEST_APP: 'app-key-preflight' };
let dir: string;
let server: ContractServer;
let guard: RunningGuard;
let configFile: string;
const saved: Record<string, string | undefined> = {};

const RULES = `version: 1
window: 30m
interval: 1m
rules:
  - {name: error-rate-spike, metric: error_rate, severity: P1, when: {all: [ratio > 5, value > 0.01]}, for: 2m}
  - {name: latency-slow, metric: latency_p95, severity: P2, when: value > 1000, for: 2m}
`;

function series(): FakeSeries[] {
  return ['shop', 'broken'].flatMap((service) => {
    const tags = { service, env: 'production' };
    return [
      { metric: 'trace.http.request.hits', tags, value: () => 600 },
      { metric: 'trace.http.request.errors', tags, value: () => 3 },
      { metric: 'trace.http.request', tags, value: () => 0.2 },
    ];
  });
}

beforeAll(async () => {
  for (const [k, v] of Object.entries(KEYS)) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
  dir = await mkdtemp(join(tmpdir(), 'rg-dd-preflight-'));
  server = await startContractServer({ apiKey: KEYS.DD_TEST_API, appKey: KEYS.DD_TEST_APP, series: series() });
  await mkdir(join(dir, 'rules'));
  const example = await readFile(resolve('rules/examples/datadog.yaml'), 'utf8');
  await writeFile(join(dir, 'rules', 'default.yaml'), `${RULES}\n${example}`);
  // A missing closing brace: Datadog answers 400 "Error parsing query".
  await writeFile(
    join(dir, 'rules', 'broken.yaml'),
    'match: {service: broken}\nqueries:\n  datadog:\n    error_rate: "sum:trace.http.request.errors{service:{{service}}"\n',
  );
  configFile = join(dir, 'release-guard.yaml');
  await writeFile(
    configFile,
    `port: 0\ndataDir: ./data\nrulesDir: ./rules\nlogLevel: silent\ndefaultSource: dd\nsources:\n  dd:\n    type: datadog\n    url: ${server.url}\n    apiKeyEnv: DD_TEST_API\n    appKeyEnv: DD_TEST_APP\n    retries: 0\n`,
  );
  const { config, secrets, baseDir } = loadConfig({ file: configFile, env: { RELEASE_GUARD_TOKEN: TOKEN } });
  guard = await startGuard({ config, secrets, dev: false, logger: silentLogger(), baseDir });
});

afterAll(async () => {
  await guard?.close();
  await server?.close();
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  await rm(dir, { recursive: true, force: true });
});

/** Posts a deploy (answered once stored) and reads it back once its first evaluation is saved. */
async function post(body: Record<string, unknown>): Promise<DeployView> {
  const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
  const res = await fetch(`${guard.url}/v1/deploys`, { method: 'POST', headers, body: JSON.stringify(body) });
  expect(res.status).toBe(202);
  const { deploy } = (await res.json()) as DeployView;
  for (const deadline = Date.now() + 20_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 50))) {
    const view = (await (await fetch(`${guard.url}/v1/deploys/${deploy.id}`, { headers })).json()) as DeployView;
    if (view.watch?.evaluatedAt !== null && view.actions.length > 0) return view;
  }
  throw new Error(`deploy ${deploy.id} was not evaluated within 20 s`);
}

describe('pre-flight with the Datadog source', () => {
  it('records the baseline hour of every judged metric at deploy start, and export carries it', async () => {
    const view = await post({ id: 'd-shop', service: 'shop', environment: 'production', version: 'v2' });
    expect(view.findings).toEqual([]);
    expect(view.watch?.evaluatedAt).toBe(view.deploy.startedAt);
    const store = await openStore({ kind: 'sqlite' }, { dataDir: join(dir, 'data') });
    try {
      const recording = await exportRecording(store, 'd-shop');
      expect(Object.keys(recording.series).sort()).toEqual(['error_rate', 'latency_p95', 'throughput']);
      for (const points of Object.values(recording.series)) expect(points).toHaveLength(61);
      expect(new Set(recording.series.error_rate!.map(([, v]) => v))).toEqual(new Set([0.005]));
      expect(new Set(recording.series.latency_p95!.map(([, v]) => v))).toEqual(new Set([200]));
    } finally {
      await store.close();
    }
  });

  it('makes a metric with a broken query blind at once, with an alert, and `sources check` fails on it', async () => {
    const view = await post({ id: 'd-broken', service: 'broken', environment: 'production', version: 'v2' });
    expect(view.findings).toHaveLength(1);
    expect(view.findings[0]).toMatchObject({ kind: 'blind', metric: 'error_rate', at: view.deploy.startedAt });
    expect(view.findings[0]!.summary).toContain(
      'error_rate unknown: the metric source failed (error_rate: datadog "dd" answered 400 (the query is not valid Datadog metric query syntax): Error parsing query: ',
    );
    expect(view.actions.filter((a) => a.kind === 'alert').length).toBeGreaterThan(0);

    const report = await checkSources({ service: 'broken', environment: 'production', config: configFile, env: KEYS, logger: silentLogger() });
    expect(report.ok).toBe(false);
    expect(report.checks.map((c) => [c.metric, c.status])).toEqual([
      ['error_rate', 'error'],
      ['latency_p95', 'ok'],
      ['throughput', 'ok'],
    ]);
  });
});
