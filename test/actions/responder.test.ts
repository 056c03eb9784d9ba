// The responder's routing: severities to channel names, unconfigured names to the log, P3 to the digest, silences,
// lifecycle notices once, resolves after recovery, and the guard's own alert when a delivery is given up.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { assembleDelivery, type DeliveryRuntime } from '../../src/actions/delivery.js';
import { NotificationsConfig } from '../../src/actions/notify/config.js';
import { Responder } from '../../src/actions/responder.js';
import type { Finding, Judgement } from '../../src/judge/types.js';
import { loadRules, resolveRules } from '../../src/rules/index.js';
import type { RuleSet } from '../../src/rules/schema.js';
import { openTestStore } from '../store/backends.js';
import type { DeployView } from '../../src/store/records.js';
import type { Store } from '../../src/store/interfaces.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { createGuardMetrics } from '../../src/telemetry/metrics.js';
import { TEST_RULES } from '../integration/notify-rig.js';
import { deployRecord, newWatch } from '../store/sample-records.js';

let dir: string;
let store: Store;
let rules: RuleSet;
let runtime: DeliveryRuntime | null;
const now = () => 1_763_650_000;

const finding = (rule: string, severity: Finding['severity'], over: Partial<Finding> = {}): Finding => ({
  rule,
  metric: 'error_rate',
  severity,
  at: 1_763_647_440,
  observed: 0.3,
  baseline: 0.002,
  condition: 'value >= 0.25',
  kind: 'breach',
  summary: `${rule} summary`,
  ...over,
});
const watching = (findings: Finding[]): Judgement => ({
  state: 'watching',
  verdict: null,
  severity: null,
  rollback: false,
  rollbackAt: null,
  findings,
  evaluatedAt: 1_763_647_440,
  windowEnd: 1_763_649_000,
  reason: null,
});

