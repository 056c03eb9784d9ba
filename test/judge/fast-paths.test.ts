// The judge's fast paths give exactly what the plain code they replace gives.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { divide } from '../../src/judge/evaluate-rule.js';
import { median } from '../../src/judge/baseline.js';
import { pointSpacing } from '../../src/judge/rule-context.js';
import { majorityValue } from '../../src/judge/step-check.js';
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

/** pointSpacing as it was written before its scratch array and its fast path for evenly spaced points. */
function plainSpacing(points: readonly Point[], interval: number): number {
  const gaps: number[] = [];
  for (let i = 1; i < points.length; i++) gaps.push(points[i]![0] - points[i - 1]![0]);
  const typical = median(gaps.filter((g) => g > 0));
  return typical === null ? interval : Math.min(interval, typical);
}

describe("the step check's fast paths", () => {
  it('pointSpacing equals the median of the positive gaps', () => {
    fc.assert(
      fc.property(pointsArb, fc.constantFrom(15, 60), (points, interval) => {
        expect(pointSpacing(points, interval)).toBe(plainSpacing(points, interval));
      }),
      { numRuns: 500 },
    );
    // Many distinct gaps (selected, not counted), some repeated times and a time that goes back.
    const times = fc.array(fc.oneof(fc.integer({ min: -5, max: 400 }), fc.double({ min: 0, max: 100, noNaN: true })), { maxLength: 150 });
    fc.assert(
      fc.property(times, (gaps) => {
        let t = T0;
        const points = gaps.map((g): Point => [(t += g), 1]);
        expect(pointSpacing(points, 60)).toBe(plainSpacing(points, 60));
        expect(pointSpacing(points, 1000)).toBe(plainSpacing(points, 1000));
      }),
      { numRuns: 500 },
    );
    const even: Point[] = Array.from({ length: 200 }, (_, i): Point => [T0 + 15 * i, 1]);
    expect(pointSpacing(even, 60)).toBe(15);
    expect(pointSpacing(even, 10)).toBe(10);
    const uneven: Point[] = [...even, [even.at(-1)![0] + 40, 1], [even.at(-1)![0] + 40, 2]];
    expect(pointSpacing(uneven, 60)).toBe(plainSpacing(uneven, 60));
    expect(pointSpacing([], 60)).toBe(60);
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
