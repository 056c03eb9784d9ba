// The outbox worker against a real store and a scripted dispatcher: retries with backoff, Retry-After, deadlines,
// refusals, silences and per-thread order; every delivery ends delivered exactly once or reported as given up.
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDeliveryMetrics } from '../../../src/actions/outbox/metrics.js';
import { Outbox, type Dispatcher } from '../../../src/actions/outbox/outbox.js';
import type { SendResult } from '../../../src/actions/notify/types.js';
import type { DeliveryRecord, NewDelivery } from '../../../src/store/records.js';
import { openTestStore } from '../../store/backends.js';
import type { Store } from '../../../src/store/interfaces.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { deployRecord, newDelivery, newWatch, tempDir } from '../../store/sample-records.js';

let remove: () => Promise<void>;
let store: Store;
let outbox: Outbox;
let attempts: Array<{ key: string; at: number }>;
let script: Map<string, SendResult[]>;
let givenUp: DeliveryRecord[];
let slow: Map<string, number>;

const now = () => Date.now() / 1000;
const OK: SendResult = { ok: true, detail: 'HTTP 200 ok', httpStatus: 200 };
const FAIL: SendResult = { ok: false, retryable: true, error: 'HTTP 500 rollup_error', detail: 'HTTP 500', httpStatus: 500 };

const dispatcher: Dispatcher = {
  async send(d) {
    attempts.push({ key: d.dedupKey, at: now() });
    const ms = slow.get(d.dedupKey);
    if (ms) await new Promise((r) => setTimeout(r, ms));
    return script.get(d.dedupKey)?.shift() ?? OK;
  },
  timeoutFor: () => 1,
};

const entry = (key: string, over: Partial<NewDelivery> = {}): NewDelivery =>
  newDelivery(key, { thread: null, payload: {}, deadlineAt: now() + 60, action: { kind: 'alert', target: 'alerts', request: null }, ...over });

async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const v = await fn();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}
const finished = (key: string) =>
  until(`${key} to finish`, async () => (await store.listDeliveries({})).find((d) => d.dedupKey === key && !['pending', 'sending'].includes(d.status)));

beforeEach(async () => {
  let dir: string;
  ({ dir, remove } = await tempDir());
  store = await openTestStore(dir);
  await store.createDeploy(deployRecord(), newWatch());
  attempts = [];
  script = new Map();
  givenUp = [];
  slow = new Map();
  outbox = new Outbox({
    store,
    dispatcher,
    policy: { minBackoff: 0.05, maxBackoff: 0.2 },
    logger: silentLogger(),
    metrics: createDeliveryMetrics(new Registry()),
    now,
    random: () => 0.5,
    onGiveUp: async (d) => void givenUp.push(d),
  });
  await outbox.start();
});
afterEach(async () => {
  await outbox.stop();
  await store.close();
  await remove();
});

