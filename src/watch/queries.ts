// What a watch (and a recovery check) asks the metric sources for.
import { watchedMetrics } from '../judge/plan.js';
import { metricDecl } from '../rules/metric-decl.js';
import type { MetricDecl, RuleSet } from '../rules/schema.js';

/** Metrics a watch queries: every metric a rule judges, plus throughput (the evidence of traffic). */
export function metricsToQuery(rules: RuleSet): Array<[string, MetricDecl]> {
  return [...new Set<string>(watchedMetrics(rules))].flatMap((name) => {
    const decl = metricDecl(rules, name);
    return decl ? [[name, decl] as [string, MetricDecl]] : [];
  });
}
