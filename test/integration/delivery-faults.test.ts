// Fault tests for the outbox with the real notifiers against the stand-ins: endpoints down, 500s, 429s, slow and hung
// answers — each ends with every alert delivered exactly once; refusals and deadlines end with the guard's own alert.
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { composeDeliveries } from '../../src/actions/compose.js';
import { assembleDelivery, type DeliveryRuntime } from '../../src/actions/delivery.js';
import { NotificationsConfig } from '../../src/actions/notify/config.js';
import { Responder } from '../../src/actions/responder.js';
import { sampleFacts } from '../../src/actions/templates/context.js';
import { openTestStore } from '../store/backends.js';
import type { Store } from '../../src/store/interfaces.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { createGuardMetrics } from '../../src/telemetry/metrics.js';
import { deployRecord, newWatch } from '../store/sample-records.js';
import { startNotifyRig, until, type NotifyRig } from './notify-rig.js';
import { PD_SERVER_ERROR, PD_THROTTLED } from './stand-ins/pagerduty.js';
import { SLACK_RATE_LIMITED, SLACK_ROLLUP_ERROR } from './stand-ins/slack.js';

let rig: NotifyRig;
let store: Store;
let delivery: DeliveryRuntime;
let seq = 0;
const now = () => Date.now() / 1000;

/** Raises one P1 alert for a fresh deploy to page, slack and email; returns the deploy id. */
async function raise(): Promise<string> {
  const id = `fault-${++seq}`;
  await store.createDeploy(deployRecord({ id, receivedAt: now() }), newWatch());
  const facts = {
    ...sampleFacts('alert'),
    deploy: { ...deployRecord({ id }) },
    incidentKey: `release-guard/${id}/error-rate-spike`,
    links: { verdict: `http://guard/v1/deploys/${id}`, deploy: null },
  };
  const { channels, templates, policy } = delivery;
  await delivery.outbox.enqueue(
    composeDeliveries(facts, ['page', 'slack', 'email'], `alert:${id}:error-rate-spike`, 'alert', {
      channels,
      templates,
      now: now(),
      deadline: now() + policy.deadline,
      silence: null,
    }),
  );
  return id;
}

const settled = (id: string) =>
  until(
    `deliveries of ${id} to settle`,
    async () => {
      const list = await store.listDeliveries({ deployId: id });
      return list.length > 0 && list.every((d) => !['pending', 'sending'].includes(d.status)) ? list : null;
    },
    30_000,
  );

/** Each channel received the alert of `id` exactly once. */
function deliveredOnce(id: string): void {
  expect(rig.pd.accepted.filter((e) => e.body.dedup_key === `release-guard/${id}/error-rate-spike`)).toHaveLength(1);
  expect(rig.slack.accepted.filter((m) => JSON.stringify(m.message).includes(`(${id})`))).toHaveLength(1);
  expect(rig.smtp.received.filter((m) => m.text?.includes(`(${id})`))).toHaveLength(1);
}

beforeAll(async () => {
  rig = await startNotifyRig();
  store = await openTestStore(rig.dir);
  const notifications = NotificationsConfig.parse(
    rig.notifications({ delivery: { minBackoff: '0.2s', maxBackoff: '1s', attemptTimeout: '1s', deadline: '1m' } }),
  );
  delivery = await assembleDelivery({
    store,
    logger: silentLogger(),
    registry: new Registry(),
    notifications,
    notifierDeps: { env: rig.env, baseDir: rig.dir },
    hooksFor: () => [],
    guardUrl: () => 'http://guard',
    now,
  });
  // The responder raises the guard's own alert when a delivery is given up.
  new Responder({
    store,
    logger: silentLogger(),
    metrics: createGuardMetrics(new Registry()),
    verdictUrl: (id) => `http://guard/v1/deploys/${id}`,
    now,
    delivery,
  });
  await delivery.outbox.start();
});
afterEach(() => {
  rig.pd.faults.clear();
  rig.slack.faults.clear();
  rig.smtp.failAlways(null);
});
afterAll(async () => {
  await delivery.outbox.stop();
  await delivery.channels.close();
  await store.close();
  await rig.close();
});

