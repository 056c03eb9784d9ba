// Against a real Prometheus (Debian package) scraping real prom-client services every second, with an hour of
// backfilled history: the source returns what the services did, a deploy posted to the guard that starts failing is
// rolled back, its export replays to the same verdict, a service that stops (its series go stale while Prometheus
// answers) is an outage rolled back within three minutes, and a Prometheus outage mid-window makes a watch blind, not rolled back.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkSources } from '../../src/cli/sources.js';
import { exportRecording } from '../../src/cli/export.js';
import { replayRecording } from '../../src/cli/replay.js';
import { loadConfig } from '../../src/config/load.js';
import type { Finding } from '../../src/judge/types.js';
import { startGuard, type RunningGuard } from '../../src/main.js';
import { loadRules, resolveRules } from '../../src/rules/index.js';
import { openStore } from '../../src/store/open.js';
import type { DeployView } from '../../src/store/records.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { HISTORY, SampleService, historyOpenMetrics, requirePrometheus, startPrometheus, type RunningPrometheus } from './prometheus-rig.js';

const TOKEN = 'prometheus-itest-token';
const ROOT = path.resolve(import.meta.dirname, '../..');
let dir: string;
let shop: SampleService;
let cart: SampleService;
let stock: SampleService;
let prometheus: RunningPrometheus;
let guard: RunningGuard | null = null;
let historyFrom: number;
let configFile: string;

/** Judge rules for a fast test: 2 s steps over a 30 s window, judged against the backfilled hour. */
const RULES = (hookLog: string) => `version: 1
window: 30s
interval: 2s
baseline: {kind: pre-deploy, duration: 1h}
minEvidence: {throughput: 1, samples: 3}
rules:
  - {name: outage-silence, metric: throughput, severity: P0, when: ratio < 0.1, lookback: 4s, test: requests, tolerance: 0.9, confidence: 0.999}
  - {name: error-rate-spike, metric: error_rate, severity: P1, when: {all: [ratio > 5, value > 0.01]}, for: 4s}
  - {name: latency-slow, metric: latency_p95, severity: P2, when: value > 1000, for: 4s}
  - {name: cpu-saturated, metric: cpu, severity: P3, when: value > 64, for: 4s}
  - {name: memory-full, metric: memory, severity: P3, when: value > 64, for: 4s}
hooks:
  rollback:
    - type: exec
      name: record
      command: [node, -e, ${JSON.stringify(`require('fs').appendFileSync(${JSON.stringify(hookLog)}, process.env.RG_DEPLOY_ID + '\\n')`)}]
`;

/** The sample services are processes, not containers: CPU and memory from prom-client's process metrics, 1 core and 1 GiB. */
const PROCESS_QUERIES = (service: string) => `match: {service: ${service}}
queries:
  prometheus:
    cpu: sum(rate(process_cpu_seconds_total{service="{{service}}", environment="{{environment}}"}[{{rateInterval}}])) / 1
    memory: sum(process_resident_memory_bytes{service="{{service}}", environment="{{environment}}"}) / (1024 * 1024 * 1024)
`;

/** cart in environment "preflight": reads cart's production series, but its error_rate query lacks a parenthesis. */
const BROKEN_ERROR_RATE = `match: {service: cart, environment: preflight}
queries:
  prometheus:
    error_rate: sum(rate(http_requests_total{service="{{service}}", status=~"5.."}[{{rateInterval}}])
    latency_p95: 1000 * histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{service="{{service}}"}[{{rateInterval}}])))
    throughput: sum(rate(http_requests_total{service="{{service}}"}[{{rateInterval}}]))
    cpu: sum(rate(process_cpu_seconds_total{service="{{service}}"}[{{rateInterval}}]))
    memory: sum(process_resident_memory_bytes{service="{{service}}"}) / (1024 * 1024 * 1024)
`;

async function api<T>(method: string, route: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${guard!.url}${route}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as T };
}

