// Turns zod issues from validating a rule file into located problems that say how to fix them.
import type { z } from 'zod';
import { formatPath, type RuleProblem } from './rule-error.js';
import { RuleFile } from './schema.js';
import { keyPosition, problemAt, type SourceFile } from './yaml-position.js';

type Issue = z.core.$ZodIssue;
type Path = ReadonlyArray<PropertyKey>;

/** Located, readable problems for every issue zod raised on `src` (validated with `reportInput`). */
export function schemaProblems(src: SourceFile, issues: readonly Issue[], input: unknown, prefix: Path = []): RuleProblem[] {
  return issues.flatMap((issue) => issueProblems(src, issue, input, [...prefix, ...issue.path]));
}

function issueProblems(src: SourceFile, issue: Issue, input: unknown, path: Path): RuleProblem[] {
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => unknownKey(src, path, key, input));
    case 'invalid_union':
      return unionProblems(src, issue, input, path);
    case 'invalid_type':
      if (issue.input === undefined) return [problemAt(src, path, `required but missing; add ${String(path.at(-1))}:`)];
      return [problemAt(src, path, `expected ${issue.expected}, got ${show(issue.input)}`)];
    case 'invalid_format':
      if (issue.format === 'url')
        return [problemAt(src, path, `${show(issue.input)} is not a URL; write a full one, e.g. https://deployer.example.com/rollback`)];
      return [problemAt(src, path, `${show(issue.input)}: ${issue.message}`)];
    case 'invalid_value':
      return [problemAt(src, path, `${show(issue.input)} is not allowed; use one of ${issue.values.map(String).join(', ')}`)];
    default:
      return [problemAt(src, path, issue.message.replace(/^Invalid input: /, ''))];
  }
}

function unknownKey(src: SourceFile, path: Path, key: string, input: unknown): RuleProblem {
  const allowed = allowedKeys(RuleFile, path, input);
  const near = allowed.find((k) => closeTo(k, key));
  const hint = near ? ` (did you mean "${near}"?)` : '';
  return {
    file: src.path,
    ...keyPosition(src, path, key),
    path: formatPath([...path, key]),
    message: `unknown key "${key}"${hint}; allowed keys here: ${allowed.join(', ')}`,
  };
}

/** Issues that say "this branch is the wrong shape" rather than "the right shape with a bad value". */
function isShapeMismatch(issue: Issue): boolean {
  if (issue.code === 'unrecognized_keys') return true;
  return issue.code === 'invalid_type' && (issue.path.length === 0 || issue.input === undefined);
}

function unionProblems(src: SourceFile, issue: Extract<Issue, { code: 'invalid_union' }>, input: unknown, path: Path): RuleProblem[] {
  if (issue.errors.length === 0) {
    // A discriminated union (hooks) whose `type` matched no option.
    const options = ((issue as { options?: unknown[] }).options ?? []).map(String).join(', ');
    const got = valueAt(input, path);
    const what = got === undefined ? 'required but missing' : `${show(got)} is not one of them`;
    return [problemAt(src, path, `must be one of ${options}; ${what}`)];
  }
  const scored = issue.errors.map((branch) => ({ branch, misses: branch.filter(isShapeMismatch).length }));
  const best = scored.reduce((a, b) => (b.misses < a.misses || (b.misses === a.misses && b.branch.length < a.branch.length) ? b : a));
  if (best.misses === 0) return schemaProblems(src, best.branch, input, path);
  const hint =
    path.at(-1) === 'when' ? 'write one condition ("value > 0.01"), or all: [conditions], or any: [conditions]' : 'it matches none of the allowed forms';
  return [problemAt(src, path, `${show(valueAt(input, path))} is not valid here; ${hint}`)];
}

function valueAt(input: unknown, path: Path): unknown {
  let v = input;
  for (const seg of path) v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[seg] : undefined;
  return v;
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Whether `b` looks like a misspelling of `a` (the did-you-mean test). */
export function closeTo(a: string, b: string): boolean {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  const budget = Math.min(2, Math.floor(Math.min(x.length, y.length) / 3));
  return (Math.min(x.length, y.length) >= 3 && (x.startsWith(y) || y.startsWith(x))) || editDistance(x, y) <= budget;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length]!;
}

// --- the keys a schema allows at a path, read from the schema itself so the message never drifts ---

interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  in?: z.ZodType;
  element?: z.ZodType;
  valueType?: z.ZodType;
  keyType?: z.ZodType;
  entries?: Record<string, string>;
  options?: z.ZodType[];
}

const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;
const WRAPPERS = new Set(['optional', 'default', 'prefault', 'nullable', 'readonly', 'nonoptional', 'pipe']);

function unwrap(s: z.ZodType): z.ZodType {
  let cur = s;
  for (let def = defOf(cur); WRAPPERS.has(def.type); def = defOf(cur)) cur = (def.innerType ?? def.in)!;
  return cur;
}

/** Object options of a union that fit `input`; for hooks, the one whose `type` literal matches. */
function objectOptions(s: z.ZodType, input: unknown): Array<Record<string, z.ZodType>> {
  const def = defOf(unwrap(s));
  if (def.type === 'object') return [def.shape!];
  if (def.type !== 'union') return [];
  const shapes = def.options!.flatMap((o) => objectOptions(o, input));
  const type = (input as { type?: unknown } | null)?.type;
  const typed = shapes.filter((sh) => sh.type && ((defOf(sh.type) as { values?: unknown[] }).values ?? []).includes(type));
  return typed.length > 0 ? typed : shapes;
}

/** Keys allowed in the object at `path` of a value validated by `schema`. */
export function allowedKeys(schema: z.ZodType, path: Path, input: unknown): string[] {
  let s: z.ZodType | undefined = schema;
  let value = input;
  for (const seg of path) {
    if (!s) return [];
    const def = defOf(unwrap(s));
    if (def.type === 'array') s = def.element;
    else if (def.type === 'record') s = def.valueType;
    else s = objectOptions(s, value).find((sh) => String(seg) in sh)?.[String(seg)];
    value = valueAt(value, [seg]);
  }
  if (!s) return [];
  const def = defOf(unwrap(s));
  if (def.type === 'record') return Object.values(defOf(def.keyType!).entries ?? {}); // e.g. severities: P0..P3
  return [...new Set(objectOptions(s, value).flatMap((sh) => Object.keys(sh)))];
}
