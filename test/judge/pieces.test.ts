// Unit tests of the judge's small pieces: steps, baselines, conditions, summaries, severity order.
import { describe, expect, it } from 'vitest';
import { median, medianAbsoluteDeviation, preDeployBaseline } from '../../src/judge/baseline.js';
import { highestSeverity } from '../../src/judge/classify.js';
import { changeFrom, ratioTo, whenHolds, whenText } from '../../src/judge/conditions.js';
import { observedAt, stepTimes } from '../../src/judge/steps.js';
import { breachSummary, formatNumber, formatValue } from '../../src/judge/summary.js';
import type { Finding, Point, Severity } from '../../src/judge/types.js';
import { When } from '../../src/rules/schema.js';

describe('stepTimes', () => {
  it.each([
    ['window open', 1000, 60, 1600, 1190, [1060, 1120, 1180]],
    ['window closed', 1000, 60, 1180, 5000, [1060, 1120, 1180]],
    ['window end off the grid', 1000, 60, 1150, 5000, [1060, 1120, 1150]],
    ['before the first step', 1000, 60, 1600, 1059, []],
  ] as const)('%s', (_n, start, interval, end, now, steps) => {
    expect(stepTimes(start, interval, end, now)).toEqual(steps);
  });
});

describe('observedAt', () => {
  const points: Point[] = [
    [100, 1],
    [150, 2],
    [160, 3],
    [300, 4],
  ];
  it.each([
    [160, 3],
    [200, 3],
    [219, 3],
    [220, null],
    [99, null],
    [300, 4],
  ] as const)('at %d → %s', (t, value) => {
    expect(observedAt(points, t, 60)).toBe(value);
  });
});

describe('baseline', () => {
  it('median and MAD', () => {
    expect(median([])).toBeNull();
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(medianAbsoluteDeviation([1, 2, 3, 4, 100])).toBe(1);
  });

  it('uses [startedAt - duration, startedAt) only', () => {
    const points: Point[] = [
      [899, 50],
      [900, 1],
      [950, 2],
      [990, 9],
      [1000, 70],
    ];
    expect(preDeployBaseline(points, 1000, 100)).toEqual({ median: 2, spread: 1, count: 3, from: 900, to: 1000 });
    expect(preDeployBaseline([[1000, 1]], 1000, 100)).toBeNull();
  });
});

describe('conditions', () => {
  it.each([
    [0.03, 0.002, 15],
    [0, 0, 1],
    [0.01, 0, Infinity],
  ])('ratio %d / %d = %d', (o, b, r) => expect(ratioTo(o, b)).toBeCloseTo(r, 10));

  it.each([
    [250, 200, 25],
    [150, 200, -25],
    [1, 0, Infinity],
    [0, 0, 0],
    [-1, 0, -Infinity],
  ])('change from %d to %d = %d%%', (o, b, c) => expect(changeFrom(o, b)).toBeCloseTo(c, 10));

  it('as written, joined with and/or', () => {
    const all = When.parse({ all: ['value > 0.01', 'ratio >= 5'] });
    const any = When.parse({ any: ['change < -50%', 'value <= 1'] });
    expect(whenText(all)).toBe('value > 0.01 and ratio >= 5');
    expect(whenText(any)).toBe('change < -50% or value <= 1');
    expect(whenHolds(all, 0.02, 0.004)).toBe(true);
    expect(whenHolds(all, 0.02, 0.005)).toBe(false);
    expect(whenHolds(all, 0.02, null)).toBe(false);
    expect(whenHolds(any, 2, null)).toBe(false);
    expect(whenHolds(any, 0.5, null)).toBe(true);
  });
});

describe('summaries', () => {
  it.each([
    [0.031, 'fraction', '3.1%'],
    [0.0021, 'fraction', '0.21%'],
    [180, 'ms', '180ms'],
    [49.96, 'req/s', '50 req/s'],
    [12.345, 'widgets', '12.3 widgets'],
    [1.2345, '', '1.23'],
  ] as const)('%d %s → %s', (v, unit, text) => expect(formatValue(v, unit)).toBe(text));

  it('formats infinity and breach sentences', () => {
    expect(formatNumber(Infinity)).toBe('∞');
    expect(breachSummary({ metric: 'latency_p95', unit: 'ms', observed: 400, baseline: 200, heldFor: 90 })).toBe(
      'latency_p95 400ms vs baseline 200ms (2x baseline) for 1m30s',
    );
    expect(breachSummary({ metric: 'error_rate', unit: 'fraction', observed: 0.01, baseline: 0, heldFor: 0 })).toBe('error_rate 1% vs baseline 0%');
  });
});

describe('highestSeverity', () => {
  const f = (severity: Severity) => ({ severity }) as Finding;
  it.each([
    [[], null],
    [['P3'], 'P3'],
    [['P3', 'P1', 'P2'], 'P1'],
    [['P2', 'P0', 'P3'], 'P0'],
  ] as const)('%j → %s', (severities, expected) => expect(highestSeverity(severities.map(f))).toBe(expected));
});
