// Loads a rule directory: every *.yaml / *.yml directly in it, validated, every problem located and reported at once.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { crossCheck, isDefaultName, type ParsedRuleFile } from './cross-checks.js';
import { RuleError, type RuleProblem } from './rule-error.js';
import { RuleFile } from './schema.js';
import { salvageRuleFile } from './salvage.js';
import { schemaProblems } from './schema-issues.js';
import { duplicateKeyProblems, syntaxProblems, type SourceFile } from './yaml-position.js';

export { RuleError } from './rule-error.js';
export type { RuleProblem } from './rule-error.js';

/** A validated rule directory: the files in name order, each parsed into its schema shape. */
import type { LoadedRules } from './resolve.js';

export type { LoadedRules };

const RULE_FILE = /\.ya?ml$/i;

/** A problem about the directory itself (no line to point at). */
function dirProblem(dir: string, message: string): RuleError {
  return new RuleError([{ file: dir, line: 0, column: 0, path: '', message }]);
}

/** The rule file names directly in `dir`, sorted; throws RuleError if the directory is missing or has none. */
async function ruleFileNames(dir: string): Promise<string[]> {
  const fix = `create ${join(dir, 'default.yaml')} (see the rules/ folder shipped with release-guard) or point --rules / RELEASE_GUARD_RULES_DIR at your rule directory`;
  let isDir = false;
  try {
    isDir = (await stat(dir)).isDirectory();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    throw dirProblem(dir, `rule directory does not exist; ${fix}`);
  }
  if (!isDir) throw dirProblem(dir, `is not a directory; the rules setting names a directory of *.yaml files; ${fix}`);
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries
    .filter((e) => e.isFile() && RULE_FILE.test(e.name))
    .map((e) => e.name)
    .sort();
  if (names.length === 0) throw dirProblem(dir, `rule directory has no *.yaml or *.yml files; ${fix}`);
  return names;
}

/**
 * Parses and validates one file: the parsed file, or its problems. A file that fails its schema also comes back
 * `salvaged`, its broken parts set aside (salvage.ts), so the cross-file checks still report the rest in the same pass.
 */
export function parseRuleFile(path: string, text: string): { parsed: ParsedRuleFile } | { problems: RuleProblem[]; salvaged?: ParsedRuleFile } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: false });
  const src: SourceFile = { path, doc, lines };
  const duplicates = duplicateKeyProblems(src);
  if (doc.errors.length > 0) return { problems: [...syntaxProblems(src), ...duplicates] };
  let input: unknown;
  try {
    input = doc.toJS() ?? {};
  } catch (err) {
    // An alias without its anchor (`*x`) or an alias bomb is well-formed YAML that cannot be read (found by fuzzing).
    const why = err instanceof Error ? err.message : String(err);
    return {
      problems: [
        {
          file: path,
          line: 1,
          column: 1,
          path: '',
          message: `cannot read this YAML: ${why}; define each anchor (&name) before its alias (*name), or drop the alias`,
        },
      ],
    };
  }
  // jitless: zod would compile a parser for each object schema with new Function, which pays off only over many
  // parses; a rule file is parsed once per load.
  const result = RuleFile.safeParse(input, { reportInput: true, jitless: true });
  if (result.success && duplicates.length === 0) return { parsed: { src, file: result.data } };
  if (result.success) return { problems: duplicates, salvaged: { src, file: result.data } };
  const outcome = salvageRuleFile(input, result.error.issues);
  const problems = [...duplicates, ...schemaProblems(src, outcome.issues, input)];
  return outcome.file ? { problems, salvaged: { src, file: outcome.file, salvage: outcome.salvage } } : { problems };
}

/** Problems with which default file exists: exactly one default.yaml (or .yml) is required. */
function defaultFileProblems(dir: string, names: string[]): RuleProblem[] {
  const defaults = names.filter(isDefaultName);
  if (defaults.length === 1) return [];
  const file = join(dir, 'default.yaml');
  const message =
    defaults.length === 0
      ? `missing: every rule directory needs a default.yaml with the rules for all services; create ${file} (copy the one shipped in release-guard's rules/ folder to start)`
      : `both default.yaml and default.yml exist; keep one default file`;
  return [{ file, line: 0, column: 0, path: '', message }];
}

/** File, then line, then column: the order an editor's problem list uses. */
function byPlace(a: RuleProblem, b: RuleProblem): number {
  return a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column;
}

/**
 * Reads every `*.yaml` / `*.yml` file directly in `dir` (not subfolders), sorted by name, and validates
 * each against the rule-file schema and the cross-file checks. Throws one RuleError listing every
 * problem with file:line:column when anything is wrong. `overrides` (file name → text) replaces or adds files in
 * memory only (the backtest's candidate rules); nothing is written.
 */
export async function loadRules(dir: string, overrides: ReadonlyMap<string, string> = new Map()): Promise<LoadedRules> {
  const names = [...new Set([...(await ruleFileNames(dir)), ...overrides.keys()])].sort();
  const problems: RuleProblem[] = defaultFileProblems(dir, names);
  const parsed: ParsedRuleFile[] = [];
  const salvaged: ParsedRuleFile[] = [];
  for (const name of names) {
    const path = join(dir, name);
    const outcome = parseRuleFile(path, overrides.get(name) ?? (await readFile(path, 'utf8')));
    if ('parsed' in outcome) parsed.push(outcome.parsed);
    else problems.push(...outcome.problems);
    if ('salvaged' in outcome && outcome.salvaged) salvaged.push(outcome.salvaged);
  }
  problems.push(...crossCheck([...parsed, ...salvaged], parsed.length + salvaged.length < names.length));
  if (problems.length > 0) throw new RuleError(problems.sort(byPlace));
  return { dir, files: parsed.map(({ src, file }) => ({ path: src.path, file })) };
}
