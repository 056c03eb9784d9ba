// A channel kind works by declaring its capabilities only: a test-only kind, unknown to templates, compose and the
// responder, gets its text escaped, an HTML body, incident threads and resolves exactly as it declares.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deliveryWith, type DeliveryRuntime } from '../../../src/actions/delivery.js';
import type { NotifierCapabilities } from '../../../src/actions/notify/capabilities.js';
import { NotificationsConfig } from '../../../src/actions/notify/config.js';
import { ChannelConfig, createNotifier, NOTIFIER_KINDS, NOTIFIER_TYPES } from '../../../src/actions/notify/registry.js';
import type { Notice, Notifier, SendResult } from '../../../src/actions/notify/types.js';
import { Responder } from '../../../src/actions/responder.js';
import { noEscape } from '../../../src/actions/templates/engine.js';
import { sampleFacts } from '../../../src/actions/templates/context.js';
import { Templates } from '../../../src/actions/templates/templates.js';
import type { Finding } from '../../../src/judge/types.js';
import { loadRules, resolveRules } from '../../../src/rules/index.js';
import type { RuleSet } from '../../../src/rules/schema.js';
import type { DeliveryRecord } from '../../../src/store/records.js';
import type { Store } from '../../../src/store/interfaces.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { createGuardMetrics } from '../../../src/telemetry/metrics.js';
import { TEST_RULES } from '../../integration/notify-rig.js';
import { openTestStore } from '../../store/backends.js';
import { deployRecord, newWatch } from '../../store/sample-records.js';

/** A chat kind of our own: `*` is markup in its text, it takes HTML, and it opens incidents a resolve closes. */
const CHAT: NotifierCapabilities = { escapeText: (t) => t.replace(/\*/g, '\\*'), html: true, threadBy: 'incident', resolvable: true };
/** The same kind if its incidents could not be resolved. */
const CHAT_NO_RESOLVE: NotifierCapabilities = { ...CHAT, resolvable: false };
/** A plain-text kind threaded per deploy. */
const NOTE: NotifierCapabilities = { escapeText: noEscape, html: false, threadBy: 'deploy', resolvable: false };

interface TestPayload {
  title: string;
  text: string;
  html: string;
  event: string;
}

class TestNotifier implements Notifier {
  constructor(
    readonly type: string,
    readonly name: string,
    readonly capabilities: NotifierCapabilities,
  ) {}

  format(notice: Notice): TestPayload {
    return { title: notice.title, text: notice.text, html: notice.html, event: notice.event };
  }

  async send(): Promise<SendResult> {
    return { ok: true, detail: 'ok' };
  }
}

const finding = (rule: string, over: Partial<Finding> = {}): Finding => ({
  rule,
  metric: 'error_rate',
  severity: 'P0',
  at: 1_763_647_440,
  observed: 0.3,
  baseline: 0.002,
  condition: 'value >= 0.25 *now*',
  kind: 'breach',
  summary: `${rule} *summary*`,
  ...over,
});
const now = () => 1_763_650_000;
const recovery = { rolledBackAt: 1_763_647_440, window: 600, summary: 'outage cleared 3m after the rollback', findings: [] };

let dir: string;
let store: Store;
let rules: RuleSet;
let runtime: DeliveryRuntime | null;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'rg-capabilities-'));
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

/** The responder over the given channels (P0 routes to `page` and `slack` in TEST_RULES). */
function responder(channels: Notifier[]): Responder {
  const notifications = NotificationsConfig.parse({});
  const setup = {
    store,
    logger: silentLogger(),
    registry: new Registry(),
    notifications,
    notifierDeps: { env: {}, baseDir: dir },
    hooksFor: () => [],
    guardUrl: () => 'http://guard',
    now,
  };
  runtime = deliveryWith(setup, new Map(channels.map((c) => [c.name, c])));
  return new Responder({
    store,
    logger: silentLogger(),
    metrics: createGuardMetrics(new Registry()),
    verdictUrl: (id) => `http://guard/v1/deploys/${id}`,
    now,
    delivery: runtime,
  });
}
const deliveries = async (): Promise<DeliveryRecord[]> => (await store.listDeliveries({ deployId: 'd-42' })).sort((a, b) => a.id - b.id);
const payload = (d: DeliveryRecord | undefined): TestPayload => d!.payload as TestPayload;

