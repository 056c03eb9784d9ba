// The one lookup of a metric's declaration: the rule set's own (resolveRules merges the built-ins in), else a built-in.
import { BUILTIN_METRICS, type MetricDecl, type RuleSet } from './schema.js';

/** The declaration of `metric` in effect for `rules`, or undefined for a metric no rule file or built-in declares. */
export function metricDecl(rules: Pick<RuleSet, 'metrics'>, metric: string): MetricDecl | undefined {
  return rules.metrics[metric] ?? (BUILTIN_METRICS as Record<string, MetricDecl | undefined>)[metric];
}
