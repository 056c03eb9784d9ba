// Backoff: exponential with equal jitter, capped; Retry-After wins; the last attempt lands on the deadline.
import { describe, expect, it } from 'vitest';
import { nextAttemptAt, retryDelay } from '../../../src/actions/outbox/backoff.js';

const policy = { minBackoff: 5, maxBackoff: 300 };

describe('retryDelay', () => {
  it.each([
    [1, 0, 2.5],
    [1, 0.999999, 5],
    [2, 0, 5],
    [3, 0.5, 15],
    [7, 0, 150],
    [7, 1, 300],
    [20, 0.5, 225],
  ])('after attempt %i with random %d waits %d s', (attempts, random, seconds) => {
    expect(retryDelay(attempts, policy, random)).toBeCloseTo(seconds, 4);
  });

  it('takes Retry-After as given, also above maxBackoff, and ignores a negative one', () => {
    expect(retryDelay(1, policy, 0.5, 7)).toBe(7);
    expect(retryDelay(1, policy, 0.5, 900)).toBe(900);
    expect(retryDelay(1, policy, 0, -3)).toBe(2.5);
  });
});

describe('nextAttemptAt', () => {
  it('schedules within the deadline, clamps the last attempt onto it, and gives up after it', () => {
    expect(nextAttemptAt(1000, 2000, 30)).toBe(1030);
    expect(nextAttemptAt(1990, 2000, 30)).toBe(2000);
    expect(nextAttemptAt(2000, 2000, 30)).toBe('give-up');
  });
});
