// A source that cannot answer during a deploy is the guard's own incident: one prompt alert per source outage,
// on the guard-alert route (default the P2 channels), never the digest.
import { cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Responder } from '../../src/actions/responder.js';
import type { DeployInput } from '../../src/api/deploy-input.js';
import { loadRules, resolveRules, type LoadedRules } from '../../src/rules/index.js';
import type { MetricSource, QueryResult } from '../../src/sources/types.js';
import type { Store } from '../../src/store/interfaces.js';
import { Writable } from 'node:stream';
import { createLogger, silentLogger } from '../../src/telemetry/logger.js';
import { openTestStore } from '../store/backends.js';
import { deployRecord, newWatch } from '../store/sample-records.js';
import { createGuardMetrics } from '../../src/telemetry/metrics.js';
import { createIntake } from '../../src/watch/intake.js';
import { SourceOutages } from '../../src/watch/source-outages.js';
import { Watcher } from '../../src/watch/watcher.js';

const T0 = 1_763_647_200;
let dir: string;
let store: Store;
let rules: LoadedRules;
let clock: number;
let answer: QueryResult;

const source: MetricSource = { type: 'test', name: 'prom', timeScale: 1, query: async () => answer };
const deploy = (over: Partial<DeployInput>): DeployInput =>
  ({ service: 'shop', environment: 'production', version: 'v2', startedAt: T0, ...over }) as DeployInput;

function rig() {
  const logger = silentLogger();
  const metrics = createGuardMetrics(new Registry());
  const now = () => clock;
  const sources = new Map([['prom', source]]);
  const rulesFor = (d: { service: string; environment: string }) => resolveRules(rules, d);
  const responder = new Responder({
    store,
    logger,
    metrics,
    verdictUrl: (id) => `http://guard/v1/deploys/${id}`,
    now,
    guardRoute: () => rulesFor({ service: '', environment: '' }).severities.P2.alert,
  });
  const outages = new SourceOutages({ alert: (key, reason, d) => responder.guardAlert(key, reason, 'P2', d), logger, now });
  const watcher = new Watcher({ store, sources, rulesFor, responder, logger, metrics, now, outages });
  const intake = createIntake({ store, watcher, sources, defaultSource: 'prom', rulesFor, logger, metrics, now });
  return { watcher, intake, outages };
}

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'rg-outage-'));
  await cp(path.resolve('rules/default.yaml'), path.join(dir, 'rules/default.yaml'));
  rules = await loadRules(path.join(dir, 'rules'));
  store = await openTestStore(dir);
  clock = T0 + 1;
  answer = { kind: 'error', message: 'connect ECONNREFUSED 127.0.0.1:9090', retryable: true };
});

afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