describe('a channel kind declared by its capabilities only', () => {
  it('renders the text with its escaping and an HTML body when it declares html, and the title as is', () => {
    const facts = sampleFacts('alert');
    facts.findings = [{ ...facts.findings[0]!, condition: 'value > 0.01 *and* <b>' }];
    const t = Templates.builtIn();
    const chat = t.render(facts, { type: 'chat', capabilities: CHAT });
    expect(chat.text).toContain('(condition: value > 0.01 \\*and\\* <b>)');
    expect(chat.html).toContain('<td>value &gt; 0.01 *and* &lt;b&gt;</td>');
    expect(chat.title).toBe('[P1] checkout/production v1.2.0: error-rate-spike — error_rate 3.1% vs baseline 0.2% (15.5x baseline) for 2m');
    const note = t.render(facts, { type: 'note', capabilities: NOTE });
    expect(note.text).toContain('(condition: value > 0.01 *and* <b>)');
    expect(note.html).toBe('');
  });

  it('threads its alerts by incident and gets the resolves when the rollback recovers; a deploy-threaded kind gets none', async () => {
    const r = responder([new TestNotifier('chat', 'page', CHAT), new TestNotifier('note', 'slack', NOTE)]);
    await r.alert(deployRecord(), rules, [finding('outage'), finding('spike')]);
    await r.recovered(deployRecord(), rules, { ...recovery, findings: [finding('outage')] });
    const list = await deliveries();
    expect(list.filter((d) => d.event !== 'recovered').map((d) => [d.event, d.channel, d.channelType, d.thread])).toEqual([
      ['alert', 'page', 'chat', 'release-guard/d-42/outage'],
      ['alert', 'slack', 'note', 'd-42'],
      ['alert', 'page', 'chat', 'release-guard/d-42/spike'],
      ['alert', 'slack', 'note', 'd-42'],
      ['resolve', 'page', 'chat', 'release-guard/d-42/outage'],
      ['resolve', 'page', 'chat', 'release-guard/d-42/spike'],
    ]);
    const [pageAlert, slackAlert] = list;
    expect(payload(pageAlert).text).toContain('(condition: value >= 0.25 \\*now\\*)');
    expect(payload(pageAlert).html).toContain('<td>value &gt;= 0.25 *now*</td>');
    expect(payload(slackAlert).text).toContain('(condition: value >= 0.25 *now*)');
    expect(payload(slackAlert).html).toBe('');
    expect(payload(list.find((d) => d.event === 'resolve')).title).toBe('[RESOLVED] checkout/production v1.2.0: outage');
  });

  it('sends no resolve to a kind that threads by incident but declares its incidents not resolvable', async () => {
    const r = responder([new TestNotifier('chat', 'page', CHAT_NO_RESOLVE), new TestNotifier('note', 'slack', NOTE)]);
    await r.alert(deployRecord(), rules, [finding('outage')]);
    await r.recovered(deployRecord(), rules, recovery);
    expect((await deliveries()).map((d) => [d.event, d.channel, d.thread])).toEqual([
      ['alert', 'page', 'release-guard/d-42/outage'],
      ['alert', 'slack', 'd-42'],
      ['recovered', 'slack', 'd-42'],
    ]);
  });
});

describe('the built-in kinds', () => {
  it('declare what templates, compose and the responder used to special-case by name', () => {
    const declared = Object.fromEntries(
      NOTIFIER_TYPES.map((t) => {
        const { escapeText, html, threadBy, resolvable } = NOTIFIER_KINDS[t].capabilities;
        return [t, { escapes: escapeText('a < b & c > d'), html, threadBy, resolvable }];
      }),
    );
    expect(declared).toEqual({
      pagerduty: { escapes: 'a < b & c > d', html: false, threadBy: 'incident', resolvable: true },
      slack: { escapes: 'a &lt; b &amp; c &gt; d', html: false, threadBy: 'deploy', resolvable: false },
      email: { escapes: 'a < b & c > d', html: true, threadBy: 'deploy', resolvable: false },
      log: { escapes: 'a < b & c > d', html: false, threadBy: 'deploy', resolvable: false },
    });
  });

  it("build notifiers that carry their kind's declaration", async () => {
    const configs: Record<string, unknown> = {
      pagerduty: { type: 'pagerduty', routingKeyEnv: 'K', server: '127.0.0.1:9' },
      slack: { type: 'slack', webhookUrlEnv: 'U' },
      email: { type: 'email', host: '127.0.0.1', port: 9, from: 'guard@example.com', to: ['oncall@example.com'] },
      log: { type: 'log' },
    };
    for (const type of NOTIFIER_TYPES) {
      const notifier = await createNotifier(type, ChannelConfig.parse(configs[type]), {
        logger: silentLogger(),
        env: { K: 'k'.repeat(32), U: 'http://127.0.0.1:9/hook' },
        baseDir: dir,
      });
      expect(notifier.type).toBe(type);
      expect(notifier.capabilities).toBe(NOTIFIER_KINDS[type].capabilities);
      await notifier.close?.();
    }
  });
});
