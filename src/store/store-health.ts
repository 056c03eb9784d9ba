// Whether the store can be written: a disk-full or read-only store is detected from its errors, reported, and probed.
import type { Store } from './interfaces.js';

/** SQLite result codes and errno values that mean "cannot write here now", not a bug. */
const UNWRITABLE_CODES = new Set(['SQLITE_FULL', 'SQLITE_READONLY', 'SQLITE_IOERR', 'SQLITE_CANTOPEN', 'ENOSPC', 'EROFS', 'EDQUOT', 'EIO']);

/** The short reason if `err` (or an error in its cause chain) says the store cannot be written; else null. */
export function unwritableReason(err: unknown): string | null {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && UNWRITABLE_CODES.has(code))
      return e.message
        .replace(/^SQLITE_\w+: /, '')
        .split('\n')[0]!
        .slice(0, 200);
  }
  return null;
}

export interface StoreHealthDeps {
  /** A real write that fails while the store is unwritable (Store.probeWrite). */
  probe(): Promise<void>;
  /** Called once when the store becomes unwritable (the guard's own alert, sent around the outbox). */
  onUnwritable(reason: string): void;
  /** Called once when a probe write succeeds again, with how long it lasted. */
  onWritable(seconds: number): void;
  /** Wall clock, Unix seconds. */
  now(): number;
  /** How often to probe while unwritable; default 5000 ms. */
  probeEveryMs?: number;
}

/**
 * Tracks whether the store can be written. Any store call that fails with a disk-full / read-only error marks
 * it unwritable (readiness then says so and the API answers writes 503); a probe write every few seconds finds
 * when space is back. Reads keep working meanwhile. Nothing is dropped: the watcher retries its evaluations,
 * so a rollback decided while the disk was full is written to the outbox and fired once space returns.
 */
export class StoreHealth {
  private state: { reason: string; since: number } | null = null;
  private timer: NodeJS.Timeout | null = null;
  private probing = false;

  constructor(private readonly deps: StoreHealthDeps) {}

  /** Looks at a store error; returns the reason if it means unwritable (and records it), else null. */
  failed(err: unknown): string | null {
    const reason = unwritableReason(err);
    if (reason === null) return null;
    if (this.state === null) {
      this.state = { reason, since: this.deps.now() };
      this.deps.onUnwritable(reason);
      this.timer = setInterval(() => void this.probe(), this.deps.probeEveryMs ?? 5000);
      this.timer.unref();
    }
    return reason;
  }

  /** Why the store cannot be written, for /readyz and 503 answers; null while it can. */
  unwritable(): { reason: string; since: number } | null {
    return this.state;
  }

  /** Tries the probe write now; resolves true once the store is writable. */
  async probe(): Promise<boolean> {
    if (this.state === null) return true;
    if (this.probing) return false;
    this.probing = true;
    try {
      await this.deps.probe();
    } catch {
      return false;
    } finally {
      this.probing = false;
    }
    const lasted = Math.round(this.deps.now() - this.state.since);
    this.state = null;
    this.stop();
    this.deps.onWritable(lasted);
    return true;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}

/** The store with every failing call shown to `health` first (the error still reaches the caller). */
export function watchedStore(store: Store, health: Pick<StoreHealth, 'failed'>): Store {
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const result: unknown = (value as (...a: unknown[]) => unknown).apply(target, args);
        if (!(result instanceof Promise)) return result;
        return result.catch((err: unknown) => {
          health.failed(err);
          throw err;
        });
      };
    },
  });
}