describe('source outages', () => {
  it('alerts once per outage on the P2 route for several blind deploys, and nothing of it waits for the digest', async () => {
    const { watcher, intake, outages } = rig();
    await intake.ingest(deploy({ id: 'd-1' }), 'api');
    await intake.ingest(deploy({ id: 'd-2', service: 'cart' }), 'api');
    // The first evaluations (a second after intake, off the request path) run now, at the intake's clock, in order.
    await watcher.evaluate('d-1');
    await watcher.evaluate('d-2');
    for (const minute of [2, 3, 4]) {
      clock = T0 + minute * 60;
      await watcher.evaluate('d-1');
      await watcher.evaluate('d-2');
    }
    const guard = await store.listDeliveries({ event: 'guard-alert', limit: 100 });
    // The shipped P2 route is [email]; unconfigured here, so it lands on the log channel: one delivery, at once.
    expect(guard).toHaveLength(1);
    expect(guard[0]).toMatchObject({ severity: 'P2', deployId: 'd-1', status: 'delivered' });
    expect(guard[0]!.dedupKey).toBe(`guard:source-blind:prom:${T0 + 1}:log`);
    expect(JSON.stringify(guard[0]!.payload)).toContain('metric source \\"prom\\" cannot answer (connect ECONNREFUSED 127.0.0.1:9090)');
    expect(outages.current()).toEqual([{ source: 'prom', since: T0 + 1 }]);
    // The blind findings are stored (the verdict says blind) but not alerted one by one nor held for the digest.
    expect((await store.getDeploy('d-1'))?.findings.filter((f) => f.kind === 'blind').length).toBeGreaterThan(0);
    const all = await store.listDeliveries({ limit: 1000 });
    expect(all.filter((d) => d.event === 'alert')).toEqual([]);
    expect(all.filter((d) => d.channel === 'digest')).toEqual([]);

    // Answers and failures alternating within five minutes are one outage (no alert per flap).
    answer = { kind: 'no-data' };
    clock = T0 + 5 * 60;
    await watcher.evaluate('d-1');
    answer = { kind: 'error', message: 'HTTP 503', retryable: true };
    clock = T0 + 6 * 60;
    await watcher.evaluate('d-1');
    expect(await store.listDeliveries({ event: 'guard-alert', limit: 100 })).toHaveLength(1);
    // Answering for more than five minutes ends it; the next failure is a new outage with its own alert.
    answer = { kind: 'no-data' };
    clock = T0 + 12 * 60;
    await watcher.evaluate('d-1');
    expect(outages.current()).toEqual([]);
    answer = { kind: 'error', message: 'HTTP 503', retryable: true };
    clock = T0 + 13 * 60;
    await watcher.evaluate('d-1');
    await watcher.evaluate('d-2');
    await watcher.stop();
    expect((await store.listDeliveries({ event: 'guard-alert', limit: 100 })).map((d) => d.dedupKey).sort()).toEqual([
      `guard:source-blind:prom:${T0 + 1}:log`,
      `guard:source-blind:prom:${T0 + 780}:log`,
    ]);
  });

  it('is one alert across restarts, and its end is told once', async () => {
    const logs: string[] = [];
    const logger = createLogger({ level: 'warn', destination: new Writable({ write: (c, _e, cb) => (logs.push(String(c)), cb()) }) });
    const responder = new Responder({ store, logger, metrics: createGuardMetrics(new Registry()), verdictUrl: (id) => id, now: () => clock });
    const life = async () => {
      const outages = new SourceOutages({ alert: (key, reason, d) => responder.guardAlert(key, reason, 'P2', d), logger, now: () => clock, store });
      await outages.load();
      return outages;
    };
    const d1 = deployRecord({ id: 'd-1', service: 'shop', startedAt: T0, receivedAt: T0 });
    const d2 = deployRecord({ id: 'd-2', service: 'cart', startedAt: T0, receivedAt: T0 });
    for (const d of [d1, d2]) await store.createDeploy(d, newWatch());
    const first = await life();
    await first.failed('prom', 'HTTP 503', d1);
    clock += 120;
    await first.failed('prom', 'HTTP 503', d2);
    expect(await store.openSourceOutages()).toEqual([{ source: 'prom', since: T0 + 1, lastFailure: T0 + 121, deploys: ['d-1', 'd-2'] }]);

    // Restarted while the source is still down: the outage carries on, with no second alert.
    const second = await life();
    expect(second.current()).toEqual([{ source: 'prom', since: T0 + 1 }]);
    clock += 60;
    await second.failed('prom', 'HTTP 503', d2);
    expect((await store.listDeliveries({ event: 'guard-alert', limit: 10 })).map((d) => d.dedupKey)).toEqual([`guard:source-blind:prom:${T0 + 1}:log`]);

    // Restarted again, and the source answers after the quiet period: the end is told once, by one process.
    const third = await life();
    const replica = await life();
    clock += 301;
    await Promise.all([third.answered('prom'), replica.answered('prom')]);
    expect(third.current()).toEqual([]);
    expect(await store.openSourceOutages()).toEqual([]);
    expect(logs.filter((l) => l.includes('metric source prom answers again'))).toHaveLength(1);
    expect(logs.join('')).toContain('its outage lasted 180s');

    // The next failure after that is a new outage, alerted under its own key.
    await (await life()).failed('prom', 'HTTP 503', d1);
    expect((await store.listDeliveries({ event: 'guard-alert', limit: 10 })).map((d) => d.dedupKey).sort()).toEqual([
      `guard:source-blind:prom:${T0 + 1}:log`,
      `guard:source-blind:prom:${clock}:log`,
    ]);
  });

  it('routes to notifications.guardAlerts when it is set', async () => {
    const logger = silentLogger();
    const responder = new Responder({
      store,
      logger,
      metrics: createGuardMetrics(new Registry()),
      verdictUrl: (id) => id,
      now: () => clock,
      guardRoute: () => ['oncall-slack'],
    });
    await responder.guardAlert('k', 'store unwritable');
    expect((await store.listDeliveries({ event: 'guard-alert', limit: 10 })).map((d) => d.dedupKey)).toEqual(['guard:k:log']);
    // Same key again: deduplicated.
    await responder.guardAlert('k', 'store unwritable');
    expect(await store.listDeliveries({ event: 'guard-alert', limit: 10 })).toHaveLength(1);
  });
});
