// The judge's statistics pinned to reference values computed with scipy 1.17 (values quoted in each case).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countTest } from '../../../src/judge/stats/count-test.js';
import { mannWhitneyRanked, mannWhitneyU, midRanks, rankedSample, upperTails } from '../../../src/judge/stats/mann-whitney.js';
import { betaInc, binomialSf, gammaP, gammaQ, logGamma, normalSf, poissonSf } from '../../../src/judge/stats/special.js';

const close = (actual: number, expected: number, relative = 1e-9): void => {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(relative * Math.abs(expected) + 1e-300);
};

describe('special functions (scipy.special reference values)', () => {
  it('logGamma', () => {
    close(logGamma(0.3), 1.0957979948180756); // gammaln(0.3)
    close(logGamma(100.5), 361.43554046777757); // gammaln(100.5)
    close(logGamma(5), Math.log(24));
  });
  it('regularized incomplete gamma and beta', () => {
    close(gammaP(3.5, 2.0), 0.22022259152428406); // gammainc(3.5, 2)
    close(gammaQ(10, 25), 0.0002214766382487835); // gammaincc(10, 25)
    close(betaInc(2.5, 4, 0.3), 0.3521975859067672); // betainc(2.5, 4, 0.3)
  });
  it('normal upper tail, far into the tail', () => {
    close(normalSf(1.5922), 0.055669886622527594);
    close(normalSf(8), 6.22096057427174e-16, 1e-7);
    close(normalSf(-1), 0.8413447460685429);
  });
  it('Poisson and binomial upper tails P(X ≥ k), checked against direct summation too', () => {
    close(poissonSf(5, 2), 0.052653017343711125); // poisson.sf(4, 2)
    close(poissonSf(30, 10.5), 6.733354397487326e-7, 1e-7); // poisson.sf(29, 10.5)
    close(binomialSf(3, 10, 0.1), 0.0701908264); // binomtest(3, 10, 0.1, 'greater')
    // by hand: 1 - P(0) - P(1) - P(2) for Binomial(10, 0.1)
    const pmf = (k: number): number => [1, 10, 45][k]! * 0.1 ** k * 0.9 ** (10 - k);
    close(binomialSf(3, 10, 0.1), 1 - pmf(0) - pmf(1) - pmf(2));
    expect([poissonSf(0, 3), binomialSf(0, 5, 0.2), binomialSf(6, 5, 0.2), poissonSf(2, 0)]).toEqual([1, 1, 0, 0]);
  });
});

describe('Mann-Whitney U (scipy.stats.mannwhitneyu)', () => {
  // The example in scipy's documentation: ages of male and female staff.
  const males = [19, 22, 16, 29, 24];
  const females = [20, 11, 17, 12];
  it('scipy documentation example, asymptotic, every alternative', () => {
    const two = mannWhitneyU(males, females, 'two-sided', 'asymptotic');
    expect(two.u).toBe(17);
    close(two.pValue, 0.11134688653314041);
    close(mannWhitneyU(males, females, 'greater', 'asymptotic').pValue, 0.055673443266570206);
    close(mannWhitneyU(males, females, 'less', 'asymptotic').pValue, 0.9669037101389033);
  });
  it('scipy documentation example, exact (the default for small samples without ties)', () => {
    close(mannWhitneyU(males, females, 'two-sided').pValue, 0.1111111111111111); // scipy method='exact'
    close(mannWhitneyU(males, females, 'greater').pValue, 0.05555555555555555);
    close(mannWhitneyU(males, females, 'less').pValue, 0.9682539682539683);
  });
  it('exact: three recent points against 60 baseline points', () => {
    const baseline = Array.from({ length: 60 }, (_, i) => 100 + i);
    close(mannWhitneyU([200, 210, 130.5], baseline, 'greater').pValue, 0.023922842537332227); // scipy exact
    close(mannWhitneyU([200, 210, 130.5], baseline, 'greater', 'asymptotic').pValue, 0.025431779984445523);
    close(mannWhitneyU([200, 210, 220], baseline, 'greater').pValue, 1 / ((63 * 62 * 61) / 6)); // 1 / C(63, 3)
  });
  it('with ties: mid-ranks and the tie-corrected variance', () => {
    const x = [1, 2, 2, 3, 3, 3, 4];
    const y = [2, 3, 4, 4, 5, 5, 6, 6];
    const r = mannWhitneyU(x, y, 'less'); // ties: auto falls back to the asymptotic method, as scipy's 'auto' does
    expect(r.u).toBe(8.5);
    close(r.pValue, 0.012572380586678684);
    close(mannWhitneyU(x, y, 'two-sided').pValue, 0.025144761173357368);
    close(mannWhitneyU(x, y, 'greater').pValue, 0.9907889372729505);
  });
  it('a few recent points against a baseline with a repeated value', () => {
    // ties, so `auto` uses the normal approximation with the tie-corrected variance
    const r = mannWhitneyU([130, 128, 100], [100, 102, 98, 101, 99, 103, 97, 100, 100, 101], 'greater');
    expect(r.u).toBe(24.5);
    close(r.pValue, 0.061197510578341774);
  });
  it('mid-ranks and Σ(t³ − t)', () => {
    expect(midRanks([3, 1, 3, 2, 3])).toEqual({ ranks: [4, 1, 4, 2, 4], tieTerm: 24 });
  });
  it('degenerate samples give p = 1', () => {
    expect(mannWhitneyU([], [1, 2], 'greater').pValue).toBe(1);
    expect(mannWhitneyU([5, 5], [5, 5, 5], 'greater').pValue).toBe(1);
  });
});

