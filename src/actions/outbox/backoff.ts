// When to try a failed delivery again: exponential backoff with jitter, the receiver's Retry-After, the deadline.

export interface BackoffPolicy {
  /** Seconds before the first retry. */
  minBackoff: number;
  /** Largest gap between attempts, seconds. */
  maxBackoff: number;
}

/**
 * Seconds to wait after the `attempts`-th failed attempt: Retry-After when the receiver gave one, else
 * min(maxBackoff, minBackoff · 2^(attempts-1)) with "equal jitter" (half fixed, half random), so deliveries that
 * failed together do not all retry in the same second. `random` is in [0, 1).
 */
export function retryDelay(attempts: number, policy: BackoffPolicy, random: number, retryAfter?: number): number {
  if (retryAfter !== undefined && Number.isFinite(retryAfter) && retryAfter >= 0) return retryAfter;
  const exp = Math.min(policy.maxBackoff, policy.minBackoff * 2 ** Math.max(0, attempts - 1));
  return exp / 2 + (random * exp) / 2;
}

/**
 * After a retryable failure at `now`: retry at now + delay, but never later than the deadline (so the last
 * attempt happens at the deadline); or give up once the deadline has passed.
 */
export function nextAttemptAt(now: number, deadline: number, delay: number): number | 'give-up' {
  if (now >= deadline) return 'give-up';
  return Math.min(now + delay, deadline);
}