describe('delivery faults', () => {
  it('endpoints down: keeps retrying, delivers once each when they come back', async () => {
    await Promise.all([rig.pd.stop(), rig.slack.stop(), rig.smtp.stop()]);
    const id = await raise();
    await until('two failed attempts per channel', async () =>
      (await store.listDeliveries({ deployId: id })).every((d) => d.attempts >= 2 && d.status === 'pending'),
    );
    await Promise.all([rig.pd.restart(), rig.slack.restart(), rig.smtp.restart()]);
    expect((await settled(id)).map((d) => d.status)).toEqual(['delivered', 'delivered', 'delivered']);
    deliveredOnce(id);
  });

  it('500s: retries 5xx and SMTP 451, delivers once each', async () => {
    rig.pd.faults.next(PD_SERVER_ERROR, PD_SERVER_ERROR);
    rig.slack.faults.next(SLACK_ROLLUP_ERROR, SLACK_ROLLUP_ERROR);
    rig.smtp.fail({ code: 451, message: 'try later' }, { code: 451, message: 'try later' });
    const id = await raise();
    const list = await settled(id);
    expect(list.map((d) => [d.channel, d.status, d.attempts]).sort()).toEqual([
      ['email', 'delivered', 3],
      ['page', 'delivered', 3],
      ['slack', 'delivered', 3],
    ]);
    deliveredOnce(id);
  });

  it('429s: honours Retry-After and delivers once each', async () => {
    rig.pd.faults.next(PD_THROTTLED, PD_THROTTLED, PD_THROTTLED, PD_THROTTLED);
    rig.slack.faults.next(SLACK_RATE_LIMITED(2));
    rig.smtp.fail({ code: 421, message: 'slow down' });
    const id = await raise();
    const list = await settled(id);
    expect(list.map((d) => [d.channel, d.status, d.attempts]).sort()).toEqual([
      ['email', 'delivered', 2],
      ['page', 'delivered', 2],
      ['slack', 'delivered', 2],
    ]);
    const slack = list.find((d) => d.channel === 'slack')!;
    expect(slack.finishedAt! - slack.createdAt).toBeGreaterThanOrEqual(2);
    deliveredOnce(id);
  });

  it('slow answers within the attempt timeout are waited for; hung ones are retried; once each', async () => {
    rig.pd.faults.next({ delayMs: 500 });
    rig.slack.faults.next({ delayMs: 3000, drop: true });
    rig.smtp.fail({ code: 250, message: 'ok', delayMs: 500 });
    const id = await raise();
    const list = await settled(id);
    expect(list.map((d) => [d.channel, d.status, d.attempts]).sort()).toEqual([
      ['email', 'delivered', 1],
      ['page', 'delivered', 1],
      ['slack', 'delivered', 2],
    ]);
    expect(list.find((d) => d.channel === 'slack')?.lastError).toBe('slack channel "slack": no answer before the attempt timed out');
    deliveredOnce(id);
  });

  it("a refusal is not retried and raises the guard's own alert on the other channels, once", async () => {
    rig.slack.faults.next({ status: 404, body: 'channel_not_found' });
    const id = await raise();
    const list = await settled(id);
    expect(list.find((d) => d.channel === 'slack')).toMatchObject({
      status: 'failed',
      attempts: 1,
      lastError: 'slack channel "slack" answered HTTP 404 "channel_not_found" (not retrying: fix the channel config or the template)',
    });
    const own = await until('the give-up alert', async () => {
      const all = await store.listDeliveries({ event: 'delivery-failed', deployId: id });
      return all.length === 2 && all.every((d) => d.status === 'delivered') ? all : null;
    });
    expect(own.map((d) => d.channel).sort()).toEqual(['email', 'page']);
    const page = rig.pd.accepted.find((e) => String(e.body.dedup_key).startsWith('release-guard/delivery-failed/'))!;
    expect((page.body.payload as { summary: string }).summary).toBe('⚠️ release-guard could not deliver a alert to slack');
  });

  it('gives up at the deadline and says so on the other channels', async () => {
    rig.pd.faults.every(PD_SERVER_ERROR);
    const id = `fault-${++seq}`;
    await store.createDeploy(deployRecord({ id, receivedAt: now() }), newWatch());
    const facts = { ...sampleFacts('alert'), deploy: deployRecord({ id }), incidentKey: `release-guard/${id}/x` };
    const { channels, templates } = delivery;
    await delivery.outbox.enqueue(
      composeDeliveries(facts, ['page'], `alert:${id}:x`, 'alert', { channels, templates, now: now(), deadline: now() + 2, silence: null }),
    );
    const all = await settled(id);
    const page = all.find((d) => d.event === 'alert');
    expect(page).toMatchObject({ status: 'expired' });
    expect(page!.lastError).toMatch(/; gave up after \d+ attempt\(s\): still failing at the deadline /);
    expect(page!.attempts).toBeGreaterThanOrEqual(2);
    // Both other channels' notices delivered (an empty list is truthy: wait for the two, not for any answer).
    const own = await until('the give-up alert', async () => {
      const delivered = (await store.listDeliveries({ event: 'delivery-failed', deployId: id })).filter((d) => d.status === 'delivered');
      return delivered.length >= 2 ? delivered : null;
    });
    expect(own.map((d) => d.channel).sort()).toEqual(['email', 'slack']);
    expect(rig.slack.texts()).toContain('⚠️ release-guard could not deliver a alert to page');
  });
});
