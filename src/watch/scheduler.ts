// Per-deploy wake-ups served by a bounded pool: at most `concurrency` runs in flight, due runs started in due-time
// order (ties first come, first served), at most one run in flight per key. The loop the watcher and the recovery
// check share. A restart that resumes 10,000 watches at once queues them here rather than starting them all.

/** Runs in flight at most when the caller sets no `concurrency`. */
export const DEFAULT_CONCURRENCY = 32;
/** Longest delay setTimeout accepts; later wake-ups are clamped to it (and re-planned when they fire). */
const MAX_DELAY_MS = 2 ** 31 - 1;

export interface SchedulerOptions {
  /** One run for a key (a deploy id). A throw is reported to `onError` and the key is retried after `retryMs`. */
  run(key: string): Promise<void>;
  onError(key: string, err: unknown): void;
  /** Delay before a run that threw is retried; default 30 s. */
  retryMs?: number;
  /** Runs in flight at most; default DEFAULT_CONCURRENCY. */
  concurrency?: number;
}

/** A key waiting for its turn: when it is due, and who waits for its run (runNow callers). */
interface Pending {
  at: number;
  seq: number;
  waiters: Array<() => void>;
}

interface QueueEntry {
  at: number;
  seq: number;
  key: string;
}

export class KeyedScheduler {
  private readonly pending = new Map<string, Pending>();
  /** Min-heap by (at, seq); an entry whose seq no longer matches its key's Pending is stale and skipped. */
  private readonly queue: QueueEntry[] = [];
  private readonly running = new Map<string, Promise<void>>();
  private readonly concurrency: number;
  private timer: NodeJS.Timeout | null = null;
  private timerAt = Infinity;
  private seq = 0;
  private stopped = false;

  constructor(private readonly opts: SchedulerOptions) {
    const n = opts.concurrency ?? DEFAULT_CONCURRENCY;
    if (!Number.isInteger(n) || n < 1) throw new Error(`scheduler concurrency must be a whole number of at least 1, got ${n}`);
    this.concurrency = n;
  }

  /** Runs `key` after `delayMs` (default: now). A later call replaces an earlier one. Ignored once stopped. */
  schedule(key: string, delayMs = 0): void {
    if (this.stopped) return;
    this.enqueue(key, Date.now() + Math.max(0, delayMs));
    this.pump();
  }

  /** Whether the key is waiting for its turn or has a run in flight. */
  has(key: string): boolean {
    return this.pending.has(key) || this.running.has(key);
  }

  /** Forgets the key's wake-up (a run in flight finishes; callers waiting on runNow are released). */
  cancel(key: string): void {
    const p = this.pending.get(key);
    if (!p) return;
    this.pending.delete(key);
    p.waiters.forEach((w) => w());
  }

  /**
   * Runs `key` as soon as a slot is free (before anything due later); concurrent calls for the same key share one
   * run. Resolves when that run has finished (or the key was cancelled); never rejects.
   */
  runNow(key: string): Promise<void> {
    const inFlight = this.running.get(key);
    if (inFlight) return inFlight;
    if (this.stopped) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const p = this.pending.get(key);
      if (p && p.at <= Date.now()) p.waiters.push(resolve);
      else this.enqueue(key, Date.now(), [...(p?.waiters ?? []), resolve]);
      this.pump();
    });
  }

  /** Keys due now and not yet started (the pool's backlog): 0 when every watch is on schedule. */
  backlog(): number {
    const now = Date.now();
    let n = 0;
    for (const p of this.pending.values()) if (p.at <= now) n++;
    return n;
  }

  /** Runs in flight now. */
  get inFlight(): number {
    return this.running.size;
  }

  /** Stops scheduling and waits for runs in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const key of [...this.pending.keys()]) this.cancel(key);
    this.queue.length = 0;
    await Promise.allSettled([...this.running.values()]);
  }

  private enqueue(key: string, at: number, waiters: Array<() => void> = this.pending.get(key)?.waiters ?? []): void {
    const seq = ++this.seq;
    this.pending.set(key, { at, seq, waiters });
    push(this.queue, { at, seq, key });
  }

  /** Starts due runs while slots are free, then sets one timer for the next due key. */
  private pump(): void {
    if (this.stopped) return;
    const now = Date.now();
    while (this.running.size < this.concurrency && this.queue.length > 0) {
      const top = this.queue[0]!;
      const p = this.pending.get(top.key);
      if (!p || p.seq !== top.seq) {
        pop(this.queue);
        continue;
      }
      if (top.at > now) break;
      pop(this.queue);
      // A key whose run is in flight waits for it to end: its `finally` queues the key again.
      if (this.running.has(top.key)) continue;
      this.pending.delete(top.key);
      this.start(top.key, p.waiters);
    }
    this.arm(now);
  }

  private arm(now: number): void {
    const next = this.running.size < this.concurrency ? this.nextDue() : Infinity;
    if (next === this.timerAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.timerAt = next;
    if (next === Infinity) return;
    this.timer = setTimeout(
      () => {
        this.timer = null;
        this.timerAt = Infinity;
        this.pump();
      },
      Math.min(MAX_DELAY_MS, Math.max(0, next - now)),
    );
  }

  /** When the earliest live key not in flight is due (Infinity if none). */
  private nextDue(): number {
    while (this.queue.length > 0) {
      const top = this.queue[0]!;
      const p = this.pending.get(top.key);
      if (p && p.seq === top.seq && !this.running.has(top.key)) return top.at;
      // Stale, or its key's run is in flight (its `finally` queues the key again).
      pop(this.queue);
    }
    return Infinity;
  }

  private start(key: string, waiters: Array<() => void>): void {
    const run = this.opts
      .run(key)
      .catch((err: unknown) => {
        this.opts.onError(key, err);
        this.schedule(key, this.opts.retryMs ?? 30_000);
      })
      .finally(() => {
        this.running.delete(key);
        waiters.forEach((w) => w());
        // A wake-up set while the run was in flight is queued again now that the key is free.
        const p = this.pending.get(key);
        if (p) push(this.queue, { at: p.at, seq: p.seq, key });
        this.pump();
      });
    this.running.set(key, run);
  }
}

const before = (a: QueueEntry, b: QueueEntry): boolean => a.at < b.at || (a.at === b.at && a.seq < b.seq);

function push(heap: QueueEntry[], e: QueueEntry): void {
  heap.push(e);
  let i = heap.length - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (!before(heap[i]!, heap[parent]!)) break;
    [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
    i = parent;
  }
}

function pop(heap: QueueEntry[]): QueueEntry | undefined {
  const top = heap[0];
  const last = heap.pop();
  if (heap.length > 0 && last) {
    heap[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && before(heap[l]!, heap[m]!)) m = l;
      if (r < heap.length && before(heap[r]!, heap[m]!)) m = r;
      if (m === i) break;
      [heap[i], heap[m]] = [heap[m]!, heap[i]!];
      i = m;
    }
  }
  return top;
}
