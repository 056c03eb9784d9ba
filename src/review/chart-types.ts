// The shapes of the deploy page's charts: types only, so the UI bundle imports them as they are (no runtime code).
import type { Point } from '../judge/types.js';

export type { Point };

export interface MetricChart {
  metric: string;
  points: Point[];
  control: Point[];
  /** Baseline median ± spread over [from, to), from the finding's evidence when there is one. */
  band: { median: number; lo: number; hi: number; from: number; to: number } | null;
  /** Each value/ratio/change condition of a rule on this metric, as a level in the metric's unit. */
  thresholds: Array<{ rule: string; condition: string; value: number }>;
  established: Array<{ rule: string; at: number; severity: string }>;
}

export interface DeployCharts {
  startedAt: number;
  windowEnd: number | null;
  rollbackAt: number | null;
  metrics: MetricChart[];
}
