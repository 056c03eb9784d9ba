// `rules check --config`: the sources a rule set names must exist in the config and have a query for every watched metric.
import { watchedMetrics } from '../judge/plan.js';
import type { LoadedRules } from '../rules/load.js';
import { resolveRules } from '../rules/resolve.js';
import type { RuleFile } from '../rules/schema.js';
import type { Config } from '../config/schema.js';

/** Source types that need a query template per metric (demo and recording fall back to the metric name). */
const TEMPLATE_TYPES: readonly string[] = ['prometheus', 'datadog'];

function rank(file: RuleFile): number {
  return file.match ? (file.match.environment ? 2 : 1) : 0;
}

function what(file: RuleFile): string {
  if (!file.match) return 'every deploy';
  return `deploys of ${file.match.service}${file.match.environment ? ` in ${file.match.environment}` : ''}`;
}

/**
 * One line per mistake, as "file: message": a rule set whose source is not configured (e.g. `source: prom-typo`,
 * which otherwise fails only when CI posts a deploy), and a watched metric without a query for its source's type
 * (the watch would be blind on it forever). Each missing query is reported once, at the most general file.
 */
export function sourceProblems(loaded: LoadedRules, config: Pick<Config, 'sources' | 'defaultSource'>): string[] {
  const problems: string[] = [];
  const reported = new Set<string>();
  const configured = Object.keys(config.sources);
  for (const { path, file } of [...loaded.files].sort((a, b) => rank(a.file) - rank(b.file))) {
    const set = resolveRules(loaded, { service: file.match?.service ?? '', environment: file.match?.environment ?? '' });
    const name = set.source ?? config.defaultSource;
    const source = config.sources[name];
    if (!source) {
      if (file.source === undefined && reported.has(`missing:${name}`)) continue;
      reported.add(`missing:${name}`);
      problems.push(
        `${path}: source: "${name}" is not a configured metric source (configured: ${configured.join(', ') || 'none'}); fix the name or add it under sources: in the config — ${what(file)} would be refused with 422`,
      );
      continue;
    }
    if (!TEMPLATE_TYPES.includes(source.type)) continue;
    for (const metric of watchedMetrics(set)) {
      if (set.metrics[metric]?.queries?.[source.type]) continue;
      const key = `${name}:${metric}`;
      if (reported.has(key)) continue;
      reported.add(key);
      problems.push(
        `${path}: metric ${metric} has no ${source.type} query, so ${what(file)} watched through source "${name}" would be blind on it; add queries: { ${source.type}: { ${metric}: "…" } } (see rules/examples/${source.type}.yaml) or disable the rules that judge it`,
      );
    }
  }
  return problems;
}
