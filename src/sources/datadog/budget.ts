// The Datadog query budget: queries per hour from the config, lowered by the X-RateLimit-* headers, and the
// interval factor that keeps the watched metrics inside it.
import type { RateLimit } from './client.js';

const HOUR = 3600;

/** Why no request may be sent now, and from when one may. */
export interface Blocked {
  reason: string;
  until: number;
}

/**
 * Accounting is by wall-clock seconds passed in (`now`), so it is a pure state machine that tests drive directly.
 * - Hard limits: at most `queriesPerHour` requests in any sliding hour; none while a 429 is in force (until its
 *   X-RateLimit-Reset) or while the upstream says Remaining is 0.
 * - Planning: `rate(now)` is what may be spent per hour: the configured budget, the upstream's Limit/Period, and
 *   Remaining spread over the seconds until Reset (other users of the organization spend from the same pool).
 */
export class QueryBudget {
  private sent: number[] = [];
  private upstream: { rateLimit: RateLimit; at: number } | null = null;
  private blockedUntil = 0;

  constructor(readonly queriesPerHour: number) {}

  /** Records a request sent at `now`. */
  spend(now: number): void {
    this.sent.push(now);
  }

  /** Takes an answer's rate-limit headers into account; a 429 blocks every request until the reset. */
  observe(now: number, rateLimit: RateLimit | null, rateLimited: boolean): void {
    if (rateLimit) this.upstream = { rateLimit, at: now };
    if (rateLimited) this.blockedUntil = now + (rateLimit?.reset ?? rateLimit?.period ?? 60);
  }

  /** Requests sent in the hour before `now`. */
  used(now: number): number {
    this.sent = this.sent.filter((t) => t > now - HOUR);
    return this.sent.length;
  }

  /** The upstream's last X-RateLimit-Remaining, while its period lasts. */
  upstreamRemaining(now: number): number | null {
    const u = this.upstream;
    if (!u || u.rateLimit.remaining === null) return null;
    if (u.rateLimit.reset !== null && now >= u.at + u.rateLimit.reset) return null;
    return u.rateLimit.remaining;
  }

  /** Queries per hour that may be spent from now on. */
  rate(now: number): number {
    let rate = this.queriesPerHour;
    const u = this.upstream?.rateLimit;
    if (u?.limit && u.period) rate = Math.min(rate, (u.limit / u.period) * HOUR);
    const remaining = this.upstreamRemaining(now);
    const reset = this.upstream?.rateLimit.reset;
    if (remaining !== null && reset) {
      const left = Math.max(1, this.upstream!.at + reset - now);
      rate = Math.min(rate, (remaining / left) * HOUR);
    }
    return rate;
  }

  /** Null if a request may be sent now; otherwise why not and until when. */
  blocked(now: number): Blocked | null {
    if (now < this.blockedUntil) {
      const name = this.upstream?.rateLimit.name;
      return { reason: `Datadog answered 429 (rate limited${name ? `: ${name}` : ''})`, until: this.blockedUntil };
    }
    if (this.used(now) >= this.queriesPerHour) {
      return { reason: `the budget of ${this.queriesPerHour} queries per hour is spent`, until: (this.sent[0] ?? now) + HOUR };
    }
    if (this.upstreamRemaining(now) === 0) {
      const u = this.upstream!;
      return { reason: `Datadog reports no queries remaining${u.rateLimit.name ? ` for ${u.rateLimit.name}` : ''}`, until: u.at + (u.rateLimit.reset ?? 0) };
    }
    return null;
  }

  /**
   * The multiple k of each group's step at which groups can be refreshed: demand is Σ 1/step over the active
   * groups (queries per second at k = 1); k is the smallest whole number with demand / k within the rate.
   */
  factor(now: number, demandPerSecond: number): number {
    const perHour = demandPerSecond * HOUR;
    const rate = this.rate(now);
    if (rate <= 0) return Number.POSITIVE_INFINITY;
    return Math.max(1, Math.ceil(perHour / rate - 1e-9));
  }
}
