// The guard's own Prometheus metrics, registered on an injected prom-client Registry (one per daemon).
import { Counter, Gauge, type Registry } from 'prom-client';

export interface GuardMetrics {
  watchesActive: Gauge;
  evaluations: Counter<'result'>;
  verdicts: Counter<'verdict' | 'severity'>;
  rollbacks: Counter<'outcome'>;
  sourceQueries: Counter<'source' | 'metric' | 'result'>;
  alerts: Counter<'channel' | 'severity'>;
}

export function createGuardMetrics(registry: Registry): GuardMetrics {
  const registers = [registry];
  return {
    watchesActive: new Gauge({ name: 'release_guard_watches_active', help: 'Deploys being watched now', registers }),
    evaluations: new Counter({ name: 'release_guard_evaluations_total', help: 'Watch evaluations by result', labelNames: ['result'], registers }),
    verdicts: new Counter({ name: 'release_guard_verdicts_total', help: 'Verdicts reached', labelNames: ['verdict', 'severity'], registers }),
    rollbacks: new Counter({ name: 'release_guard_rollbacks_total', help: 'Rollback hook runs by outcome', labelNames: ['outcome'], registers }),
    sourceQueries: new Counter({ name: 'release_guard_source_queries_total', help: 'Metric source queries by result (value, no-data, error)', labelNames: ['source', 'metric', 'result'], registers }),
    alerts: new Counter({ name: 'release_guard_alerts_total', help: 'Alerts raised by channel and severity', labelNames: ['channel', 'severity'], registers }),
  };
}
