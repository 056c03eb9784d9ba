// The Datadog MetricSource: plans each watch query from the rule's template, answers it through the shared query
// groups (batched, cached, within budget), and puts the points on the watch's step grid.
import type { Point } from '../../judge/types.js';
import type { SourceDeps } from '../kind.js';
import { sourceMetrics, type SourceMetrics } from '../source-metrics.js';
import type { MetricQuery, MetricSource, QueryResult } from '../types.js';
import { QueryBudget } from './budget.js';
import { DatadogClient, type DatadogAnswer } from './client.js';
import { QueryGroups } from './query-groups.js';
import { planDatadogQuery } from './query-template.js';
import type { DatadogConfig } from './schema.js';

export interface DatadogSourceOptions {
  /** Wall clock in Unix seconds (tests drive it). */
  now?: () => number;
  /** Replaces the HTTP client (tests of the pacing logic only; the contract tests use the real client). */
  query?: (from: number, to: number, query: string) => Promise<DatadogAnswer>;
}

/**
 * Datadog metrics as a metric source. Each metric needs a template in the rules (`queries: { datadog: { … } } }`).
 * Datadog points are averaged into the watch's steps: the value at step T is the mean of the points in
 * [T - step, T). Points are delivered only once the cache is complete up to their step; a watch served from an
 * older result (budget short) gets the missing steps at its next query — possibly before that query's start.
 */
export class DatadogSource implements MetricSource {
  readonly type = 'datadog';
  readonly timeScale = 1;
  private readonly groups: QueryGroups;
  private readonly metrics: SourceMetrics;
  /** Last step delivered per (deploy, scope, metric), so steps skipped while degraded are caught up. */
  private readonly delivered = new Map<string, { t: number; at: number }>();
  private readonly now: () => number;

  constructor(
    readonly name: string,
    config: DatadogConfig,
    deps: SourceDeps,
    options: DatadogSourceOptions = {},
  ) {
    this.now = options.now ?? (() => Date.now() / 1000);
    this.metrics = sourceMetrics(deps.registry);
    const client = new DatadogClient(name, config, { logger: deps.logger, metrics: this.metrics, baseDir: deps.baseDir, env: deps.env ?? process.env });
    this.groups = new QueryGroups({
      source: name,
      query: options.query ?? ((from, to, query) => client.query(from, to, query)),
      budget: new QueryBudget(config.budget.queriesPerHour),
      batchWindowMs: config.budget.batchWindow * 1000,
      logger: deps.logger,
      metrics: this.metrics,
      now: this.now,
    });
  }

  /** The multiple of the rule interval at which metrics are refreshed now (1 = within budget). */
  get intervalFactor(): number {
    return this.groups.intervalFactor;
  }

  async query(q: MetricQuery): Promise<QueryResult> {
    const template = q.decl.queries?.['datadog'];
    if (!template) {
      return {
        kind: 'error',
        retryable: false,
        message: `datadog "${this.name}": no Datadog query for metric ${q.metric}; add queries: { datadog: { ${q.metric}: "<query>" } } to a rule file (see rules/examples/datadog.yaml)`,
      };
    }
    const planned = planDatadogQuery(template, q);
    if (!planned.ok)
      return { kind: 'error', retryable: false, message: `datadog "${this.name}": the ${q.metric} query template cannot be used: ${planned.error}` };
    const key = `${q.deploy.id}|${q.scope}|${q.metric}`;
    const from = this.catchUpFrom(key, q);
    const served = await this.groups.request({ plan: planned.plan, metric: q.metric, step: q.step, from, to: q.end });
    if (served.kind === 'error') return { kind: 'error', message: served.message, retryable: served.retryable };
    this.metrics.served.inc({ source: this.name, metric: q.metric, how: served.how });
    const until = Math.min(q.end, served.fetchedUntil);
    const steps = gridSteps(q.deploy.startedAt, q.step, from, until);
    const points = alignToSteps(served.points, steps, q.step);
    if (steps.length > 0) this.delivered.set(key, { t: steps.at(-1)!, at: this.now() });
    this.forgetOld();
    // Steps after `until` were not fetched yet (an older result was served): pending, not silent (DESIGN §5).
    const pending = until < q.end ? { answeredUntil: until } : {};
    if (points.length > 0) return { kind: 'value', points, ...pending };
    return steps.length === 0 && served.how === 'degraded' ? { kind: 'value', points: [], ...pending } : { kind: 'no-data' };
  }

  /** The query's start, or the step after the last one delivered if that is earlier (steps skipped while degraded). */
  private catchUpFrom(key: string, q: MetricQuery): number {
    const last = this.delivered.get(key);
    return last !== undefined && last.t + q.step < q.start ? last.t + q.step : q.start;
  }

  private forgetOld(): void {
    const cutoff = this.now() - 6 * 3600;
    for (const [key, mark] of this.delivered) if (mark.at < cutoff) this.delivered.delete(key);
  }
}

/** Step times startedAt + k·step within [from, to]. */
export function gridSteps(startedAt: number, step: number, from: number, to: number): number[] {
  const steps: number[] = [];
  for (let t = startedAt + Math.ceil((from - startedAt) / step) * step; t <= to; t += step) steps.push(t);
  return steps;
}

/** The value at step T: the mean of the raw points (sorted by time) in [T - step, T); steps without points are gaps. */
export function alignToSteps(raw: ReadonlyArray<[number, number]>, steps: readonly number[], step: number): Point[] {
  const points: Point[] = [];
  let i = 0;
  for (const T of steps) {
    while (i < raw.length && raw[i]![0] < T - step) i += 1;
    let sum = 0;
    let n = 0;
    for (let j = i; j < raw.length && raw[j]![0] < T; j++) {
      sum += raw[j]![1];
      n += 1;
    }
    if (n > 0) points.push([T, sum / n]);
  }
  return points;
}
