// Silent vs blind (DESIGN §5): which metrics went quiet while the source kept answering, and what the service served.
import { formatDuration } from '../rules/duration.js';
import { medianGap } from './baseline.js';
import { firstAfter, observedAt } from './steps.js';
import type { BlindSpot, Finding, Point, SeriesSet } from './types.js';

/** Metrics that only have points while the service serves requests (no requests: no rate, no percentile). */
export const REQUEST_METRICS = ['throughput', 'error_rate', 'latency_p95'] as const;

/** Rule-name prefix of silent findings (from the series, not from a rule file); one per metric: `source-silent:<metric>`. */
export const SILENT_RULE = 'source-silent';

/** Consecutive silent steps before a metric's silence becomes a finding (a missed scrape or two is not silence). */
export const SILENT_STEPS = 3;

export interface SilenceInput {
  series: SeriesSet;
  /** Source failures recorded live (replay has none). Only `error` spots make a step blind. */
  blind: readonly BlindSpot[];
  startedAt: number;
  interval: number;
  /** How far before startedAt a metric must have reported to count as having had data (the baseline duration). */
  history: number;
}

/**
 * What the series say about silence, step by step. Pure; built once per judgement.
 * - A metric *reported before* the deploy when at least half of the history's steps had a point.
 * - It is *blind* at step t when the source failed for it there (an `error` blind spot in (t - interval, t]).
 * - It is *silent* at step t when it reported before, has no point in (t - gap, t] (gap: the larger of the interval
 *   and its usual point spacing), and is not blind there: the source answered, without data.
 * - The *service* is silent at t when every request metric that reported before is silent there or, for throughput,
 *   reads 0: it reports nothing and serves nothing. A blind request metric makes the step unknown, never silent.
 */
export class Silence {
  private readonly gaps = new Map<string, number>();
  private readonly errors = new Map<string, number[]>();

  constructor(private readonly input: SilenceInput) {
    const { series, startedAt, interval, history } = input;
    for (const [metric, points] of Object.entries(series)) {
      // The points in (startedAt - history, startedAt] (less a microsecond), by index: every tick builds a Silence.
      const from = firstAfter(points, startedAt - history - 1e-6);
      const count = firstAfter(points, startedAt - 1e-6) - from;
      const spacing = medianGap(points, from, from + count) ?? interval;
      const expected = history / Math.max(interval, spacing);
      if (count >= 3 && count >= expected / 2) this.gaps.set(metric, Math.max(interval, spacing));
    }
    for (const b of input.blind) if (b.kind === 'error') this.errors.set(b.metric, [...(this.errors.get(b.metric) ?? []), b.at]);
  }

  /** Whether the metric had data before the deploy. */
  reported(metric: string): boolean {
    return this.gaps.has(metric);
  }

  /** The request metrics that reported before the deploy. */
  requestMetrics(): string[] {
    return REQUEST_METRICS.filter((m) => this.reported(m));
  }

  blindAt(metric: string, t: number): boolean {
    const errors = this.errors.get(metric);
    if (errors === undefined) return false;
    const from = t - this.input.interval;
    for (const at of errors) if (at > from && at <= t) return true;
    return false;
  }

  silentAt(metric: string, t: number): boolean {
    const gap = this.gaps.get(metric);
    if (gap === undefined || this.blindAt(metric, t)) return false;
    return observedAt(this.input.series[metric] ?? [], t, gap) === null;
  }

  /** Every request metric that reported before is silent at t (throughput may read 0 instead); false if none reported. */
  serviceSilentAt(t: number): boolean {
    const metrics = this.requestMetrics();
    return metrics.length > 0 && metrics.every((m) => this.silentAt(m, t) || (m === 'throughput' && !this.blindAt(m, t) && this.latest('throughput', t) === 0));
  }

  /**
   * Requests served in step t's interval: throughput x interval; 0 when the service is silent at t (a service
   * that reports nothing serves nothing the guard can see); null when unknown (a gap, or the source was blind).
   */
  requestsAt(t: number): number | null {
    const rps = this.reported('throughput') && !this.blindAt('throughput', t) ? this.latest('throughput', t) : null;
    if (rps !== null) return rps * this.input.interval;
    return this.serviceSilentAt(t) ? 0 : null;
  }

  /** Steps among the history's own step grid (startedAt - k·interval) at which the service was silent, and how many there were. */
  historySilence(): { silent: number; steps: number } {
    const { startedAt, interval, history } = this.input;
    let silent = 0;
    let steps = 0;
    for (let t = startedAt - interval; t > startedAt - history; t -= interval) {
      steps++;
      if (this.serviceSilentAt(t)) silent++;
    }
    return { silent, steps };
  }

  private latest(metric: string, t: number): number | null {
    return observedAt(this.input.series[metric] ?? [], t, this.gaps.get(metric) ?? this.input.interval);
  }

  /**
   * One `kind: 'silent'` P3 finding per metric that went silent for SILENT_STEPS consecutive steps: established at
   * the last of them, cleared at the first step it reported again. The outage itself is the rules' call (a P0 rule
   * with `test: requests`); this records which series stopped. Silent findings never roll back by themselves.
   */
  findings(steps: readonly number[]): Finding[] {
    const out: Finding[] = [];
    for (const metric of [...this.gaps.keys()].sort()) {
      let run: number[] = [];
      let finding: Finding | null = null;
      for (const t of steps) {
        if (t <= this.input.startedAt) continue;
        if (this.silentAt(metric, t)) run.push(t);
        else if (!this.blindAt(metric, t)) run = [];
        if (finding && run.length === 0 && finding.clearedAt === null) finding.clearedAt = t;
        if (!finding && run.length >= SILENT_STEPS) finding = this.silentFinding(metric, run);
      }
      if (finding) out.push(finding);
    }
    return out;
  }

  private silentFinding(metric: string, run: readonly number[]): Finding {
    const { startedAt } = this.input;
    const points: readonly Point[] = this.input.series[metric] ?? [];
    const last = points[firstAfter(points, run.at(-1)!) - 1] ?? null;
    const since = last === null || last[0] <= startedAt ? 'the deploy' : `${formatDuration(last[0] - startedAt)} after the deploy`;
    return {
      rule: `${SILENT_RULE}:${metric}`,
      metric,
      severity: 'P3',
      at: run.at(-1)!,
      observed: null,
      baseline: null,
      condition: `no data for ${SILENT_STEPS} steps while the source answers; it had data before the deploy`,
      kind: 'silent',
      summary: `${metric} silent: the metric source answers, but has had no ${metric} data since ${since} (it had data before)`,
      clearedAt: null,
    };
  }
}
