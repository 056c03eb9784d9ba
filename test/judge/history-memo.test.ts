// The incremental judge's history memo and the step check's shortcuts give exactly the from-scratch values.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { divide } from '../../src/judge/evaluate-rule.js';
import { HistoryMemo } from '../../src/judge/history-memo.js';
import { majorityValue, pointSpacing } from '../../src/judge/step-check.js';
import { observedAt } from '../../src/judge/steps.js';
import type { Point } from '../../src/judge/types.js';

const T0 = 1_700_000_000;

/** Sorted points from gaps (0 repeats a time) starting before T0, with values (some zero, as a divisor may be). */
const pointsArb = fc
  .tuple(
    fc.integer({ min: -40, max: 5 }),
    fc.array(fc.tuple(fc.constantFrom(0, 7, 15, 15, 15, 30, 60, 61, 240), fc.constantFrom(0, 0.5, 1, 2, 40)), { maxLength: 120 }),
  )
  .map(([start, steps]): Point[] => {
    let t = T0 + start * 60;
    return steps.map(([gap, v]): Point => [(t += gap), v]);
  });

describe('HistoryMemo', () => {
  it('spacing equals pointSpacing over the whole series as window points arrive', () => {
    fc.assert(
      fc.property(pointsArb, fc.constantFrom(15, 60), (points, interval) => {
        const memo = new HistoryMemo(1, T0);
        // Tick by tick: the history stays, the window grows.
        for (let end = T0; end <= T0 + 120 * 60; end += 600) {
          const seen = points.filter((p) => p[0] <= end);
          expect(memo.spacing('m', seen, interval)).toBe(pointSpacing(seen, interval));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('spacing of evenly spaced points, and after one uneven gap in the window', () => {
    const even: Point[] = Array.from({ length: 200 }, (_, i): Point => [T0 - 1500 + 15 * i, 1]);
    const memo = new HistoryMemo(1, T0);
    expect(memo.spacing('m', even, 60)).toBe(15);
    const uneven: Point[] = [...even, [even.at(-1)![0] + 40, 1]];
    expect(memo.spacing('m', uneven, 60)).toBe(pointSpacing(uneven, 60));
    expect(memo.spacing('m', even.slice(0, 101), 10)).toBe(10);
  });

  it('perUnit equals divide over the whole series as window points arrive', () => {
    fc.assert(
      fc.property(pointsArb, pointsArb, (metric, per) => {
        const memo = new HistoryMemo(1, T0);
        for (let end = T0; end <= T0 + 120 * 60; end += 600) {
          const set = { m: metric.filter((p) => p[0] <= end), per: per.filter((p) => p[0] <= end) };
          expect(memo.perUnit('deploy', set, 'm', 'per', 60)).toStrictEqual(divide(set.m, set.per, 60));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('divide walks both series as one search per point would (observedAt)', () => {
    const per: Point[] = [
      [T0, 2],
      [T0 + 60, 0],
      [T0 + 120, 4],
      [T0 + 300, 5],
    ];
    const points: Point[] = [
      [T0 - 60, 1],
      [T0, 8],
      [T0 + 30, 8],
      [T0 + 60, 8],
      [T0 + 150, 8],
      [T0 + 200, 8],
      [T0 + 360, 10],
    ];
    // T0 - 60: no divisor yet; T0 + 60: a zero divisor; T0 + 200 and T0 + 360: the divisor's latest point is an interval old.
    expect(divide(points, per, 60)).toStrictEqual([
      [T0, 4],
      [T0 + 30, 4],
      [T0 + 150, 2],
    ]);
    expect(divide(points, per, 60, 4)).toStrictEqual([[T0 + 150, 2]]);
    expect(divide(points, per, 60)).toStrictEqual(
      points.flatMap(([t, v]): Point[] => {
        const d = observedAt(per, t, 60);
        return d !== null && d > 0 ? [[t, v / d]] : [];
      }),
    );
  });
});

describe('majorityValue', () => {
  it('takes the middle values the comparator sort gives (signed zeros, infinities, NaN)', () => {
    const value = fc.oneof(fc.constantFrom(0, -0, 1, -1, Infinity, -Infinity, NaN, 2.5), fc.double());
    fc.assert(
      fc.property(fc.array(value, { minLength: 2, maxLength: 12 }), fc.constantFrom('increase' as const, 'decrease' as const), (values, direction) => {
        const even = values.length % 2 === 0 ? values : values.slice(1);
        const sorted = [...even].sort((a, b) => a - b);
        const mid = sorted.length >> 1;
        expect(Object.is(majorityValue(even, direction), direction === 'increase' ? sorted[mid - 1] : sorted[mid])).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});