async function responder(channels: Record<string, unknown> = {}, lifecycle?: string[]): Promise<Responder> {
  const notifications = NotificationsConfig.parse({ channels, ...(lifecycle ? { lifecycle } : {}) });
  runtime = await assembleDelivery({
    store,
    logger: silentLogger(),
    registry: new Registry(),
    notifications,
    notifierDeps: { env: { PD: 'k'.repeat(32) }, baseDir: dir },
    hooksFor: () => [],
    guardUrl: () => 'http://guard',
    now,
  });
  return new Responder({
    store,
    logger: silentLogger(),
    metrics: createGuardMetrics(new Registry()),
    verdictUrl: (id) => `http://guard/v1/deploys/${id}`,
    now,
    delivery: runtime,
  });
}
const view = async (): Promise<DeployView> => (await store.getDeploy('d-42'))!;
const deliveries = async () => (await store.listDeliveries({ deployId: 'd-42' })).sort((a, b) => a.id - b.id);

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'rg-responder-'));
  await mkdir(path.join(dir, 'rules'));
  await writeFile(path.join(dir, 'rules/default.yaml'), TEST_RULES);
  rules = resolveRules(await loadRules(path.join(dir, 'rules')), { service: 'checkout', environment: 'production' });
  store = await openTestStore(dir);
  await store.createDeploy(deployRecord(), newWatch());
  runtime = null;
});
afterEach(async () => {
  await runtime?.outbox.stop();
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

describe('Responder routing', () => {
  it('with no channels configured sends everything once to the log and says where it was routed', async () => {
    const r = await responder();
    await r.respond(await view(), rules, watching([finding('outage', 'P0')]), [finding('outage', 'P0')]);
    const list = await deliveries();
    expect(list.map((d) => [d.event, d.channel, d.channelType])).toEqual([
      ['deploy-started', 'log', 'log'],
      ['alert', 'log', 'log'],
    ]);
    const alert = (await view()).actions.find((a) => a.kind === 'alert');
    expect(alert?.request).toMatchObject({ event: 'alert', severity: 'P0', routedAs: ['page', 'slack'] });
  });

  it("never alerts a shadow rule's finding (it is stored and shown only)", async () => {
    const r = await responder();
    const trial = finding('outage-trial', 'P0', { shadow: true });
    await r.respond(await view(), rules, watching([trial]), [trial]);
    expect((await deliveries()).map((d) => d.event)).toEqual(['deploy-started']);
  });

  it('routes P0 to page and slack, P2 to email, P3 (and no-data blind spots) to the digest; deploy-started only once', async () => {
    const r = await responder({ page: { type: 'log' }, slack: { type: 'log' }, email: { type: 'log' } });
    // A source error is not alerted per finding: SourceOutages raises one guard alert per outage (source-outages.test.ts).
    const blind = [
      finding('source-blind:cpu', 'P3', { kind: 'blind', condition: 'source returned no data' }),
      finding('source-blind:memory', 'P3', { kind: 'blind', condition: 'HTTP 503' }),
    ];
    const found = [finding('outage', 'P0'), finding('slow', 'P2'), finding('drift', 'P3'), ...blind];
    await r.respond(await view(), rules, watching(found), found);
    await store.saveJudgement('d-42', watching(found), 'watching', now());
    await r.respond(await view(), rules, watching(found), []);
    expect((await deliveries()).map((d) => [d.event, d.channel, d.status, d.thread])).toEqual([
      ['deploy-started', 'slack', expect.any(String), 'd-42'],
      ['alert', 'page', expect.any(String), 'd-42'],
      ['alert', 'slack', expect.any(String), 'd-42'],
      ['alert', 'email', expect.any(String), 'd-42'],
      ['alert', 'digest', 'held', null],
      ['alert', 'digest', 'held', null],
    ]);
  });

  it('stores alerts for a silenced service as muted, and still shows them', async () => {
    const r = await responder({ page: { type: 'log' }, slack: { type: 'log' } });
    const s = await store.createSilence(
      { service: 'checkout', environment: null, startsAt: now() - 10, endsAt: now() + 3600, createdBy: 'alice', reason: 'game day' },
      now(),
    );
    await r.alert(deployRecord(), rules, [finding('outage', 'P0')]);
    expect((await deliveries()).map((d) => [d.channel, d.status, d.silenceId])).toEqual([
      ['page', 'muted', s.id],
      ['slack', 'muted', s.id],
    ]);
    expect((await view()).actions.map((a) => [a.target, a.status])).toEqual([
      ['page', 'muted'],
      ['slack', 'muted'],
    ]);
  });

  it('after recovery resolves each PagerDuty incident in the same thread as its trigger', async () => {
    const r = await responder({ page: { type: 'pagerduty', routingKeyEnv: 'PD', server: '127.0.0.1:9' }, slack: { type: 'log' } });
    await r.alert(deployRecord(), rules, [finding('outage', 'P0'), finding('spike', 'P1')]);
    await r.recovered(deployRecord(), rules, {
      rolledBackAt: 1_763_647_440,
      window: 600,
      summary: 'outage, spike cleared 3m after the rollback',
      findings: [],
    });
    const pd = (await deliveries())
      .filter((d) => d.channelType === 'pagerduty')
      .map((d) => [d.event, d.thread, (d.payload as { event_action: string }).event_action]);
    expect(pd).toEqual([
      ['alert', 'release-guard/d-42/outage', 'trigger'],
      ['alert', 'release-guard/d-42/spike', 'trigger'],
      ['resolve', 'release-guard/d-42/outage', 'resolve'],
      ['resolve', 'release-guard/d-42/spike', 'resolve'],
    ]);
    expect((await deliveries()).filter((d) => d.event === 'recovered').map((d) => d.channel)).toEqual(['slack']);
  });

  it('pages "rollback did not recover" as P0 to the P0 channels', async () => {
    const r = await responder({ page: { type: 'log' }, slack: { type: 'log' } });
    await r.notRecovered(deployRecord(), rules, { rolledBackAt: 1_763_647_440, window: 600, summary: 'still breaching', findings: [finding('outage', 'P0')] });
    expect((await deliveries()).map((d) => [d.event, d.channel, d.severity, d.dedupKey])).toEqual([
      ['not-recovered', 'page', 'P0', 'alert:d-42:rollback-did-not-recover:page'],
      ['not-recovered', 'slack', 'P0', 'alert:d-42:rollback-did-not-recover:slack'],
    ]);
  });

  it('reports a given-up delivery on every other channel, and never a report about a report', async () => {
    const r = await responder({ page: { type: 'log' }, slack: { type: 'log' }, email: { type: 'log' } });
    await r.alert(deployRecord(), rules, [finding('outage', 'P0')]);
    const [page] = (await deliveries()).filter((d) => d.channel === 'page');
    await r.deliveryFailed({ ...page!, status: 'expired', attempts: 9, lastError: 'HTTP 500' });
    const reports = (await deliveries()).filter((d) => d.event === 'delivery-failed');
    expect(reports.map((d) => [d.channel, d.severity])).toEqual([
      ['slack', 'P0'],
      ['email', 'P0'],
    ]);
    await r.deliveryFailed({ ...reports[0]!, status: 'expired' });
    expect((await deliveries()).filter((d) => d.event === 'delivery-failed')).toHaveLength(2);
  });
});
