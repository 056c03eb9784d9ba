// The sequential tests' statistics pinned to reference values computed independently (numerical integration,
// brute force, published tables), and their error guarantee checked by simulation.
import { describe, expect, it } from 'vitest';
import {
  BETS,
  conformalLogPath,
  conformalPValues,
  dispersion,
  logMeanExp,
  poissonMixtureLogE,
  poissonRateUpper,
  RATIO_PRIOR,
} from '../../../src/judge/stats/sequential.js';
import { logGamma } from '../../../src/judge/stats/special.js';
import { Random } from '../../scenarios/random.js';

/** Simpson's rule on [lo, hi] with n (even) intervals. */
function simpson(f: (x: number) => number, lo: number, hi: number, n = 20_000): number {
  const h = (hi - lo) / n;
  let sum = f(lo) + f(hi);
  for (let i = 1; i < n; i++) sum += (i % 2 === 1 ? 4 : 2) * f(lo + i * h);
  return (sum * h) / 3;
}

/** The mixture martingale by brute force: ∫_s^∞ (θ/s)^E e^{−(θ−s)Λ} π(θ) dθ, π the Gamma prior truncated to [s, ∞). */
function mixtureByIntegration(e: number, lambda: number, s: number): number {
  const { shape: a, rate: b } = RATIO_PRIOR;
  const density = (t: number): number => Math.exp(a * Math.log(b) + (a - 1) * Math.log(t) - b * t - logGamma(a));
  const hi = s + 200;
  const mass = simpson(density, s, hi);
  return simpson((t) => Math.exp(e * Math.log(t / s) - (t - s) * lambda) * density(t), s, hi) / mass;
}

describe('Gamma-mixture Poisson martingale (sequential-counts)', () => {
  it.each([
    [10, 4, 1],
    [3, 3, 1.5],
    [0, 2, 1],
    [25.5, 10, 1.2],
    [40, 12, 1],
  ])('closed form equals numerical integration: E=%d, Λ=%d, s=%d', (e, lambda, s) => {
    const closed = Math.exp(poissonMixtureLogE({ events: e, expected: lambda, s }));
    expect(closed / mixtureByIntegration(e, lambda, s)).toBeCloseTo(1, 6);
  });

  it('is a martingale at the null boundary and a supermartingale inside it: E[M] = 1 at ratio s, < 1 below', () => {
    const lambda = 6;
    const s = 1.25;
    const expectation = (ratio: number): number => {
      let sum = 0;
      for (let k = 0; k < 800; k++) {
        const logPmf = k * Math.log(ratio * s * lambda) - ratio * s * lambda - logGamma(k + 1);
        sum += Math.exp(logPmf + poissonMixtureLogE({ events: k, expected: lambda, s }));
      }
      return sum;
    };
    expect(expectation(1)).toBeCloseTo(1, 9);
    expect(expectation(0.8)).toBeLessThan(1);
  });

  it('grows with evidence: 40 errors where 12 were expected is e > 10^6', () => {
    expect(poissonMixtureLogE({ events: 40, expected: 12, s: 1 })).toBeGreaterThan(Math.log(1e6));
    expect(poissonMixtureLogE({ events: 12, expected: 12, s: 1 })).toBeLessThan(0);
  });

  it('Garwood upper bound of a Poisson rate: the chi-square table', () => {
    // 0 events: -ln(delta); 5 events at 97.5%: chi2(0.975, 12) / 2 = 23.3367 / 2.
    expect(poissonRateUpper(0, 1, 0.05)).toBeCloseTo(-Math.log(0.05), 9);
    expect(poissonRateUpper(5, 1, 0.025)).toBeCloseTo(11.6683, 3);
    expect(poissonRateUpper(5, 100, 0.025)).toBeCloseTo(0.116683, 5);
  });

  it('dispersion: Pearson chi-square over degrees of freedom, at least 1', () => {
    // rate 0.1: expected 10 each; (20-10)^2/10 + (0-10)^2/10 = 20, over 1 df.
    expect(
      dispersion([
        { events: 20, exposure: 100 },
        { events: 0, exposure: 100 },
      ]),
    ).toBeCloseTo(20, 12);
    expect(
      dispersion([
        { events: 10, exposure: 100 },
        { events: 10, exposure: 100 },
      ]),
    ).toBe(1);
  });

  it('simulation: a healthy Poisson stream against an estimated baseline is flagged at most alpha of the time', () => {
    const r = new Random(7);
    const alpha = 0.05;
    let flagged = 0;
    const runs = 2000;
    for (let run = 0; run < runs; run++) {
      const rate = 0.01;
      const perMinute = r.uniform(200, 2000);
      let e0 = 0;
      for (let m = 0; m < 60; m++) e0 += r.poisson(rate * perMinute);
      const bound = poissonRateUpper(e0, 60 * perMinute, alpha / 2);
      let e = 0;
      for (let m = 1; m <= 30; m++) {
        e += r.poisson(rate * perMinute);
        if (poissonMixtureLogE({ events: e, expected: bound * m * perMinute, s: 1 }) >= Math.log(2 / alpha)) {
          flagged++;
          break;
        }
      }
    }
    // Binomial error: alpha + 3 standard deviations.
    expect(flagged / runs).toBeLessThanOrEqual(alpha + 3 * Math.sqrt((alpha * (1 - alpha)) / runs));
  });
});