describe('Outbox', () => {
  it('retries a failing delivery with growing gaps until it is delivered, once', async () => {
    script.set('a', [FAIL, FAIL, FAIL]);
    await outbox.enqueue([entry('a')]);
    const d = await finished('a');
    expect(d).toMatchObject({ status: 'delivered', attempts: 4, lastError: 'HTTP 500 rollup_error' });
    const gaps = attempts.slice(1).map((a, i) => a.at - attempts[i]!.at);
    // equal jitter at random 0.5: 0.0375, 0.075, 0.15 s
    expect(gaps[0]).toBeGreaterThanOrEqual(0.035);
    expect(gaps[1]).toBeGreaterThanOrEqual(0.07);
    expect(gaps[2]).toBeGreaterThanOrEqual(0.14);
    expect(givenUp).toEqual([]);
    expect(await outbox.enqueue([entry('a')])).toEqual([]);
  });

  it('stores every attempt on the action: when it started, how it ended, the HTTP status and the time spent', async () => {
    script.set('h', [FAIL, { ok: false, retryable: true, error: 'alerts: request failed: ECONNREFUSED', detail: null }]);
    slow.set('h', 120);
    await outbox.enqueue([entry('h')]);
    expect(await finished('h')).toMatchObject({ status: 'delivered', attempts: 3 });
    const history = (await store.getDeploy('d-42'))!.actions[0]!.attempts;
    expect(history.map((a) => [a.attempt, a.outcome, a.httpStatus, a.error])).toEqual([
      [1, 'retry', 500, 'HTTP 500 rollup_error'],
      [2, 'retry', null, 'alerts: request failed: ECONNREFUSED'],
      [3, 'delivered', 200, null],
    ]);
    history.forEach((a, i) => {
      expect(a.startedAt).toBeLessThanOrEqual(attempts[i]!.at);
      expect(a.durationMs).toBeGreaterThanOrEqual(115);
      expect(a.durationMs).toBe(Math.round((a.finishedAt - a.startedAt) * 1000));
    });
  });

  it('does not retry a refusal and reports it as given up', async () => {
    script.set('bad', [{ ok: false, retryable: false, error: 'slack answered HTTP 400 "invalid_payload"', detail: 'HTTP 400' }]);
    await outbox.enqueue([entry('bad')]);
    expect(await finished('bad')).toMatchObject({ status: 'failed', attempts: 1 });
    expect(givenUp.map((d) => d.dedupKey)).toEqual(['bad']);
    expect((await store.getDeploy('d-42'))?.actions[0]).toMatchObject({ status: 'failed', error: 'slack answered HTTP 400 "invalid_payload"' });
  });

  it('gives up at the deadline, making the last attempt on it, and reports it once', async () => {
    script.set(
      'down',
      Array.from({ length: 100 }, () => FAIL),
    );
    const deadline = now() + 0.5;
    await outbox.enqueue([entry('down', { deadlineAt: deadline })]);
    const d = await finished('down');
    expect(d.status).toBe('expired');
    expect(d.lastError).toMatch(/^HTTP 500 rollup_error; gave up after \d+ attempt\(s\): still failing at the deadline /);
    expect(attempts.at(-1)!.at).toBeGreaterThanOrEqual(deadline);
    expect(givenUp.map((g) => g.dedupKey)).toEqual(['down']);
  });

  it("waits Retry-After before the next attempt, and holds the channel's other deliveries too", async () => {
    script.set('first', [{ ok: false, retryable: true, error: 'HTTP 429 rate_limited', detail: 'HTTP 429', retryAfterSeconds: 0.6 }]);
    await outbox.enqueue([entry('first')]);
    await until('the 429', async () => attempts.length === 1);
    await outbox.enqueue([entry('second')]);
    await finished('first');
    await finished('second');
    const [a1, ...rest] = attempts;
    expect(rest.map((a) => a.key).sort()).toEqual(['first', 'second']);
    for (const a of rest) expect(a.at - a1!.at).toBeGreaterThanOrEqual(0.59);
  });

  it('sends a resolve only after its trigger in the same thread got through', async () => {
    script.set('trigger', [FAIL, FAIL]);
    await outbox.enqueue([entry('trigger', { thread: 'incident-1' }), entry('resolve', { thread: 'incident-1', event: 'resolve' })]);
    await finished('resolve');
    expect(attempts.map((a) => a.key)).toEqual(['trigger', 'trigger', 'trigger', 'resolve']);
  });

  it('mutes a notification when a silence covers its service at send time, but never a resolve', async () => {
    const s = await store.createSilence(
      { service: 'checkout', environment: 'production', startsAt: now() - 1, endsAt: now() + 60, createdBy: 'alice', reason: 'planned maintenance' },
      now(),
    );
    await outbox.enqueue([entry('alert'), entry('resolve', { event: 'resolve' })]);
    expect(await finished('alert')).toMatchObject({ status: 'muted', silenceId: s.id, output: `muted by silence ${s.id} (alice: planned maintenance)` });
    expect(await finished('resolve')).toMatchObject({ status: 'delivered' });
    expect(attempts.map((a) => a.key)).toEqual(['resolve']);
    expect((await store.getDeploy('d-42'))?.actions.map((a) => a.status)).toEqual(['muted', 'succeeded']);
  });
});
