// What the deploy page charts for each judged metric: its points over baseline + window, the baseline band, each
// rule's threshold on it, when findings were established, and the rollback. Pure.
import { preDeployBaseline } from '../judge/baseline.js';
import type { Finding, SeriesSet } from '../judge/types.js';
import type { RuleSet } from '../rules/schema.js';
import type { DeployCharts, MetricChart } from './chart-types.js';

export type { DeployCharts, MetricChart };

/** Charts for every metric a rule judges (throughput too), in rule order. */
export function deployCharts(input: {
  startedAt: number;
  windowEnd: number | null;
  rollbackAt: number | null;
  rules: RuleSet;
  findings: Finding[];
  series: SeriesSet;
  control: SeriesSet;
}): DeployCharts {
  const { rules, findings, series, control, startedAt } = input;
  const metrics = [...new Set([...rules.rules.map((r) => r.metric), 'throughput'])];
  return {
    startedAt,
    windowEnd: input.windowEnd,
    rollbackAt: input.rollbackAt,
    metrics: metrics.map((metric) => {
      const points = series[metric] ?? [];
      const evidence = findings.find((f) => f.metric === metric && f.evidence?.baseline)?.evidence?.baseline;
      const stats = evidence ?? preDeployBaseline(points, startedAt, rules.baseline.duration);
      const band = stats ? { median: stats.median, lo: stats.median - stats.spread, hi: stats.median + stats.spread, from: stats.from, to: stats.to } : null;
      const thresholds = rules.rules
        .filter((r) => r.metric === metric && !r.per)
        .flatMap((r) =>
          ('all' in r.when ? r.when.all : r.when.any).flatMap((c) => {
            const value =
              c.subject === 'value'
                ? c.threshold
                : !band
                  ? null
                  : c.subject === 'ratio'
                    ? band.median * c.threshold
                    : c.subject === 'change'
                      ? band.median * (1 + c.threshold / 100)
                      : null;
            return value === null || !Number.isFinite(value) ? [] : [{ rule: r.name, condition: c.text, value }];
          }),
        );
      return {
        metric,
        points,
        control: control[metric] ?? [],
        band,
        thresholds,
        established: findings.filter((f) => f.metric === metric).map((f) => ({ rule: f.rule, at: f.at, severity: f.severity })),
      };
    }),
  };
}
