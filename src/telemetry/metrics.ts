// The guard's own Prometheus metrics, registered on an injected prom-client Registry (one per daemon).
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface GuardMetrics {
  watchesActive: Gauge;
  evaluations: Counter<'result'>;
  verdicts: Counter<'verdict' | 'severity'>;
  rollbacks: Counter<'outcome'>;
  sourceQueries: Counter<'source' | 'metric' | 'result'>;
  alerts: Counter<'channel' | 'severity'>;
  /** Wall seconds from a step's time to its saved evaluation (how late verdicts are). */
  evaluationLag: Histogram;
  /** CPU-bound seconds spent in the judge (its share of an evaluation's cost). */
  judgeSeconds: Counter;
  /** Tells the backlog gauge (evaluations due and not yet started) where to read it; the watcher calls this. */
  reportBacklog(of: () => number): void;
}

export function createGuardMetrics(registry: Registry): GuardMetrics {
  const registers = [registry];
  let backlog = (): number => 0;
  new Gauge({
    name: 'release_guard_evaluations_backlog',
    help: 'Watch evaluations due and waiting for a slot in the evaluation pool (0 when every watch is on schedule)',
    registers,
    collect() {
      this.set(backlog());
    },
  });
  return {
    watchesActive: new Gauge({ name: 'release_guard_watches_active', help: 'Deploys being watched now', registers }),
    evaluations: new Counter({ name: 'release_guard_evaluations_total', help: 'Watch evaluations by result', labelNames: ['result'], registers }),
    verdicts: new Counter({ name: 'release_guard_verdicts_total', help: 'Verdicts reached', labelNames: ['verdict', 'severity'], registers }),
    rollbacks: new Counter({ name: 'release_guard_rollbacks_total', help: 'Rollback hook runs by outcome', labelNames: ['outcome'], registers }),
    sourceQueries: new Counter({
      name: 'release_guard_source_queries_total',
      help: 'Metric source queries by result (value, no-data, error)',
      labelNames: ['source', 'metric', 'result'],
      registers,
    }),
    alerts: new Counter({ name: 'release_guard_alerts_total', help: 'Alerts raised by channel and severity', labelNames: ['channel', 'severity'], registers }),
    evaluationLag: new Histogram({
      name: 'release_guard_evaluation_lag_seconds',
      help: 'Wall-clock seconds from the time of the step judged to the saved evaluation',
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300],
      registers,
    }),
    judgeSeconds: new Counter({
      name: 'release_guard_judge_seconds_total',
      help: 'Seconds spent judging (the rest of a tick is I/O and bookkeeping)',
      registers,
    }),
    reportBacklog: (of) => {
      backlog = of;
    },
  };
}
