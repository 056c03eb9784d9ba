// Public face of the rules concept: load a rule directory once, resolve the effective RuleSet per deploy.
export { loadRules, RuleError } from './load.js';
export type { LoadedRules, RuleProblem } from './load.js';
export { resolveRules, resolveRulesCached } from './resolve.js';
export type { RuleSet, Rule, RuleFile, Hook, MetricDecl, SeverityPolicy } from './schema.js';