async function until<T>(what: string, fn: () => Promise<T | null | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const v = await fn();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const finished = (id: string) =>
  until(`the watch of ${id} to end`, async () => {
    const { body } = await api<DeployView>('GET', `/v1/deploys/${id}`);
    return body.watch?.status !== 'watching' ? body : null;
  });

beforeAll(async () => {
  await requirePrometheus();
  dir = await mkdtemp(path.join(os.tmpdir(), 'rg-prom-itest-'));
  shop = await SampleService.start('shop');
  cart = await SampleService.start('cart');
  stock = await SampleService.start('stock');
  shop.startTraffic();
  cart.startTraffic();
  stock.startTraffic();
  const now = Math.floor(Date.now() / 1000);
  historyFrom = now - 3700;
  prometheus = await startPrometheus(dir, [shop, cart, stock], historyOpenMetrics([shop, cart, stock], historyFrom, now - 1));
  const rulesDir = path.join(dir, 'rules');
  await mkdir(rulesDir);
  const example = await readFile(path.join(ROOT, 'rules/examples/prometheus.yaml'), 'utf8');
  // As the example says: its queries block is appended to default.yaml.
  await writeFile(path.join(rulesDir, 'default.yaml'), `${RULES(path.join(dir, 'rollbacks.log'))}\n${example}`);
  await writeFile(path.join(rulesDir, 'shop.yaml'), PROCESS_QUERIES('shop'));
  await writeFile(path.join(rulesDir, 'cart.yaml'), PROCESS_QUERIES('cart'));
  await writeFile(path.join(rulesDir, 'stock.yaml'), PROCESS_QUERIES('stock'));
  await writeFile(path.join(rulesDir, 'cart-preflight.yaml'), BROKEN_ERROR_RATE);
  configFile = path.join(dir, 'release-guard.yaml');
  await writeFile(
    configFile,
    `port: 0\ndataDir: ./data\nrulesDir: ./rules\nlogLevel: silent\ndefaultSource: prom\nsources:\n  prom:\n    type: prometheus\n    url: ${prometheus.url}\n    timeout: 2s\n    retries: 1\n    backoff: 0.1s\n    scrapeInterval: 1s\n`,
  );
}, 120_000);

afterAll(async () => {
  await guard?.close();
  await prometheus?.kill();
  await shop?.stop();
  await cart?.stop();
  await stock?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('prometheus source against a real Prometheus', () => {
  it('reads back the backfilled hour exactly, and `sources check` passes for a scraped service', async () => {
    const report = await checkSources({ service: 'shop', environment: 'production', config: configFile, env: {}, logger: silentLogger() });
    expect(report.checks.map((c) => [c.metric, c.status])).toEqual([
      ['throughput', 'ok'],
      ['error_rate', 'ok'],
      ['latency_p95', 'ok'],
      ['cpu', 'ok'],
      ['memory', 'ok'],
    ]);
    expect(report.ok).toBe(true);
    // One hour at 2 s steps is 1801 step times; the seconds between the backfill and the first scrape are gaps.
    for (const c of report.checks) expect(c.points).toBeGreaterThan(1700);

    const { config, baseDir } = loadConfig({ file: configFile, env: {} });
    const { createSource } = await import('../../src/sources/registry.js');
    const source = await createSource('prom', config.sources.prom!, { logger: silentLogger(), baseDir, env: {} });
    const rules = resolveRules(await loadRules(config.rulesDir), { service: 'shop', environment: 'production' });
    const startedAt = historyFrom + 1000;
    const at = async (metric: string, service = 'shop') => {
      const r = await source.query({
        metric,
        decl: rules.metrics[metric]!,
        deploy: { id: 'x', service, environment: 'production', version: 'v1', startedAt },
        scope: 'deploy',
        start: startedAt,
        end: startedAt + 600,
        step: 2,
      });
      return r;
    };
    const expected: Record<string, number> = { error_rate: HISTORY.errorRate, latency_p95: 48.75, throughput: HISTORY.rps, cpu: HISTORY.cpu, memory: 0.25 };
    for (const [metric, value] of Object.entries(expected)) {
      const r = await at(metric);
      expect(r.kind).toBe('value');
      if (r.kind !== 'value') continue;
      expect(r.points).toHaveLength(301);
      expect(r.points[0]![0]).toBe(startedAt);
      for (const [, v] of r.points) expect(v).toBeCloseTo(value, 6);
    }
    // A service name that tries to break out of its label value matches nothing instead of injecting `vector(1)`.
    expect(await at('throughput', 'shop"} or vector(1) or x{a="')).toEqual({ kind: 'no-data' });
    await source.close?.();
  });

  it('`sources check` reports no data for an unknown service (the cAdvisor examples parse, but match nothing) and fails', async () => {
    const report = await checkSources({ service: 'ghost', environment: 'production', config: configFile, env: {}, logger: silentLogger() });
    expect(report.ok).toBe(false);
    expect(report.checks.map((c) => c.status)).toEqual(['no data', 'no data', 'no data', 'no data', 'no data']);
  });

  it('rolls back a posted deploy that starts failing, and its export replays to the same verdict', async () => {
    const { config, secrets, baseDir } = loadConfig({ file: configFile, env: { RELEASE_GUARD_TOKEN: TOKEN } });
    guard = await startGuard({ config, secrets, dev: false, logger: silentLogger(), baseDir });
    const posted = await api<DeployView>('POST', '/v1/deploys', {
      id: 'd-shop',
      service: 'shop',
      environment: 'production',
      version: 'v2',
      previousVersion: 'v1',
    });
    expect(posted.status).toBe(202);
    shop.failing = true;
    const view = await finished('d-shop');
    expect(view.watch?.status).toBe('fail');
    expect(view.verdict).toMatchObject({ verdict: 'fail', severity: 'P1', rollback: true });
    const spike = view.findings.find((f) => f.rule === 'error-rate-spike')!;
    expect(spike.observed).toBeGreaterThan(0.3);
    expect(spike.baseline).toBeCloseTo(HISTORY.errorRate, 3);
    expect(view.actions.filter((a) => a.kind === 'rollback').map((a) => a.target)).toEqual(['record']);
    await until('the rollback hook to run', async () => (await readFile(path.join(dir, 'rollbacks.log'), 'utf8').catch(() => '')).trim() === 'd-shop');

    // Every sample fetched was recorded: the pre-flight hour of history and the window, and replay agrees.
    const store = await openStore(config.store, { dataDir: config.dataDir });
    try {
      const recording = await exportRecording(store, 'd-shop');
      expect(recording.series.throughput!.filter(([t]) => t < view.deploy.startedAt).length).toBeGreaterThan(1700);
      const replayed = replayRecording(await loadRules(config.rulesDir), recording).judgement;
      const breaches = (fs: Finding[]) => fs.filter((f) => f.kind === 'breach').map((f) => [f.rule, f.at, f.observed, f.baseline]);
      expect({ verdict: replayed.verdict, severity: replayed.severity, rollback: replayed.rollback, rollbackAt: replayed.rollbackAt }).toEqual({
        verdict: view.verdict!.verdict,
        severity: view.verdict!.severity,
        rollback: view.verdict!.rollback,
        rollbackAt: view.verdict!.rollbackAt,
      });
      expect(breaches(replayed.findings)).toEqual(breaches(view.findings));
    } finally {
      await store.close();
    }
  }, 90_000);

  it('pre-flight: a broken query makes the watch blind for that metric at deploy start, with an alert', async () => {
    const posted = await api<DeployView>('POST', '/v1/deploys', { id: 'd-preflight', service: 'cart', environment: 'preflight', version: 'v7' });
    expect(posted.status).toBe(202);
    // POST answers once the deploy is stored; the first evaluation (at deploy start) runs right after.
    let view = posted.body;
    await until('the first evaluation saved with its alert', async () => {
      view = (await api<DeployView>('GET', '/v1/deploys/d-preflight')).body;
      return view.watch?.evaluatedAt != null && view.actions.some((a) => a.kind === 'alert');
    });
    const { deploy, findings, actions, watch } = view;
    expect(watch?.evaluatedAt).toBeGreaterThanOrEqual(deploy.startedAt);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ kind: 'blind', metric: 'error_rate', severity: 'P3', at: deploy.startedAt });
    expect(findings[0]!.summary).toContain('error_rate unknown: the metric source failed (error_rate: prometheus "prom" answered 400 bad_data: ');
    expect(findings[0]!.condition).toContain('; query: sum(rate(http_requests_total{service="cart", status=~"5.."}[4s])');
    expect(actions.filter((a) => a.kind === 'alert').length).toBeGreaterThan(0);
  });

  it('a service that stops serving after the deploy (its series go stale, Prometheus answers) is rolled back within 3 minutes', async () => {
    const posted = await api<DeployView>('POST', '/v1/deploys', { id: 'd-stock', service: 'stock', environment: 'production', version: 'v3' });
    expect(posted.status).toBe(202);
    const startedAt = posted.body.deploy.startedAt;
    await until('six seconds of the window judged', async () => {
      const { body } = await api<DeployView>('GET', '/v1/deploys/d-stock');
      return (body.watch?.evaluatedAt ?? 0) >= startedAt + 6;
    });
    const stoppedAt = Date.now() / 1000;
    await stock.stop();
    const view = await finished('d-stock');
    expect(view.verdict).toMatchObject({ verdict: 'fail', severity: 'P0', rollback: true });
    const outage = view.findings.find((f) => f.rule === 'outage-silence')!;
    expect(outage).toMatchObject({ kind: 'breach', metric: 'throughput', observed: 0, at: view.verdict!.rollbackAt });
    expect(outage.summary).toMatch(/^the service went silent: 0 requests in 4s/);
    // Seconds here (2 s steps, 1 s scrapes): the bar is 3 minutes; Prometheus marks the series stale at the first failed scrape.
    expect(view.verdict!.rollbackAt! - stoppedAt).toBeLessThan(180);
    expect(view.verdict!.rollbackAt! - stoppedAt).toBeLessThan(12);
    expect(view.findings.filter((f) => f.kind === 'blind')).toEqual([]);
    await until('the rollback hook to run', async () => (await readFile(path.join(dir, 'rollbacks.log'), 'utf8').catch(() => '')).includes('d-stock'));
  }, 90_000);

  it('a Prometheus outage mid-window leaves the watch blind and inconclusive, with an alert and no rollback', async () => {
    const posted = await api<DeployView>('POST', '/v1/deploys', { id: 'd-cart', service: 'cart', environment: 'production', version: 'v7' });
    expect(posted.status).toBe(202);
    const startedAt = posted.body.deploy.startedAt;
    await until('ten seconds of the window judged', async () => {
      const { body } = await api<DeployView>('GET', '/v1/deploys/d-cart');
      return (body.watch?.evaluatedAt ?? 0) >= startedAt + 10;
    });
    await prometheus.kill();
    const view = await finished('d-cart');
    expect(view.watch?.status).toBe('inconclusive');
    expect(view.verdict).toMatchObject({ verdict: 'inconclusive', rollback: false });
    expect(view.verdict?.reason).toMatch(/blind/);
    expect(view.verdict?.reason).toMatch(/prometheus "prom" at http:\/\/127\.0\.0\.1:\d+ is unreachable: ECONNREFUSED/);
    const blind = view.findings.filter((f) => f.kind === 'blind');
    expect(blind.length).toBeGreaterThan(0);
    expect(blind.every((f) => f.at > startedAt + 10 && f.severity === 'P3')).toBe(true);
    expect(view.findings.filter((f) => f.kind === 'breach')).toEqual([]);
    // One guard alert for the outage, on the watch that first met it (d-shop may still be watching too).
    const shop = (await api<DeployView>('GET', '/v1/deploys/d-shop')).body;
    expect([...view.actions, ...shop.actions].filter((a) => a.kind === 'alert').length).toBeGreaterThan(0);
    expect(view.actions.filter((a) => a.kind === 'rollback')).toEqual([]);
    expect((await readFile(path.join(dir, 'rollbacks.log'), 'utf8')).trim().split('\n')).toEqual(['d-shop', 'd-stock']);

    const report = await checkSources({ service: 'cart', environment: 'production', config: configFile, env: {}, logger: silentLogger() });
    expect(report.ok).toBe(false);
    expect(report.checks.every((c) => c.status === 'error' && /is unreachable: ECONNREFUSED/.test(c.message ?? ''))).toBe(true);

    // The export carries the source errors, so its replay stays blind instead of reading the missing points as silence.
    const { config } = loadConfig({ file: configFile, env: { RELEASE_GUARD_TOKEN: TOKEN } });
    const store = await openStore(config.store, { dataDir: config.dataDir });
    try {
      const recording = await exportRecording(store, 'd-cart');
      expect(recording.blind?.length).toBeGreaterThan(0);
      const replayed = replayRecording(await loadRules(config.rulesDir), recording).judgement;
      expect({ verdict: replayed.verdict, rollback: replayed.rollback }).toEqual({ verdict: 'inconclusive', rollback: false });
      const withoutBlind = replayRecording(await loadRules(config.rulesDir), { ...recording, blind: [] }).judgement;
      expect(withoutBlind.rollback).toBe(true);
    } finally {
      await store.close();
    }
  }, 90_000);
});
