// A rule file that fails its schema, with its broken parts set aside, so every other check still runs in the same pass.
import type { z } from 'zod';
import { formatPath } from './rule-error.js';
import { RuleFile } from './schema.js';
import { closeTo } from './schema-issues.js';

type Issue = z.core.$ZodIssue;
type Path = ReadonlyArray<PropertyKey>;

/** The lists whose elements are set aside one by one (the rest of the list still counts). */
const LISTS = { rules: ['rules'], disable: ['disable'], hooks: ['hooks', 'rollback'] } as const;
type List = keyof typeof LISTS;

/** Records keyed by a name: a broken entry is set aside alone. */
const RECORDS = new Set(['metrics', 'severities', 'queries']);

/** What was set aside from a file that failed its schema, so later checks neither miss nor repeat a problem. */
export interface Salvage {
  /** The index as written of each element kept in file.rules, file.disable and file.hooks.rollback. */
  index: Record<List, number[]>;
  /** Rules set aside, with what they name where that much is readable. */
  droppedRules: Array<{ index: number; name?: string; metric?: string; per?: string }>;
  /** Metric names whose declaration was set aside: still declared, so a rule using one is not "unknown". */
  droppedMetrics: string[];
  /** Top-level keys set aside whole (e.g. a broken match, rules that is not a list): checks needing them are skipped. */
  lostKeys: string[];
  /** Document paths ("rules[2].metric") the schema reported, so a later check does not report them again. */
  reported: Set<string>;
}

export type SalvageOutcome = { issues: Issue[]; file: RuleFile; salvage: Salvage } | { issues: Issue[]; file: null };

/** Rounds of set-aside and re-validate: a round can reveal checks the schema only runs on a well-formed object. */
const MAX_ROUNDS = 5;

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The value at `path` of `root`, or undefined. */
function valueAt(root: unknown, path: Path): unknown {
  let v = root;
  for (const seg of path) v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[seg] : undefined;
  return v;
}

/** Which list element (as written) an issue path falls in, if any. */
function listElement(path: Path): { list: List; index: number } | null {
  for (const [list, prefix] of Object.entries(LISTS) as Array<[List, readonly string[]]>) {
    const index = path[prefix.length];
    if (prefix.every((seg, i) => path[i] === seg) && typeof index === 'number') return { list, index };
  }
  return null;
}

/**
 * Validates `input` (a rule file as read, which failed with `first`) again and again with each broken part set aside:
 * a bad list element alone, a bad metrics/severities/queries entry alone, an unknown key alone, otherwise its whole
 * top-level key. Answers every issue found (paths as written) and, when the rest validates, the file that remains.
 */
export function salvageRuleFile(input: unknown, first: readonly Issue[]): SalvageOutcome {
  if (!isRecord(input)) return { issues: [...first], file: null };
  const work = structuredClone(input);
  const kept: Record<List, number[]> = { rules: [], disable: [], hooks: [] };
  for (const list of Object.keys(LISTS) as List[]) {
    const value = valueAt(input, LISTS[list]);
    kept[list] = Array.isArray(value) ? value.map((_, i) => i) : [];
  }
  const salvage: Salvage = { index: kept, droppedRules: [], droppedMetrics: [], lostKeys: [], reported: new Set() };
  const issues: Issue[] = [];
  const seen = new Set<string>();
  // Unknown keys set aside, by the object holding them: a required key that one was meant to be ("servce" for service)
  // is then missing, and that is the same mistake, already reported with its did-you-mean.
  const unknownKeys = new Map<string, string[]>();
  const echo = (issue: Issue): boolean => {
    if (issue.code !== 'invalid_type' || issue.input !== undefined) return false;
    const missing = String(issue.path.at(-1));
    return (unknownKeys.get(formatPath(issue.path.slice(0, -1))) ?? []).some((k) => closeTo(missing, k));
  };
  let round: readonly Issue[] = first;
  for (let n = 0; n < MAX_ROUNDS; n++) {
    let progress = false;
    for (const issue of round) {
      if (issue.code === 'unrecognized_keys') {
        const holder = formatPath(asWritten(issue.path, kept));
        unknownKeys.set(holder, [...(unknownKeys.get(holder) ?? []), ...issue.keys]);
      }
    }
    for (const raw of round) {
      const issue = { ...raw, path: asWritten(raw.path, kept) } as Issue;
      const key = `${formatPath(issue.path)}\u0000${issue.code}\u0000${issue.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      if (!echo(issue)) issues.push(issue);
      salvage.reported.add(formatPath(issue.path));
      if (setAside(work, input, issue, salvage)) progress = true;
      else return { issues, file: null };
    }
    if (!progress) return { issues, file: null };
    const result = RuleFile.safeParse(candidate(work, kept), { reportInput: true, jitless: true });
    if (result.success) return { issues, file: result.data, salvage };
    round = result.error.issues;
  }
  return { issues, file: null };
}

/** An issue path of the candidate (lists filtered) rewritten to the indices as written. */
function asWritten(path: Path, kept: Record<List, number[]>): PropertyKey[] {
  const out = [...path];
  const at = listElement(out);
  if (at) out[LISTS[at.list].length] = kept[at.list][at.index] ?? at.index;
  return out;
}

/** The work copy with set-aside list elements removed. */
function candidate(work: Record<string, unknown>, kept: Record<List, number[]>): Record<string, unknown> {
  const out = structuredClone(work);
  for (const list of Object.keys(LISTS) as List[]) {
    const path = LISTS[list];
    const parent = valueAt(out, path.slice(0, -1)) as Record<string, unknown> | undefined;
    const value = parent?.[path.at(-1)!];
    if (Array.isArray(value)) parent![path.at(-1)!] = kept[list].map((i) => value[i]);
  }
  return out;
}

/** Sets aside the part of `work` that `issue` (path as written) is about; false when nothing can be set aside. */
function setAside(work: Record<string, unknown>, input: Record<string, unknown>, issue: Issue, salvage: Salvage): boolean {
  if (issue.code === 'unrecognized_keys') {
    const holder = valueAt(work, issue.path);
    if (!isRecord(holder)) return false;
    for (const key of issue.keys) delete holder[key];
    return true;
  }
  const path = issue.path;
  const element = listElement(path);
  if (element) {
    const list = salvage.index[element.list];
    const at = list.indexOf(element.index);
    if (at < 0) return true; // already set aside for another issue
    list.splice(at, 1);
    if (element.list === 'rules') salvage.droppedRules.push({ index: element.index, ...namesOf(valueAt(input, ['rules', element.index])) });
    return true;
  }
  const [top, entry] = path;
  if (typeof top !== 'string') return false;
  if (RECORDS.has(top) && entry !== undefined) {
    const record = work[top];
    if (isRecord(record)) delete record[String(entry)];
    if (top === 'metrics') salvage.droppedMetrics.push(String(entry));
    return true;
  }
  delete work[top];
  salvage.lostKeys.push(top);
  return true;
}

/** What a set-aside rule names, where those fields are strings. */
function namesOf(rule: unknown): { name?: string; metric?: string; per?: string } {
  if (!isRecord(rule)) return {};
  const out: { name?: string; metric?: string; per?: string } = {};
  for (const key of ['name', 'metric', 'per'] as const) {
    const v = rule[key];
    if (typeof v === 'string' && v.length > 0) out[key] = v;
  }
  return out;
}
