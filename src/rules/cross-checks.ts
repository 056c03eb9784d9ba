// Checks that span rule files or need more than the schema: names, matches, metric references, disables.
import { basename } from 'node:path';
import { resolveRules } from './resolve.js';
import { formatPath, type RuleProblem } from './rule-error.js';
import type { Salvage } from './salvage.js';
import { CANONICAL_METRICS, type RuleFile } from './schema.js';
import { problemAt, type SourceFile } from './yaml-position.js';

/** A rule file that passed the schema (or what remains of one that did not), kept with its source for positions. */
export interface ParsedRuleFile {
  src: SourceFile;
  file: RuleFile;
  /** Set when the file failed its schema and `file` is what remains with the broken parts set aside. */
  salvage?: Salvage;
}

/** The index as written of element `i` of a file's rules, disable or hooks.rollback list. */
function written(f: ParsedRuleFile, list: keyof Salvage['index'], i: number): number {
  return f.salvage ? (f.salvage.index[list][i] ?? i) : i;
}

/** Whether a top-level key of `f` was set aside as broken (the checks that need it are then skipped). */
function lost(f: ParsedRuleFile, key: string): boolean {
  return f.salvage?.lostKeys.includes(key) ?? false;
}

/** A file whose match broke could be for any deploy: it is no one's default and no one's more general file. */
const unknownRole = (f: ParsedRuleFile): boolean => lost(f, 'match');

const DEFAULT_NAMES = ['default.yaml', 'default.yml'];

/** Whether a file name is the default file's. */
export function isDefaultName(path: string): boolean {
  return DEFAULT_NAMES.includes(basename(path));
}

/**
 * Every cross-file problem among the files that passed the schema. `anyFailed` says some file did not
 * parse; checks that depend on a more general file are then skipped where it could be the missing one,
 * so one broken file does not bury the real problem under echoes.
 */
export function crossCheck(files: ParsedRuleFile[], anyFailed: boolean): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const known = files.filter((f) => !unknownRole(f));
  problems.push(...roleProblems(known), ...matchProblems(known));
  for (const f of files) problems.push(...nameProblems(f));
  const defaults = known.filter((f) => !f.file.match && isDefaultName(f.src.path));
  const chainKnown = (f: ParsedRuleFile) => defaults.length === 1 && !(f.file.match?.environment && anyFailed);
  const referencesBroken = new Set<ParsedRuleFile>();
  for (const f of known.filter(chainKnown)) {
    const found = referenceProblems(f, moreGeneral(f, known));
    if (found.length > 0) referencesBroken.add(f);
    problems.push(...found);
  }
  // Coverage is judged on whole rule sets: skipped while a file it depends on has broken parts set aside or a rule
  // with an unknown metric or a mistyped disable (a rule set "judging only eror_rate" is that typo again).
  for (const f of known.filter(chainKnown)) {
    const whole = ![...moreGeneral(f, known), f].some((g) => g.salvage || referencesBroken.has(g));
    if (whole) problems.push(...coverageProblems(f, known));
  }
  return problems;
}

/** The metrics an outage shows in: a rule set judging neither can never fail a deploy that is down. */
const OUTAGE_METRICS: readonly string[] = ['error_rate', 'latency_p95'];

/**
 * The effective rule set of the deploys `f` is the most specific file for must judge error_rate or latency_p95,
 * unless a file of the chain opts out with `allowNoErrorOrLatencyRules: true`: an empty or rule-less default.yaml
 * (or an override disabling every such rule) would otherwise end every outage without an alert.
 */
function coverageProblems(f: ParsedRuleFile, files: ParsedRuleFile[]): RuleProblem[] {
  const target = { service: f.file.match?.service ?? '', environment: f.file.match?.environment ?? '' };
  const applicable = files.filter(
    (g) =>
      !g.file.match || (g.file.match.service === target.service && (g.file.match.environment ?? '') === (g.file.match.environment ? target.environment : '')),
  );
  const set = resolveRules({ dir: '', files: applicable.map((g) => ({ path: g.src.path, file: g.file })) }, target);
  if (set.rules.some((r) => OUTAGE_METRICS.includes(r.metric))) return [];
  const optIn = [...applicable].reverse().find((g) => g.file.allowNoErrorOrLatencyRules !== undefined)?.file.allowNoErrorOrLatencyRules;
  if (optIn === true) return [];
  const who = f.file.match ? `deploys of ${target.service}${target.environment ? ` in ${target.environment}` : ''}` : 'every deploy';
  const what = set.rules.length === 0 ? 'has no rules at all' : `judges only ${[...new Set(set.rules.map((r) => r.metric))].join(', ')}`;
  const message =
    `the effective rule set for ${who} ${what}: no rule judges error_rate or latency_p95, so an outage would end ` +
    `without a failed verdict or an alert. Add such a rule (the shipped rules/default.yaml has them)` +
    `${f.file.disable?.length ? ' or disable fewer inherited rules' : ''}, or, if that is really intended, set allowNoErrorOrLatencyRules: true in this file`;
  const at = f.file.rules !== undefined ? ['rules'] : f.file.disable !== undefined ? ['disable'] : null;
  return [at ? problemAt(f.src, at, message) : { file: f.src.path, line: 1, column: 1, path: '', message }];
}

