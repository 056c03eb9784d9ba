// Per-deploy timers with at most one run in flight per deploy: the loop the watcher and the recovery check share.

/** Longest delay setTimeout accepts; later wake-ups are clamped to it (and re-planned when they fire). */
const MAX_DELAY_MS = 2 ** 31 - 1;

export interface SchedulerOptions {
  /** One run for a key (a deploy id). A throw is reported to `onError` and the key is retried after `retryMs`. */
  run(key: string): Promise<void>;
  onError(key: string, err: unknown): void;
  /** Delay before a run that threw is retried; default 30 s. */
  retryMs?: number;
}

export class KeyedScheduler {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly running = new Map<string, Promise<void>>();
  private stopped = false;

  constructor(private readonly opts: SchedulerOptions) {}

  /** Runs `key` after `delayMs` (default: now). A later call replaces an earlier timer. Ignored once stopped. */
  schedule(key: string, delayMs = 0): void {
    if (this.stopped) return;
    clearTimeout(this.timers.get(key));
    const timer = setTimeout(() => {
      this.timers.delete(key);
      void this.runNow(key);
    }, Math.max(0, Math.min(delayMs, MAX_DELAY_MS)));
    this.timers.set(key, timer);
  }

  /** Whether the key has a timer set or a run in flight. */
  has(key: string): boolean {
    return this.timers.has(key) || this.running.has(key);
  }

  /** Forgets the key's timer (a run in flight finishes). */
  cancel(key: string): void {
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
  }

  /** Runs `key` now; concurrent calls for the same key share one run. Never rejects. */
  runNow(key: string): Promise<void> {
    const inFlight = this.running.get(key);
    if (inFlight) return inFlight;
    const run = this.opts
      .run(key)
      .catch((err: unknown) => {
        this.opts.onError(key, err);
        this.schedule(key, this.opts.retryMs ?? 30_000);
      })
      .finally(() => this.running.delete(key));
    this.running.set(key, run);
    return run;
  }

  /** Stops scheduling and waits for runs in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    await Promise.allSettled([...this.running.values()]);
  }
}
