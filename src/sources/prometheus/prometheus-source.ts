// The Prometheus MetricSource: renders the rule's PromQL for a deploy and reads it with query_range on the watch's step grid.
import type { Point } from '../../judge/types.js';
import type { SourceDeps } from '../kind.js';
import { sourceMetrics, type SourceMetrics } from '../source-metrics.js';
import type { MetricQuery, MetricSource, QueryResult } from '../types.js';
import { PrometheusClient } from './client.js';
import { renderPromql } from './promql-template.js';
import { labelText, seriesOf, type PromSeries } from './response.js';
import type { PrometheusConfig } from './schema.js';

/** Prometheus refuses more than 11,000 points per series; longer ranges are split. */
const MAX_POINTS_PER_CALL = 10_000;

/** The step times startedAt + k·step inside [start, end] (the judge evaluates exactly these), or null if none. */
export function stepGrid(startedAt: number, start: number, end: number, step: number): { first: number; last: number } | null {
  const first = startedAt + Math.ceil((start - startedAt) / step) * step;
  const last = startedAt + Math.floor((end - startedAt) / step) * step;
  return first <= last ? { first, last } : null;
}

/**
 * A Prometheus-compatible HTTP API as a metric source. Each metric needs a PromQL template in the rules
 * (`queries: { prometheus: { error_rate: '…' } }`) that yields one series for the deploy. Points land on the
 * watch's own step grid (startedAt + k·step), so each judged step has exactly its own point.
 */
export class PrometheusSource implements MetricSource {
  readonly type = 'prometheus';
  readonly timeScale = 1;
  private readonly client: PrometheusClient;
  private readonly metrics: SourceMetrics;

  constructor(
    readonly name: string,
    private readonly config: PrometheusConfig,
    deps: SourceDeps,
  ) {
    this.metrics = sourceMetrics(deps.registry);
    this.client = new PrometheusClient(name, config, { logger: deps.logger, metrics: this.metrics, baseDir: deps.baseDir, env: deps.env ?? process.env });
  }

  async query(q: MetricQuery): Promise<QueryResult> {
    const template = q.decl.queries?.['prometheus'];
    if (!template) {
      return {
        kind: 'error',
        retryable: false,
        message: `prometheus "${this.name}": no PromQL for metric ${q.metric}; add queries: { prometheus: { ${q.metric}: "<PromQL>" } } to a rule file (see rules/examples/prometheus.yaml)`,
      };
    }
    const rendered = renderPromql(template, q, { step: q.step, scrapeInterval: this.config.scrapeInterval });
    if (!rendered.ok)
      return { kind: 'error', retryable: false, message: `prometheus "${this.name}": the ${q.metric} query template cannot be used: ${rendered.error}` };
    const grid = stepGrid(q.deploy.startedAt, q.start, q.end, q.step);
    if (!grid) return { kind: 'no-data' };
    const points: Point[] = [];
    for (let from = grid.first; from <= grid.last; from += MAX_POINTS_PER_CALL * q.step) {
      const to = Math.min(grid.last, from + (MAX_POINTS_PER_CALL - 1) * q.step);
      const chunk = await this.fetch(rendered.text, q, from, to);
      if (chunk.kind !== 'value') return chunk;
      points.push(...chunk.points);
    }
    this.metrics.served.inc({ source: this.name, metric: q.metric, how: 'fetched' });
    return points.length > 0 ? { kind: 'value', points } : { kind: 'no-data' };
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  /** One call: an instant query for a single step, query_range otherwise. */
  private async fetch(promql: string, q: MetricQuery, from: number, to: number): Promise<QueryResult> {
    const answer =
      from === to
        ? await this.client.call('query', { query: promql, time: String(from) })
        : await this.client.call('query_range', { query: promql, start: String(from), end: String(to), step: String(q.step) });
    if (answer.kind === 'error') {
      const message = answer.rejected ? `${q.metric}: ${answer.message}; query: ${promql}` : `${q.metric}: ${answer.message}`;
      return { kind: 'error', message, retryable: answer.retryable };
    }
    const series = seriesOf(answer.answer).filter((s) => s.points.length > 0);
    if (series.length > 1) return { kind: 'error', retryable: false, message: tooMany(this.name, q.metric, series, promql) };
    const points = (series[0]?.points ?? []).filter(([t]) => t >= from && t <= to);
    return { kind: 'value', points };
  }
}

function tooMany(name: string, metric: string, series: PromSeries[], promql: string): string {
  const shown = series
    .slice(0, 3)
    .map((s) => labelText(s.labels))
    .join(', ');
  return `prometheus "${name}": the ${metric} query returned ${series.length} series (${shown}${series.length > 3 ? ', …' : ''}), but a metric needs exactly one per deploy; aggregate it, e.g. sum(…) or max(…), or filter it further; query: ${promql}`;
}