/** P(U >= v) by the recurrence over every smaller pair of sizes, as mann-whitney.ts computed it before (the oracle). */
function tailsByRecurrence(m: number, n: number): Float64Array {
  let previous: Float64Array[] = Array.from({ length: m + 1 }, () => Float64Array.of(1));
  for (let j = 1; j <= n; j++) {
    const current: Float64Array[] = [Float64Array.of(1)];
    for (let i = 1; i <= m; i++) {
      const dist = new Float64Array(i * j + 1);
      current[i - 1]!.forEach((c, v) => (dist[v + j]! += c));
      previous[i]!.forEach((c, v) => (dist[v]! += c));
      current.push(dist);
    }
    previous = current;
  }
  const dist = previous[m]!;
  const total = dist.reduce((a, b) => a + b, 0);
  const sf = new Float64Array(dist.length);
  for (let v = dist.length - 1, acc = 0; v >= 0; v--) sf[v] = (acc += dist[v]!) / total;
  return sf;
}

/** The U statistic of every way to place m of m + n ranked values in the first sample (the brute-force oracle). */
function enumeratedUs(m: number, n: number): number[] {
  const us: number[] = [];
  const place = (left: number, at: number, u: number, ys: number): void => {
    if (at === m + n) {
      if (left === 0) us.push(u);
      return;
    }
    if (left > 0) place(left - 1, at + 1, u + ys, ys); // an x above every y placed so far
    if (m + n - at > left) place(left, at + 1, u, ys + 1);
  };
  place(m, 0, 0, 0);
  return us;
}

describe('the exact distribution of U (upperTails)', () => {
  it('counts every ordering: brute force over the placements of small samples', () => {
    for (let m = 1; m <= 5; m++)
      for (let n = m; n <= 7; n++) {
        const us = enumeratedUs(m, n);
        const sf = upperTails(m, n);
        expect(sf).toHaveLength(m * n + 1);
        for (let v = 0; v <= m * n; v++) close(sf[v]!, us.filter((u) => u >= v).length / us.length, 1e-12);
      }
  });

  it("is exactly the recurrence's wherever the counts fit a double exactly, and within 1e-14 beyond (10 against 400)", () => {
    for (let m = 1; m <= 10; m++) for (const n of [m, m + 1, 13, 60, 61, 120]) if (n >= m) expect(upperTails(m, n)).toEqual(tailsByRecurrence(m, n));
    const fast = upperTails(10, 400);
    const slow = tailsByRecurrence(10, 400);
    for (let v = 0; v < slow.length; v++) close(fast[v]!, slow[v]!, 1e-14);
    // The far upper tail, the one a test reads, is exact: one ordering of C(410, 10) has U = 4000.
    let orderings = 1n;
    for (let i = 1n; i <= 10n; i++) orderings = (orderings * (400n + i)) / i;
    expect(fast[4000]! * Number(orderings)).toBeCloseTo(1, 9);
  });
});

describe('Mann-Whitney U against a pre-sorted baseline', () => {
  it('gives exactly mannWhitneyU(x, y): same U, z and p-value, ties within and across samples included', () => {
    // Few distinct values, so ties within y and between x and y are common; sizes cross the exact/asymptotic boundary.
    const values = (max: number) =>
      fc.array(
        fc.integer({ min: -4, max: 6 }).map((v) => v / 2),
        { maxLength: max },
      );
    fc.assert(
      fc.property(
        values(14),
        values(60),
        fc.constantFrom('greater', 'less', 'two-sided') as fc.Arbitrary<'greater' | 'less' | 'two-sided'>,
        (x, y, alternative) => {
          expect(mannWhitneyRanked(x, rankedSample(y), alternative)).toStrictEqual(mannWhitneyU(x, y, alternative));
        },
      ),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1e4, noNaN: true }), { minLength: 1, maxLength: 8 }),
        fc.array(fc.double({ min: 0, max: 1e4, noNaN: true }), { minLength: 1, maxLength: 500 }),
        (x, y) => {
          expect(mannWhitneyRanked(x, rankedSample(y), 'greater')).toStrictEqual(mannWhitneyU(x, y, 'greater'));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('count test', () => {
  it('conditional binomial when the baseline has counts (scipy binomtest reference)', () => {
    // 12 errors in the window of 360 requests, 8 in the baseline's 7200: π = 360 / 7560
    const r = countTest({ errors: 12, requests: 360, baselineErrors: 8, baselineRequests: 7200, baselineRate: 8 / 7200, tolerance: 0 });
    expect(r.test).toBe('conditional-binomial');
    close(r.expected, (20 * 360) / 7560);
    close(r.pValue, 1.1956751548806673e-11, 1e-9); // binomtest(12, 20, 360 / 7560, 'greater')
    close(r.pValue, binomialSf(12, 20, 360 / 7560));
  });
  it('Poisson against a known rate without baseline counts, tolerance scaling the null', () => {
    const r = countTest({ errors: 5, requests: 1000, baselineErrors: null, baselineRequests: null, baselineRate: 0.001, tolerance: 1 });
    expect(r).toMatchObject({ test: 'poisson', expected: 2 });
    close(r.pValue, 0.052653017343711125);
  });
  it('a handful of errors on a 2 req/s service is not evidence; a real spike is', () => {
    const base = { requests: 120, baselineErrors: 36, baselineRequests: 7200, baselineRate: 0.005, tolerance: 0 };
    expect(countTest({ ...base, errors: 2 }).pValue).toBeGreaterThan(0.05);
    expect(countTest({ ...base, errors: 10 }).pValue).toBeLessThan(1e-4);
  });
});
