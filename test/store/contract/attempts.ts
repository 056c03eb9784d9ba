// OutboxStore attempt history: every attempt of a delivery (time, outcome, HTTP status or error, duration) is kept
// with the outcome it recorded, the latest ATTEMPTS_KEPT per delivery, and shown on the deploy's actions.
import { beforeEach, expect, it } from 'vitest';
import { INTERRUPTED_HOOK_ERROR, INTERRUPTED_NOTIFICATION_ERROR } from '../../../src/store/outbox.js';
import { ATTEMPTS_KEPT, type NewDelivery } from '../../../src/store/records.js';
import type { Store } from '../../../src/store/interfaces.js';
import { deployRecord, newDelivery, newWatch } from '../sample-records.js';
import { useStore, type StoreBackend } from '../backends.js';

export function attemptsContract(backend: StoreBackend): void {
  // A fresh store per test, its temp dir and PostgreSQL schema removed after it (backends.ts).
  const fresh = useStore(backend);
  let store: Store;

  beforeEach(async () => {
    store = fresh.store;
    await store.createDeploy(deployRecord(), newWatch());
  });

  const entry = (key: string, over: Partial<NewDelivery> = {}): NewDelivery => newDelivery(key, { thread: key, ...over });
  const attemptsOf = async (key: string) => (await store.getDeploy('d-42'))?.actions.find((a) => a.dedupKey === key)?.attempts;

  it('keeps each attempt with its start, outcome, HTTP status, error and duration', async () => {
    const [d] = await store.enqueueDeliveries([entry('k')], 100);
    expect(await attemptsOf('k')).toEqual([]);
    await store.claimDeliveries({ now: 100, limit: 1 });
    await store.finishDelivery(
      d!.id,
      { status: 'retry', nextAttemptAt: 130, error: 'slack answered HTTP 503', output: 'HTTP 503', startedAt: 100.25, httpStatus: 503 },
      101,
    );
    await store.claimDeliveries({ now: 130, limit: 1 });
    await store.finishDelivery(d!.id, { status: 'retry', nextAttemptAt: 160, error: 'request failed: ECONNREFUSED', output: null, startedAt: 130 }, 130.5);
    await store.claimDeliveries({ now: 160, limit: 1 });
    await store.finishDelivery(d!.id, { status: 'delivered', output: 'HTTP 200 ok', startedAt: 160, httpStatus: 200 }, 160.125);
    expect(await attemptsOf('k')).toEqual([
      { attempt: 1, startedAt: 100.25, finishedAt: 101, durationMs: 750, outcome: 'retry', httpStatus: 503, error: 'slack answered HTTP 503' },
      { attempt: 2, startedAt: 130, finishedAt: 130.5, durationMs: 500, outcome: 'retry', httpStatus: null, error: 'request failed: ECONNREFUSED' },
      { attempt: 3, startedAt: 160, finishedAt: 160.125, durationMs: 125, outcome: 'delivered', httpStatus: 200, error: null },
    ]);
  });

  it('records a refusal and an expiry as the last attempt, and no attempt for a muted delivery', async () => {
    const [failed, expired, muted] = await store.enqueueDeliveries([entry('f'), entry('e'), entry('m')], 100);
    await store.claimDeliveries({ now: 100, limit: 10 });
    await store.finishDelivery(failed!.id, { status: 'failed', error: 'slack answered HTTP 400', output: 'HTTP 400', httpStatus: 400 }, 102);
    await store.finishDelivery(expired!.id, { status: 'expired', error: 'gave up at the deadline', output: null, startedAt: 101 }, 103);
    const silence = await store.createSilence(
      { service: 'checkout', environment: null, startsAt: 0, endsAt: 9999, createdBy: 'sre', reason: 'maintenance' },
      100,
    );
    await store.finishDelivery(muted!.id, { status: 'muted', silenceId: silence.id, output: 'muted' }, 104);
    expect(await attemptsOf('f')).toEqual([
      { attempt: 1, startedAt: 102, finishedAt: 102, durationMs: 0, outcome: 'failed', httpStatus: 400, error: 'slack answered HTTP 400' },
    ]);
    expect(await attemptsOf('e')).toEqual([
      { attempt: 1, startedAt: 101, finishedAt: 103, durationMs: 2000, outcome: 'expired', httpStatus: null, error: 'gave up at the deadline' },
    ]);
    expect(await attemptsOf('m')).toEqual([]);
  });

  it(`keeps only the latest ${ATTEMPTS_KEPT} attempts of a delivery while counting them all`, async () => {
    const [d] = await store.enqueueDeliveries([entry('flaky')], 100);
    const total = ATTEMPTS_KEPT + 5;
    for (let i = 1; i <= total; i++) {
      await store.claimDeliveries({ now: 100 * i, limit: 1 });
      const outcome =
        i < total
          ? ({ status: 'retry', nextAttemptAt: 100 * (i + 1), error: `HTTP 500 #${i}`, output: null, httpStatus: 500 } as const)
          : ({ status: 'delivered', output: 'ok', httpStatus: 200 } as const);
      await store.finishDelivery(d!.id, { ...outcome, startedAt: 100 * i }, 100 * i + 1);
    }
    const kept = (await attemptsOf('flaky'))!;
    expect(kept).toHaveLength(ATTEMPTS_KEPT);
    expect(kept.map((a) => a.attempt)).toEqual(Array.from({ length: ATTEMPTS_KEPT }, (_, i) => total - ATTEMPTS_KEPT + 1 + i));
    expect(kept.at(-1)).toMatchObject({ attempt: total, outcome: 'delivered', httpStatus: 200 });
    expect(kept[0]).toMatchObject({ attempt: 6, error: 'HTTP 500 #6', startedAt: 600 });
    expect((await store.listDeliveries({ deployId: 'd-42' }))[0]?.attempts).toBe(total);
  });

  it('records the attempt a restart cut off as interrupted, from its claim to the restart', async () => {
    const hook = entry('h', { kind: 'hook', channel: 'k8s', channelType: 'exec', thread: null, action: { kind: 'rollback', target: 'k8s', request: null } });
    const [n] = await store.enqueueDeliveries([entry('n'), hook], 100);
    await store.claimDeliveries({ now: 110, limit: 10 });
    await store.resumeDeliveries(200);
    expect(await attemptsOf('n')).toEqual([
      { attempt: 1, startedAt: 110, finishedAt: 200, durationMs: 90_000, outcome: 'interrupted', httpStatus: null, error: INTERRUPTED_NOTIFICATION_ERROR },
    ]);
    expect(await attemptsOf('h')).toEqual([
      { attempt: 1, startedAt: 110, finishedAt: 200, durationMs: 90_000, outcome: 'interrupted', httpStatus: null, error: INTERRUPTED_HOOK_ERROR },
    ]);
    expect((await store.claimDeliveries({ now: 200, limit: 10 })).map((d) => d.id)).toEqual([n!.id]);
    await store.finishDelivery(n!.id, { status: 'delivered', output: null, startedAt: 200 }, 201);
    expect((await attemptsOf('n'))?.map((a) => [a.attempt, a.outcome])).toEqual([
      [1, 'interrupted'],
      [1, 'delivered'],
    ]);
  });

  it('keeps the histories of different deliveries apart, also on the deploy view', async () => {
    const [a, b] = await store.enqueueDeliveries([entry('a'), entry('b')], 100);
    await store.claimDeliveries({ now: 100, limit: 10 });
    await store.finishDelivery(a!.id, { status: 'delivered', output: null, startedAt: 100, httpStatus: 200 }, 101);
    await store.finishDelivery(b!.id, { status: 'failed', error: 'HTTP 404', output: null, startedAt: 100, httpStatus: 404 }, 102);
    const view = await store.getDeploy('d-42');
    expect(view?.actions.map((x) => [x.dedupKey, x.attempts.map((t) => t.httpStatus)])).toEqual([
      ['a', [200]],
      ['b', [404]],
    ]);
  });
}
