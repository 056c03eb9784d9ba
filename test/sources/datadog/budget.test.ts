// The query budget: hard limits (sliding hour, 429 until reset, Remaining 0) and the interval factor that fits demand into it.
import { describe, expect, it } from 'vitest';
import { QueryBudget } from '../../../src/sources/datadog/budget.js';

const T = 1_000_000;
const rl = (over: Partial<{ limit: number; period: number; remaining: number; reset: number; name: string }> = {}) => ({
  limit: 1600,
  period: 3600,
  remaining: 1000,
  reset: 1800,
  name: 'metrics_query',
  ...over,
});

describe('QueryBudget', () => {
  it('allows queriesPerHour requests in any sliding hour', () => {
    const b = new QueryBudget(3);
    for (const t of [T, T + 10, T + 20]) {
      expect(b.blocked(t)).toBeNull();
      b.spend(t);
    }
    expect(b.blocked(T + 30)).toEqual({ reason: 'the budget of 3 queries per hour is spent', until: T + 3600 });
    expect(b.blocked(T + 3601)).toBeNull();
    expect(b.used(T + 3601)).toBe(2);
  });

  it('blocks every request after a 429 until X-RateLimit-Reset', () => {
    const b = new QueryBudget(1200);
    b.observe(T, rl({ remaining: 0, reset: 40 }), true);
    expect(b.blocked(T + 39)).toEqual({ reason: 'Datadog answered 429 (rate limited: metrics_query)', until: T + 40 });
    expect(b.blocked(T + 40)).toBeNull();
  });

  it('plans with the lowest of the configured budget, Limit/Period and Remaining spread until Reset', () => {
    const b = new QueryBudget(1200);
    expect(b.rate(T)).toBe(1200);
    b.observe(T, rl({ limit: 600, period: 3600, remaining: 500, reset: 3000 }), false);
    expect(b.rate(T)).toBe(600);
    b.observe(T, rl({ limit: 1600, period: 3600, remaining: 100, reset: 1800 }), false);
    expect(b.rate(T)).toBe(200);
    expect(b.rate(T + 1800)).toBe(1200);
  });

  it('picks the smallest whole factor that fits the demand', () => {
    const b = new QueryBudget(60);
    expect(b.factor(T, 1 / 60)).toBe(1);
    expect(b.factor(T, 3 / 60)).toBe(3);
    expect(b.factor(T, 3 / 60 + 1e-6)).toBe(4);
    expect(b.factor(T, 0)).toBe(1);
  });
});
