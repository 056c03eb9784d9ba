// `release-guard rules check [dir]`: validates a rule directory and says what each file contributes.
import { formatDuration } from './duration.js';
import { loadRules, RuleError, type LoadedRules } from './load.js';
import { whenText, type Rule, type RuleFile } from './schema.js';

function describeMatch(file: RuleFile): string {
  if (!file.match) return 'default (every deploy)';
  const env = file.match.environment ? `, environment ${file.match.environment}` : ' (all environments)';
  return `service ${file.match.service}${env}`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function describeFile(path: string, file: RuleFile): string[] {
  const rules = file.rules ?? [];
  const hooks = file.hooks?.rollback ?? [];
  const lines = [`${path}: ${describeMatch(file)}; ${plural(rules.length, 'rule')}`];
  const settings = [
    file.window !== undefined ? `window ${formatDuration(file.window)}` : null,
    file.interval !== undefined ? `interval ${formatDuration(file.interval)}` : null,
    file.baseline ? `baseline ${file.baseline.kind} ${formatDuration(file.baseline.duration)}` : null,
    file.source ? `source ${file.source}` : null,
  ].filter((s): s is string => s !== null);
  if (settings.length > 0) lines.push(`  ${settings.join(', ')}`);
  const width = Math.max(0, ...rules.map((r) => r.name.length));
  const metricWidth = Math.max(0, ...rules.map((r) => r.metric.length));
  for (const r of rules) {
    const hold = r.for > 0 ? ` for ${formatDuration(r.for)}` : r.breaches ? ` in ${r.breaches.count} of ${r.breaches.of} steps` : '';
    lines.push(`  ${r.severity}  ${r.name.padEnd(width)}  ${r.metric.padEnd(metricWidth)}  ${whenText(r.when)}${hold}${ruleExtras(r)}`);
  }
  if (file.disable?.length) lines.push(`  disables: ${file.disable.join(', ')}`);
  if (hooks.length > 0) lines.push(`  rollback hooks: ${hooks.map((h) => `${h.name} (${h.type})`).join(', ')}`);
  return lines;
}

/** The judging options a rule sets beyond its condition: " [per throughput, lookback 5m, mann-whitney p < 0.01, warmup 5m]". */
function ruleExtras(r: Rule): string {
  const parts = [
    r.per ? `per ${r.per}` : null,
    r.lookback !== undefined ? `lookback ${formatDuration(r.lookback)}` : null,
    r.test !== 'none' ? `${r.test} ${testLevel(r)}${r.tolerance > 0 ? ` tolerance ${r.tolerance}` : ''}` : null,
    r.warmup > 0 ? `warmup ${formatDuration(r.warmup)}` : null,
    r.baseline ? `baseline ${r.baseline.kind}` : null,
    r.failClosed ? 'fail-closed' : null,
    r.mode === 'shadow' ? 'SHADOW: never acts' : null,
  ].filter((p): p is string => p !== null);
  return parts.length > 0 ? ` [${parts.join(', ')}]` : '';
}

/** "p < 0.01" for fixed-sample tests; "alpha 0.01" (ever flagged in the window) for sequential ones. */
function testLevel(r: Rule): string {
  return r.test.startsWith('sequential-')
    ? `alpha ${Number((r.alpha ?? 1 - r.confidence).toPrecision(3))}`
    : `p < ${Number((1 - r.confidence).toPrecision(3))}`;
}

function rank(file: RuleFile): number {
  return file.match ? (file.match.environment ? 2 : 1) : 0;
}

/** The report for a directory that loaded cleanly. */
export function describeRules(loaded: LoadedRules): string {
  // Most general first, the order in which they apply.
  const ordered = [...loaded.files].sort((a, b) => rank(a.file) - rank(b.file));
  const lines = ordered.flatMap((f) => describeFile(f.path, f.file));
  const ruleCount = loaded.files.reduce((n, f) => n + (f.file.rules?.length ?? 0), 0);
  lines.push(`ok: ${plural(loaded.files.length, 'file')}, ${plural(ruleCount, 'rule')} in ${loaded.dir}`);
  return lines.join('\n');
}

/**
 * Validates the rule directory `dir`. ok with a per-file report when it loads; otherwise not ok with
 * the RuleError message (every problem as file:line:column). `more` adds checks on a directory that loads (e.g. its
 * sources against a config). Other failures (e.g. permissions) throw.
 */
export async function checkRules(dir: string, more?: (loaded: LoadedRules) => string[]): Promise<{ ok: boolean; report: string }> {
  try {
    const loaded = await loadRules(dir);
    const problems = more?.(loaded) ?? [];
    if (problems.length > 0) return { ok: false, report: `rule files have ${plural(problems.length, 'problem')}:\n${problems.join('\n')}` };
    return { ok: true, report: describeRules(loaded) };
  } catch (err) {
    if (err instanceof RuleError) return { ok: false, report: err.message };
    throw err;
  }
}