describe('conformal test martingale (sequential-shift)', () => {
  it('p-values: ties and the values seen so far count, brute force', () => {
    // 2.5 among {1,2,3,2.5}: 2 at or above of 4; 4 among {1,2,3,2.5,4}: 1 of 5; 4 again: 2 of 6.
    expect(conformalPValues([1, 2, 3], [2.5, 4, 4])).toEqual([0.5, 0.2, 2 / 6]);
    const r = new Random(3);
    const reference = Array.from({ length: 40 }, () => Math.round(r.normal() * 4));
    const values = Array.from({ length: 20 }, () => Math.round(r.normal() * 4 + 1));
    const brute = values.map((v, i) => [...reference, ...values.slice(0, i + 1)].filter((z) => z >= v).length / (reference.length + i + 1));
    expect(conformalPValues(reference, values)).toEqual(brute);
  });

  it('the path is the equal-weight mixture of the products of the betting functions, stakes set by the last p', () => {
    const p = [0.01, 0.3, 0.04, 0.9, 0.015, 0.01];
    const direct = p.map((_, n) => {
      const products = BETS.map(({ kappa, low, high }) =>
        p.slice(0, n + 1).reduce((prod, q, i) => {
          const w = i > 0 && p[i - 1]! <= kappa ? high : low;
          return prod * (1 - w + (q <= kappa ? w / kappa : 0));
        }, 1),
      );
      return Math.log(products.reduce((a, b) => a + b, 0) / products.length);
    });
    conformalLogPath(p).forEach((x, i) => expect(x).toBeCloseTo(direct[i]!, 12));
    // Each betting function integrates to 1 over [0, 1]: a fair bet under uniform p-values.
    for (const { kappa, low, high } of BETS) {
      for (const w of [low, high]) expect(simpson((q) => 1 - w + (q <= kappa ? w / kappa : 0), 0, 1, 200_000)).toBeCloseTo(1, 3);
    }
  });

  it('logMeanExp is ln of the mean of exponentials, without overflow', () => {
    expect(logMeanExp([0, Math.log(3)])).toBeCloseTo(Math.log(2), 12);
    expect(logMeanExp([1000, 1000])).toBeCloseTo(1000, 9);
  });

  it('simulation: exchangeable data crosses 1/alpha at most alpha of the time; a shift crosses fast', () => {
    const r = new Random(11);
    const alpha = 0.05;
    const runs = 2000;
    let flagged = 0;
    let shiftedAt = 0;
    for (let run = 0; run < runs; run++) {
      const reference = Array.from({ length: 60 }, () => r.normal());
      const healthy = conformalLogPath(
        conformalPValues(
          reference,
          Array.from({ length: 30 }, () => r.normal()),
        ),
      );
      if (healthy.some((x) => x >= Math.log(1 / alpha))) flagged++;
      const shifted = conformalLogPath(
        conformalPValues(
          reference,
          Array.from({ length: 30 }, () => r.normal() + 4),
        ),
      );
      shiftedAt += shifted.findIndex((x) => x >= Math.log(1 / alpha)) + 1;
    }
    expect(flagged / runs).toBeLessThanOrEqual(alpha + 3 * Math.sqrt((alpha * (1 - alpha)) / runs));
    expect(shiftedAt / runs).toBeLessThanOrEqual(3);
  });
});
