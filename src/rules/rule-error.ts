// The one error a rule directory can fail with: every problem found, each with file:line:column.

/** One thing wrong in a rule file, located so an editor can jump to it. */
export interface RuleProblem {
  /** The file as given (relative to the working directory when the directory was given that way). */
  file: string;
  /** 1-based; 0 when the problem concerns the whole file or directory (e.g. a missing default.yaml). */
  line: number;
  /** 1-based; 0 together with line 0. */
  column: number;
  /** Where in the document, e.g. "rules[2].when"; "" for the document itself. */
  path: string;
  /** What is wrong and how to fix it. */
  message: string;
}

/** "rules/checkout.yaml:12:9: rules[2].when: ..." — the form compilers use, so terminals link it. */
export function formatProblem(p: RuleProblem): string {
  const where = p.line > 0 ? `${p.file}:${p.line}:${p.column}` : p.file;
  return `${where}: ${p.path ? `${p.path}: ` : ''}${p.message}`;
}

/** Thrown by loadRules when any rule file is invalid; `problems` lists all of them, not just the first. */
export class RuleError extends Error {
  readonly problems: RuleProblem[];

  constructor(problems: RuleProblem[]) {
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    super(`rule files have ${count}:\n${problems.map(formatProblem).join('\n')}`);
    this.name = 'RuleError';
    this.problems = problems;
  }
}

/** "rules", 2, "when" → "rules[2].when". */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? String(seg) : `.${String(seg)}`;
  }
  return out;
}
