// Seasonal and trend-aware baselines: the level a metric is expected at, at any time of the window.
import { SEASONAL_DEFAULTS, type Baseline } from '../rules/schema.js';
import { median, medianAbsoluteDeviation, pointsBetween, type BaselineSample } from './baseline.js';
import { observedAt } from './steps.js';
import type { Point } from './types.js';

/**
 * What a model baseline predicts: `level(t)` is the expected value at time t (window times included), and
 * `residuals` are the pre-deploy points minus their own expected level — the noise the window is judged against.
 */
export interface LevelModel {
  level: (t: number) => number;
  residuals: Point[];
  /** Earlier periods that had data at the pre-deploy span (seasonal only). */
  periodsUsed?: number;
  /** Fitted trend, metric unit per hour (trend only). */
  slopePerHour?: number;
}

/**
 * The seasonal expectation: at time t, the median of the series at t − k·period (k = 1..periods, each the latest
 * point within `spacing` before), plus the level shift that makes the pre-deploy span's residuals centre on 0
 * (so a service that runs 10% hotter than last week is compared with last week's shape at today's level).
 * A period without data is skipped: the median of the others is used. Null when the pre-deploy span has no
 * point with a seasonal counterpart.
 */
export function seasonalModel(points: readonly Point[], config: Baseline, startedAt: number, spacing: number): LevelModel | null {
  const period = config.period ?? SEASONAL_DEFAULTS.period;
  const periods = config.periods ?? SEASONAL_DEFAULTS.periods;
  const seasonal = (t: number): { value: number; used: number } | null => {
    const values: number[] = [];
    for (let k = 1; k <= periods; k++) {
      const v = observedAt(points, t - k * period, spacing);
      if (v !== null) values.push(v);
    }
    const m = median(values);
    return m === null ? null : { value: m, used: values.length };
  };
  const pre = pointsBetween(points, startedAt - config.duration, startedAt);
  const diffs: Point[] = [];
  let used = 0;
  for (const [t, v] of pre) {
    const s = seasonal(t);
    if (s === null) continue;
    diffs.push([t, v - s.value]);
    used = Math.max(used, s.used);
  }
  const shift = median(diffs.map((d) => d[1]));
  if (shift === null) return null;
  const fallbackLevel = median(pre.map((p) => p[1])) ?? 0;
  const level = (t: number): number => {
    const s = seasonal(t);
    // A window minute none of the periods saw: the pre-deploy median is the best guess left.
    return s === null ? fallbackLevel : s.value + shift;
  };
  return { level, residuals: diffs.map(([t, d]) => [t, d - shift]), periodsUsed: used };
}

/** A flat model: the median of the points, at every time. */
export function flatModel(points: readonly Point[]): LevelModel | null {
  const m = median(points.map((p) => p[1]));
  if (m === null) return null;
  return { level: () => m, residuals: points.map(([t, v]) => [t, v - m]) };
}

/**
 * Adds a robust linear trend to a model: a Theil-Sen line through its residuals over the pre-deploy span,
 * extrapolated over the window, so a KPI that was already climbing at the deploy is expected to keep climbing.
 * The extrapolation is capped at `horizon` seconds past the last residual (a line is a short-term forecast).
 */
export function withTrend(model: LevelModel, horizon: number): LevelModel {
  const fit = theilSenLine(model.residuals);
  if (fit === null) return model;
  const last = model.residuals.at(-1)![0];
  const line = (t: number): number => fit.intercept + fit.slope * (Math.min(t, last + horizon) - fit.t0);
  return {
    ...model,
    level: (t) => model.level(t) + line(t),
    residuals: model.residuals.map(([t, r]) => [t, r - line(t)]),
    slopePerHour: fit.slope * 3600,
  };
}

/**
 * Theil-Sen line: slope = median of pairwise slopes, intercept = median of (y − slope·(t − t0)), t0 the first
 * time. Null with fewer than 3 points. Pairs are thinned to at most ~2000 (every k-th pair, deterministic).
 */
export function theilSenLine(points: readonly Point[]): { slope: number; intercept: number; t0: number } | null {
  if (points.length < 3) return null;
  const t0 = points[0]![0];
  const n = points.length;
  const stride = Math.max(1, Math.floor((n * (n - 1)) / 2 / 2000));
  const slopes: number[] = [];
  let pair = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      if (pair++ % stride !== 0) continue;
      const dt = points[j]![0] - points[i]![0];
      if (dt > 0) slopes.push((points[j]![1] - points[i]![1]) / dt);
    }
  }
  const slope = median(slopes);
  if (slope === null) return null;
  const intercept = median(points.map(([t, y]) => y - slope * (t - t0)))!;
  return { slope, intercept, t0 };
}

/** A fitted model baseline and how it was chosen. */
export interface ModelBaseline {
  model: LevelModel;
  kind: 'pre-deploy' | 'seasonal';
  fellBackFrom: 'seasonal' | null;
}

/**
 * The model behind a `seasonal` or `trend: true` baseline: seasonal (with fewer than `minPoints` residuals
 * it falls back to the pre-deploy span) or flat over the pre-deploy span, then the trend when asked for.
 */
export function fitModelBaseline(config: Baseline, startedAt: number, window: number, spacing: number, points: readonly Point[]): ModelBaseline | null {
  let model: LevelModel | null = null;
  let fellBackFrom: ModelBaseline['fellBackFrom'] = null;
  if (config.kind === 'seasonal') {
    model = seasonalModel(points, config, startedAt, spacing);
    if (model === null || model.residuals.length < config.minPoints) {
      model = null;
      fellBackFrom = 'seasonal';
    }
  }
  const kind = model === null ? 'pre-deploy' : 'seasonal';
  model ??= flatModel(pointsBetween(points, startedAt - config.duration, startedAt));
  if (model === null) return null;
  return { model: config.trend ? withTrend(model, window) : model, kind, fellBackFrom };
}

/** The model baseline as a sample at step t: the residuals around the level expected at t (what tests compare with). */
export function modelSampleAt(fit: ModelBaseline, t: number): BaselineSample {
  const { model } = fit;
  const center = model.level(t);
  const values = model.residuals.map((r) => r[1]);
  const times = model.residuals.map((r) => r[0]);
  return {
    times,
    values: model.residuals.map(([, r]) => center + r),
    scope: 'deploy',
    evidence: {
      kind: fit.kind,
      fellBackFrom: fit.fellBackFrom,
      median: center,
      spread: medianAbsoluteDeviation(values) ?? 0,
      count: values.length,
      from: Math.min(...times),
      to: Math.max(...times),
      ...(model.periodsUsed !== undefined ? { periodsUsed: model.periodsUsed } : {}),
      ...(model.slopePerHour !== undefined ? { slopePerHour: model.slopePerHour } : {}),
    },
  };
}
