// Prometheus metrics about the metric sources themselves (upstream calls, cache, budget), on the daemon's injected Registry.
import { Counter, Gauge, Registry, type Metric } from 'prom-client';

export interface SourceMetrics {
  /** Every HTTP call made to the upstream, retries included, by outcome (ok, 4xx, 429, 5xx, network, timeout). */
  upstreamRequests: Counter<'source' | 'outcome'>;
  /** How each watch query was answered: fetched upstream, from the cache, or degraded (older cached data). */
  served: Counter<'source' | 'metric' | 'how'>;
  /** The interval at which each metric is actually refreshed; above the rule interval when the budget is short. */
  effectiveInterval: Gauge<'source' | 'metric'>;
  /** Multiple of the rule interval every group is refreshed at (1 = not degraded). */
  intervalFactor: Gauge<'source'>;
  /** Queries per hour the source may spend now: the configured budget, lowered by what the upstream's headers allow. */
  budget: Gauge<'source'>;
  /** Queries sent in the last hour. */
  budgetUsed: Gauge<'source'>;
  /** The upstream's X-RateLimit-Remaining, as last seen. */
  rateLimitRemaining: Gauge<'source'>;
}

function single<M extends Metric>(registry: Registry, name: string, make: () => M): M {
  return (registry.getSingleMetric(name) as M | undefined) ?? make();
}

/**
 * The source metrics on `registry` (created once per registry, shared by every source on it). Without a
 * registry (tests, one-shot CLI commands) they go to a private registry nobody scrapes.
 */
export function sourceMetrics(registry: Registry = new Registry()): SourceMetrics {
  const registers = [registry];
  return {
    upstreamRequests: single(
      registry,
      'release_guard_source_upstream_requests_total',
      () =>
        new Counter({
          name: 'release_guard_source_upstream_requests_total',
          help: 'HTTP requests made to metric source upstreams, retries included, by outcome',
          labelNames: ['source', 'outcome'],
          registers,
        }),
    ),
    served: single(
      registry,
      'release_guard_source_served_total',
      () =>
        new Counter({
          name: 'release_guard_source_served_total',
          help: 'Watch queries by how the source answered them: fetched, cached or degraded',
          labelNames: ['source', 'metric', 'how'],
          registers,
        }),
    ),
    effectiveInterval: single(
      registry,
      'release_guard_source_effective_interval_seconds',
      () =>
        new Gauge({
          name: 'release_guard_source_effective_interval_seconds',
          help: 'How often each metric is really refreshed from the source; above the rule interval when the query budget is short',
          labelNames: ['source', 'metric'],
          registers,
        }),
    ),
    intervalFactor: single(
      registry,
      'release_guard_source_interval_factor',
      () =>
        new Gauge({
          name: 'release_guard_source_interval_factor',
          help: 'Multiple of the rule interval at which the source refreshes (1 = not degraded)',
          labelNames: ['source'],
          registers,
        }),
    ),
    budget: single(
      registry,
      'release_guard_source_budget_queries_per_hour',
      () =>
        new Gauge({
          name: 'release_guard_source_budget_queries_per_hour',
          help: 'Queries per hour the source may spend now (configured budget, lowered by the upstream rate-limit headers)',
          labelNames: ['source'],
          registers,
        }),
    ),
    budgetUsed: single(
      registry,
      'release_guard_source_budget_used',
      () => new Gauge({ name: 'release_guard_source_budget_used', help: 'Queries sent to the source in the last hour', labelNames: ['source'], registers }),
    ),
    rateLimitRemaining: single(
      registry,
      'release_guard_source_rate_limit_remaining',
      () =>
        new Gauge({
          name: 'release_guard_source_rate_limit_remaining',
          help: 'X-RateLimit-Remaining as last reported by the source',
          labelNames: ['source'],
          registers,
        }),
    ),
  };
}
