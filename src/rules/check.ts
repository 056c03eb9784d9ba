// `release-guard rules check [dir]`: validates a rule directory and says what each file contributes.
import { formatDuration } from './duration.js';
import { loadRules, RuleError, type LoadedRules } from './load.js';
import { whenText, type RuleFile } from './schema.js';

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
    const hold = r.for > 0 ? ` for ${formatDuration(r.for)}` : '';
    lines.push(`  ${r.severity}  ${r.name.padEnd(width)}  ${r.metric.padEnd(metricWidth)}  ${whenText(r.when)}${hold}`);
  }
  if (file.disable?.length) lines.push(`  disables: ${file.disable.join(', ')}`);
  if (hooks.length > 0) lines.push(`  rollback hooks: ${hooks.map((h) => `${h.name} (${h.type})`).join(', ')}`);
  return lines;
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
 * the RuleError message (every problem as file:line:column). Other failures (e.g. permissions) throw.
 */
export async function checkRules(dir: string): Promise<{ ok: boolean; report: string }> {
  try {
    return { ok: true, report: describeRules(await loadRules(dir)) };
  } catch (err) {
    if (err instanceof RuleError) return { ok: false, report: err.message };
    throw err;
  }
}
