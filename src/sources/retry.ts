// Retries with exponential backoff for source requests: retry only what the attempt itself says is retryable.
import { setTimeout as sleepMs } from 'node:timers/promises';

export interface RetryPolicy {
  /** Retries after the first attempt (0: try once). */
  retries: number;
  /** Delay before the first retry; each further retry doubles it, capped at `maxBackoffMs`. */
  backoffMs: number;
  maxBackoffMs?: number;
}

/** The delay before retry number `n` (0-based). */
export function backoffDelay(policy: RetryPolicy, n: number): number {
  return Math.min(policy.maxBackoffMs ?? 30_000, policy.backoffMs * 2 ** n);
}

/**
 * Runs `attempt` until it returns something not retryable or the retries are used up, and returns the last
 * result with the number of attempts made. `attempt` must not throw for upstream trouble.
 */
export async function withRetries<T>(
  attempt: (n: number) => Promise<T>,
  retryable: (result: T) => boolean,
  policy: RetryPolicy,
  sleep: (ms: number) => Promise<unknown> = sleepMs,
): Promise<{ result: T; attempts: number }> {
  let result = await attempt(0);
  let n = 0;
  while (retryable(result) && n < policy.retries) {
    await sleep(backoffDelay(policy, n));
    n += 1;
    result = await attempt(n);
  }
  return { result, attempts: n + 1 };
}
