// Merges the default rule file with the overrides matching one deploy into its effective RuleSet.
import { SEVERITIES } from '../judge/types.js';
import type { LoadedRules } from './load.js';
import { BUILTIN_METRICS, type RuleFile, type RuleSet, type SeverityPolicy } from './schema.js';

/** What applies when even default.yaml leaves a setting out. */
export const FALLBACKS = {
  window: 1800,
  interval: 60,
  baseline: { kind: 'pre-deploy', duration: 3600 },
  minEvidence: { throughput: 0, samples: 3 },
  severities: {
    P0: { rollback: true, failsVerdict: true, alert: ['page', 'slack'] },
    P1: { rollback: true, failsVerdict: true, alert: ['slack', 'page'] },
    P2: { rollback: false, failsVerdict: true, alert: ['email'] },
    P3: { rollback: false, failsVerdict: false, alert: ['digest'] },
  },
} as const satisfies Pick<RuleSet, 'window' | 'interval' | 'baseline' | 'minEvidence' | 'severities'>;

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
  for (const level of SEVERITIES) severities[level] = { ...FALLBACKS.severities[level], alert: [...FALLBACKS.severities[level].alert] };
  return {
    sources: [],
    source: null,
    window: FALLBACKS.window,
    interval: FALLBACKS.interval,
    baseline: { ...FALLBACKS.baseline },
    minEvidence: { ...FALLBACKS.minEvidence },
    metrics: { ...BUILTIN_METRICS },
    severities,
    rules: [],
    hooks: { rollback: [] },
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
  return applicable.reduce((set, f) => applyFile(set, f.path, f.file), baseRuleSet());
}
