// The one lookup of a metric's declaration: the rule set's own, into which resolveRules merges the built-ins.
import type { MetricDecl, RuleSet } from './schema.js';

/** The declaration of `metric` in effect for `rules`, or undefined for a metric no rule file or built-in declares. */
export function metricDecl(rules: Pick<RuleSet, 'metrics'>, metric: string): MetricDecl | undefined {
  return Object.hasOwn(rules.metrics, metric) ? rules.metrics[metric] : undefined;
}
