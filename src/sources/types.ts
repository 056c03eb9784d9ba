// The metric-source plug-in contract: every kind (demo, recording, prometheus, datadog) implements MetricSource.
import type { Deploy, Point } from '../judge/types.js';
import type { MetricDecl } from '../rules/schema.js';

/** What a query returned. Upstream trouble is a value, never an exception (exceptions are bugs). */
export type QueryResult =
  | {
      kind: 'value';
      points: Point[];
      /**
       * Set when the source has answered only for steps up to this time (e.g. a rate-limited Datadog serving an
       * older result): later steps of the range are pending, not silent, and the watch judges them once answered.
       */
      answeredUntil?: number;
    }
  | { kind: 'no-data' }
  | { kind: 'error'; message: string; retryable: boolean };

export interface MetricQuery {
  /** Canonical or custom metric name. */
  metric: string;
  /** The metric's declaration from the effective rules (unit, direction, per-source query templates). */
  decl: MetricDecl;
  deploy: Deploy;
  /** `deploy`: the deployed service itself; `control`: the stable fleet it is compared with. */
  scope: 'deploy' | 'control';
  /** Unix seconds, inclusive. */
  start: number;
  /** Unix seconds, inclusive. */
  end: number;
  /** Resolution in seconds (the rule interval). */
  step: number;
  /**
   * Set while the guard checks recovery after rolling this deploy back: the series time of the rollback (the
   * deploy's `version` is then the previous version, which runs again). Real sources need nothing more; the demo
   * source simulates the rollback working from this time on.
   */
  rolledBackAt?: number;
}

/**
 * A metric source. Contract:
 * - `query` is idempotent and side-effect free; calling it twice for the same range returns the same points
 *   (apart from data that arrived in between).
 * - It never throws for upstream failure: it returns `{kind:'error', retryable}`; no points is `{kind:'no-data'}`.
 * - Points are sorted by time, within [start, end], at most one per step.
 */
export interface MetricSource {
  /** The registered kind, e.g. "demo". */
  readonly type: string;
  /** Configured name, e.g. "prod-prometheus". */
  readonly name: string;
  /**
   * How many series seconds pass per wall-clock second for watches on this source. 1 for every real source;
   * the demo source may accelerate so a 30-minute window plays out in a minute.
   */
  readonly timeScale: number;
  query(q: MetricQuery): Promise<QueryResult>;
  close?(): Promise<void>;
}
