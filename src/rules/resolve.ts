// Merges the default rule file with the overrides matching one deploy into its effective RuleSet.
import { SEVERITIES } from '../judge/types.js';
import { BUILTIN_METRICS, RULE_DEFAULTS, type MetricDecl, type RuleFile, type RuleSet, type SeverityPolicy } from './schema.js';

/** The rule files of a rules dir as loaded (load.ts): default.yaml and the overrides. */
export interface LoadedRules {
  dir: string;
  files: Array<{ path: string; file: RuleFile }>;
}

/** How specific a file's match is for `target`: 0 default, 1 service, 2 service+environment; null if it does not apply. */
function specificity(file: RuleFile, target: { service: string; environment: string }): number | null {
  const match = file.match;
  if (!match) return 0;
  if (match.service !== target.service) return null;
  if (match.environment === undefined) return 1;
  return match.environment === target.environment ? 2 : null;
}

function baseRuleSet(): RuleSet {
  const severities = {} as Record<(typeof SEVERITIES)[number], SeverityPolicy>;
  for (const level of SEVERITIES) severities[level] = { ...RULE_DEFAULTS.severities[level], alert: [...RULE_DEFAULTS.severities[level].alert] };
  return {
    sources: [],
    source: null,
    window: RULE_DEFAULTS.window,
    interval: RULE_DEFAULTS.interval,
    baseline: { ...RULE_DEFAULTS.baseline },
    minEvidence: { ...RULE_DEFAULTS.minEvidence },
    metrics: { ...BUILTIN_METRICS },
    severities,
    rules: [],
    hooks: { rollback: [] },
    recovery: { ...RULE_DEFAULTS.recovery },
  };
}

/** Applies one file over what it inherits (pure: returns a new RuleSet). */
function applyFile(set: RuleSet, path: string, file: RuleFile): RuleSet {
  const disabled = new Set(file.disable ?? []);
  const rules = set.rules.filter((r) => !disabled.has(r.name));
  for (const rule of file.rules ?? []) {
    const at = rules.findIndex((r) => r.name === rule.name);
    if (at >= 0) rules[at] = rule;
    else rules.push(rule);
  }
  return {
    sources: [...set.sources, path],
    source: file.source ?? set.source,
    window: file.window ?? set.window,
    interval: file.interval ?? set.interval,
    baseline: file.baseline ?? set.baseline,
    minEvidence: file.minEvidence ?? set.minEvidence,
    metrics: { ...set.metrics, ...file.metrics },
    severities: { ...set.severities, ...file.severities },
    rules,
    hooks: file.hooks ? { rollback: [...file.hooks.rollback] } : set.hooks,
    recovery: file.recovery ?? set.recovery,
  };
}

/**
 * The effective rules for a deploy of `target`: default.yaml, then the file matching its service,
 * then the file matching service and environment. Scalars, baseline, minEvidence and the rollback
 * hook list replace; metrics, severities (per level) and rules (by name) merge; `disable` drops
 * inherited rules.
 */
export function resolveRules(loaded: LoadedRules, target: { service: string; environment: string }): RuleSet {
  const applicable = loaded.files
    .map((f) => ({ ...f, rank: specificity(f.file, target) }))
    .filter((f): f is typeof f & { rank: number } => f.rank !== null)
    .sort((a, b) => a.rank - b.rank);
  const set = applicable.reduce((acc, f) => applyFile(acc, f.path, f.file), baseRuleSet());
  return {
    ...set,
    metrics: withQueries(
      set.metrics,
      applicable.map((f) => f.file),
    ),
  };
}

/**
 * Puts every query template into `metrics[name].queries[sourceType]`. Templates come from `metrics.<name>.queries`
 * and from the top-level `queries.<sourceType>.<name>`; per source type and metric the more specific file wins
 * (within one file, the top-level `queries`), and a metric redeclared without queries keeps the inherited ones.
 * Templates for metrics that are neither built in nor declared are ignored.
 */
function withQueries(metrics: Record<string, MetricDecl>, files: RuleFile[]): Record<string, MetricDecl> {
  const merged: Record<string, Record<string, string>> = {};
  for (const file of files) {
    for (const [name, decl] of Object.entries(file.metrics ?? {})) Object.assign((merged[name] ??= {}), decl.queries);
    for (const [type, byMetric] of Object.entries(file.queries ?? {})) {
      for (const [name, template] of Object.entries(byMetric)) (merged[name] ??= {})[type] = template;
    }
  }
  const out = { ...metrics };
  for (const [name, queries] of Object.entries(merged)) {
    const decl = out[name];
    if (decl && Object.keys(queries).length > 0) out[name] = { ...decl, queries };
  }
  return out;
}

/** Effective rule sets by service and environment, per loaded rules (a reload is a new object, with a new map). */
const resolved = new WeakMap<LoadedRules, Map<string, RuleSet>>();
/** Services come from deploys (hostile input): past this many, a loaded rule set's map starts over. */
const RESOLVED_PER_LOAD = 10_000;

/**
 * resolveRules, worked out once per service+environment and loaded rules: every POST and tick of the guard, and
 * every recording of a replay, asks. The answer is shared, so callers must not change it (none does).
 */
export function resolveRulesCached(loaded: LoadedRules, target: { service: string; environment: string }): RuleSet {
  let byTarget = resolved.get(loaded);
  if (!byTarget) resolved.set(loaded, (byTarget = new Map()));
  const key = JSON.stringify([target.service, target.environment]);
  let rules = byTarget.get(key);
  if (!rules) {
    if (byTarget.size >= RESOLVED_PER_LOAD) byTarget.clear();
    byTarget.set(key, (rules = resolveRules(loaded, target)));
  }
  return rules;
}
