// KeyedScheduler: a bounded pool of keyed runs, started in due-time order, one run in flight per key.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { KeyedScheduler } from '../../src/watch/scheduler.js';

/** A run that waits until the test releases it; records start order and the peak number in flight. */
function rig(concurrency: number) {
  const started: string[] = [];
  const gates = new Map<string, () => void>();
  let inFlight = 0;
  let peak = 0;
  const errors: string[] = [];
  let failNext = new Set<string>();
  const scheduler = new KeyedScheduler({
    concurrency,
    retryMs: 1000,
    run: (key) => {
      started.push(key);
      inFlight++;
      peak = Math.max(peak, inFlight);
      return new Promise<void>((resolve, reject) => {
        gates.set(key, () => {
          inFlight--;
          gates.delete(key);
          if (failNext.has(key)) {
            failNext.delete(key);
            reject(new Error(`boom ${key}`));
          } else resolve();
        });
      });
    },
    onError: (key) => errors.push(key),
  });
  const release = async (key: string) => {
    gates.get(key)?.();
    await vi.advanceTimersByTimeAsync(0);
  };
  return { scheduler, started, release, errors, gates, peak: () => peak, fail: (key: string) => (failNext = new Set([...failNext, key])) };
}

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('KeyedScheduler', () => {
  it('keeps at most `concurrency` runs in flight and starts waiting keys in due-time order as slots free', async () => {
    const { scheduler, started, release, peak } = rig(2);
    // Scheduled out of order; all due by t+500.
    scheduler.schedule('c', 300);
    scheduler.schedule('a', 100);
    scheduler.schedule('e', 500);
    scheduler.schedule('b', 200);
    scheduler.schedule('d', 400);
    await vi.advanceTimersByTimeAsync(1000);
    expect(started).toEqual(['a', 'b']);
    expect(scheduler.backlog()).toBe(3);
    await release('b');
    expect(started).toEqual(['a', 'b', 'c']);
    await release('a');
    await release('c');
    expect(started).toEqual(['a', 'b', 'c', 'd', 'e']);
    await release('d');
    await release('e');
    expect(peak()).toBe(2);
    expect(scheduler.backlog()).toBe(0);
  });

  it('serves 10,000 keys due at once in order, never more than the limit at a time', async () => {
    const order: number[] = [];
    let inFlight = 0;
    let peak = 0;
    const scheduler = new KeyedScheduler({
      concurrency: 16,
      run: async (key) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        order.push(Number(key));
        await new Promise((r) => setTimeout(r, 5));
        inFlight--;
      },
      onError: () => undefined,
    });
    // Due times in reverse of scheduling order: the pool must sort them.
    for (let i = 9999; i >= 0; i--) scheduler.schedule(String(i + 1), i + 1);
    // The clock jumps past them all (a restart finds every watch overdue) before any timer fires.
    vi.setSystemTime(Date.now() + 20_000);
    expect(scheduler.backlog()).toBe(10_000);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(order).toHaveLength(10_000);
    expect(order).toEqual(Array.from({ length: 10_000 }, (_, i) => i + 1));
    expect(peak).toBe(16);
  });

  it('never runs a key twice at once: a wake-up set during its run waits for the run to end', async () => {
    const { scheduler, started, release } = rig(4);
    scheduler.schedule('a');
    await vi.advanceTimersByTimeAsync(0);
    scheduler.schedule('a');
    await vi.advanceTimersByTimeAsync(100);
    expect(started).toEqual(['a']);
    await release('a');
    expect(started).toEqual(['a', 'a']);
    await release('a');
  });

  it('a later schedule replaces an earlier one; cancel forgets the key', async () => {
    const { scheduler, started, release } = rig(4);
    scheduler.schedule('a', 100);
    scheduler.schedule('a', 5000);
    await vi.advanceTimersByTimeAsync(1000);
    expect(started).toEqual([]);
    expect(scheduler.has('a')).toBe(true);
    scheduler.cancel('a');
    expect(scheduler.has('a')).toBe(false);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(started).toEqual([]);
    scheduler.schedule('b', 10);
    await vi.advanceTimersByTimeAsync(10);
    await release('b');
    expect(started).toEqual(['b']);
  });

  it('runNow goes before keys due later, shares a run in flight, and resolves when the run has finished', async () => {
    const { scheduler, started, release } = rig(1);
    scheduler.schedule('a');
    await vi.advanceTimersByTimeAsync(0);
    scheduler.schedule('late', 50);
    let done = 0;
    void scheduler.runNow('b').then(() => done++);
    void scheduler.runNow('b').then(() => done++);
    const shared = scheduler.runNow('a');
    await vi.advanceTimersByTimeAsync(100);
    expect(started).toEqual(['a']);
    await release('a');
    await shared;
    expect(started).toEqual(['a', 'b']);
    expect(done).toBe(0);
    await release('b');
    expect(done).toBe(2);
    expect(started).toEqual(['a', 'b', 'late']);
    await release('late');
  });

  it('reports a failed run and retries the key after retryMs', async () => {
    const { scheduler, started, release, errors, fail } = rig(2);
    fail('a');
    scheduler.schedule('a');
    await vi.advanceTimersByTimeAsync(0);
    await release('a');
    expect(errors).toEqual(['a']);
    await vi.advanceTimersByTimeAsync(999);
    expect(started).toEqual(['a']);
    await vi.advanceTimersByTimeAsync(1);
    expect(started).toEqual(['a', 'a']);
    await release('a');
  });

  it('stop waits for runs in flight and starts nothing more', async () => {
    const { scheduler, started, release, gates } = rig(1);
    scheduler.schedule('a');
    scheduler.schedule('b');
    await vi.advanceTimersByTimeAsync(0);
    let stopped = false;
    const stopping = scheduler.stop().then(() => (stopped = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(stopped).toBe(false);
    await release('a');
    await stopping;
    scheduler.schedule('c');
    await vi.advanceTimersByTimeAsync(100);
    expect(started).toEqual(['a']);
    expect(gates.size).toBe(0);
  });

  it('refuses a concurrency below 1', () => {
    expect(() => new KeyedScheduler({ concurrency: 0, run: async () => undefined, onError: () => undefined })).toThrow(
      'scheduler concurrency must be a whole number of at least 1, got 0',
    );
  });
});