/** The default file alone applies to everything; every other file must say what it matches. */
function roleProblems(files: ParsedRuleFile[]): RuleProblem[] {
  return files.flatMap(({ src, file }) => {
    const isDefault = isDefaultName(src.path);
    if (isDefault && file.match) {
      return [problemAt(src, ['match'], `the default file applies to every deploy and takes no match; move these settings to a file named after the service`)];
    }
    if (!isDefault && !file.match) {
      return [
        {
          file: src.path,
          line: 1,
          column: 1,
          path: '',
          message: `has no match, so it would apply to every deploy; only default.yaml may do that. Add match: { service: <name> } (and optionally environment), or move its contents into default.yaml`,
        },
      ];
    }
    return [];
  });
}

function matchKey(file: RuleFile): string | null {
  return file.match ? `${file.match.service}\u0000${file.match.environment ?? ''}` : null;
}

function matchProblems(files: ParsedRuleFile[]): RuleProblem[] {
  const seen = new Map<string, string>();
  const problems: RuleProblem[] = [];
  for (const { src, file } of files) {
    const key = matchKey(file);
    if (key === null) continue;
    const first = seen.get(key);
    const what = `service ${file.match!.service}${file.match!.environment ? `, environment ${file.match!.environment}` : ''}`;
    if (first) problems.push(problemAt(src, ['match'], `${first} already matches ${what}; merge the two files into one`));
    else seen.set(key, src.path);
  }
  return problems;
}

/** Rule names and hook names are unique within a file. */
function nameProblems(f: ParsedRuleFile): RuleProblem[] {
  const { src, file } = f;
  const problems: RuleProblem[] = [];
  const rules = new Map<string, number>();
  (file.rules ?? []).forEach((rule, k) => {
    const i = written(f, 'rules', k);
    const first = rules.get(rule.name);
    if (first === undefined) rules.set(rule.name, i);
    else problems.push(problemAt(src, ['rules', i, 'name'], `rule "${rule.name}" is already defined at rules[${first}]; rename one or delete it`));
  });
  const hooks = new Map<string, number>();
  (file.hooks?.rollback ?? []).forEach((hook, k) => {
    const i = written(f, 'hooks', k);
    const first = hooks.get(hook.name);
    if (first === undefined) hooks.set(hook.name, i);
    else
      problems.push(
        problemAt(src, ['hooks', 'rollback', i, 'name'], `hook "${hook.name}" is already defined at hooks.rollback[${first}]; hook names must be unique`),
      );
  });
  return problems;
}

/** The files a deploy matching `f` always inherits from: the default, then the service-only file. */
function moreGeneral(f: ParsedRuleFile, files: ParsedRuleFile[]): ParsedRuleFile[] {
  const match = f.file.match;
  if (!match) return [];
  const defaults = files.filter((g) => !g.file.match);
  if (!match.environment) return defaults;
  const service = files.filter((g) => g.file.match?.service === match.service && !g.file.match.environment);
  return [...defaults, ...service];
}

/**
 * Rule metrics must be known; disabled rules must exist in a more general file. Rules the schema set aside are checked
 * too (a bad `when` and an unknown metric are two mistakes), unless the schema already reported that very field.
 */
function referenceProblems(f: ParsedRuleFile, chain: ParsedRuleFile[]): RuleProblem[] {
  const { src, file } = f;
  const problems: RuleProblem[] = [];
  const declared = new Set<string>([...CANONICAL_METRICS]);
  for (const g of [...chain, f]) for (const name of [...Object.keys(g.file.metrics ?? {}), ...(g.salvage?.droppedMetrics ?? [])]) declared.add(name);
  const metricsOk = !lost(f, 'metrics') && !chain.some((g) => lost(g, 'metrics'));
  const refs = [
    ...(file.rules ?? []).map((rule, k) => ({ index: written(f, 'rules', k), metric: rule.metric, per: rule.per })),
    ...(f.salvage?.droppedRules ?? []),
  ];
  const fresh = (path: PropertyKey[]) => !f.salvage?.reported.has(formatPath(path));
  for (const { index, metric, per } of metricsOk ? refs : []) {
    if (per !== undefined && !declared.has(per) && fresh(['rules', index, 'per'])) {
      problems.push(problemAt(src, ['rules', index, 'per'], `unknown metric "${per}" to divide by; use one of ${[...declared].join(', ')}`));
    }
    if (metric === undefined || declared.has(metric) || !fresh(['rules', index, 'metric'])) continue;
    problems.push(
      problemAt(
        src,
        ['rules', index, 'metric'],
        `unknown metric "${metric}"; use one of ${[...declared].join(', ')}, or declare it under metrics: (unit, direction) in this file or default.yaml`,
      ),
    );
  }
  // A more general file whose rules list broke could have defined any name: its disables cannot be checked.
  if (chain.some((g) => lost(g, 'rules'))) return problems;
  const inherited = new Set(
    chain.flatMap((g) => [...(g.file.rules ?? []).map((r) => r.name), ...(g.salvage?.droppedRules ?? []).flatMap((r) => (r.name ? [r.name] : []))]),
  );
  (file.disable ?? []).forEach((name, k) => {
    const i = written(f, 'disable', k);
    if (inherited.has(name)) return;
    const from = chain.length > 0 ? chain.map((g) => g.src.path).join(', ') : 'no more general file (this is the default)';
    problems.push(problemAt(src, ['disable', i], `"${name}" is not a rule inherited from ${from}; disable only names inherited rules (check the spelling)`));
  });
  return problems;
}
