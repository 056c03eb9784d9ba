// Reads recording files from disk: parse errors name the file and the JSON path (or line and column) at fault.
import { readFileSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { z } from 'zod';
import { jsonErrorOffset, lineColumn } from './json-position.js';
import type { BlindSpot, Deploy, Point, SeriesSet } from '../judge/types.js';
import { Recording, RECORDING_FORMAT } from './schema.js';

/** "series.error_rate[3]", "deploy.startedAt", or "(root)". */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_$][\w$]*$/.test(key)) out += out === '' ? key : `.${key}`;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out === '' ? '(root)' : out;
}

/** Validates parsed JSON as a recording; throws an Error naming `file` and the JSON path of every problem. */
export function parseRecording(json: unknown, file: string): Recording {
  const quick = quickParse(json);
  if (quick) return quick;
  const result = Recording.safeParse(json);
  if (result.success) return result.data;
  throw new Error(`${file}: ${describeIssues(result.error.issues)}`);
}

/**
 * The schema's answer for a well-formed recording, checked by plain loops instead of the schema (one transform per
 * point was most of replay's reading time, and zod on the small rest still cost more than JSON.parse); null for
 * anything else, which the full schema then parses to name every problem. test/recording/read.test.ts holds the
 * two equal.
 */
function quickParse(json: unknown): Recording | null {
  if (!isPlainObject(json)) return null;
  const raw = json as Record<string, unknown>;
  if (raw.format !== RECORDING_FORMAT) return null;
  const deploy = quickDeploy(raw.deploy);
  const series = quickSeries(raw.series);
  const control = raw.control === undefined ? undefined : quickSeries(raw.control);
  const blind = raw.blind === undefined ? undefined : quickBlind(raw.blind);
  if (deploy === null || series === null || control === null || blind === null) return null;
  return {
    format: RECORDING_FORMAT,
    deploy,
    series,
    ...(control !== undefined ? { control } : {}),
    ...(blind !== undefined && blind.length > 0 ? { blind } : {}),
  };
}

function isPlainObject(input: unknown): input is Record<string, unknown> {
  return typeof input === 'object' && input !== null && !Array.isArray(input);
}

const isText = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const isUnixSeconds = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v < 1e11;

/** RecordedDeploy for well-formed input (unknown keys dropped, keys in the schema's order), or null. */
function quickDeploy(input: unknown): Deploy | null {
  if (!isPlainObject(input)) return null;
  const { id, service, environment, version, previousVersion, commit, startedAt } = input;
  if (!isText(id) || !isText(service) || !isText(environment) || !isText(version) || !isUnixSeconds(startedAt)) return null;
  // Optional keys are kept only when present; one present as undefined (not JSON) is left to the schema.
  const has = (key: string): boolean => key in input;
  const nullableText = (v: unknown): boolean => v === null || typeof v === 'string';
  if ((has('previousVersion') && !nullableText(previousVersion)) || (has('commit') && !nullableText(commit))) return null;
  const labels = has('labels') ? quickStrings(input.labels) : undefined;
  const links = has('links') ? quickStrings(input.links) : undefined;
  if (labels === null || links === null) return null;
  return {
    id,
    service,
    environment,
    version,
    ...(has('previousVersion') ? { previousVersion: previousVersion as string | null } : {}),
    ...(has('commit') ? { commit: commit as string | null } : {}),
    startedAt,
    ...(labels ? { labels } : {}),
    ...(links ? { links } : {}),
  };
}

/** A record of strings, copied; null for anything else (and for a "__proto__" key, which the schema drops). */
function quickStrings(input: unknown): Record<string, string> | null {
  if (!isPlainObject(input)) return null;
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(input)) {
    if (typeof value !== 'string' || key === '__proto__') return null;
    out[key] = value;
  }
  return out;
}

/** Blind spots for well-formed input (extra keys dropped), or null. */
function quickBlind(input: unknown): BlindSpot[] | null {
  if (!Array.isArray(input)) return null;
  const spots: BlindSpot[] = [];
  for (const spot of input as unknown[]) {
    if (!isPlainObject(spot)) return null;
    const { metric, at, kind, message } = spot;
    if (!isText(metric) || !isUnixSeconds(at) || (kind !== 'error' && kind !== 'no-data') || typeof message !== 'string') return null;
    spots.push({ metric, at, kind, message });
  }
  return spots;
}

/** RecordedSeries for well-formed input (gaps dropped, points sorted by time), or null. */
function quickSeries(input: unknown): SeriesSet | null {
  if (!isPlainObject(input)) return null;
  const series: SeriesSet = {};
  for (const [metric, points] of Object.entries(input)) {
    if (!Array.isArray(points)) return null;
    let sorted = true;
    let gaps = 0;
    let last = -Infinity;
    for (let i = 0; i < points.length; i++) {
      // Indexing, not destructuring (an iterator per point), and the parsed [time, value] pair itself is kept.
      const p: unknown = points[i];
      if (!Array.isArray(p) || p.length !== 2) return null;
      const t: unknown = p[0];
      const v: unknown = p[1];
      if (typeof t !== 'number' || !(t < 1e11) || (v !== null && typeof v !== 'number')) return null;
      if (v === null) {
        gaps++;
        continue;
      }
      if (!(last <= t)) sorted = false;
      last = t;
    }
    // Recordings are written in time order and mostly without gaps: the parsed array itself then (nothing else holds
    // it); a copy without the gaps otherwise, sorted (stably) only when it is not in order.
    const kept = gaps === 0 ? (points as Point[]) : (points as Array<[number, number | null]>).filter((p): p is Point => p[1] !== null);
    series[metric] = sorted ? kept : kept.sort((a, b) => a[0] - b[0]);
  }
  return series;
}

function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  const shown = issues.slice(0, 5).map((i) => `${formatPath(i.path)}: ${i.message}`);
  if (issues.length > shown.length) shown.push(`and ${issues.length - shown.length} more problem(s)`);
  return shown.join('; ');
}

/** Parses recording text; JSON syntax errors name the file, line and column. */
export function parseRecordingText(text: string, file: string): Recording {
  const body = text.replace(/^\uFEFF/, '');
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (e) {
    const offset = jsonErrorOffset(body) ?? 0;
    const { line, column } = lineColumn(body, offset);
    const detail = e instanceof Error ? e.message : String(e);
    throw new Error(`${file}: invalid JSON at line ${line}, column ${column} (position ${offset}): ${detail}`, { cause: e });
  }
  return parseRecording(json, file);
}

/** Reads and validates one recording file. Throws an Error naming the file and what is wrong where. */
export async function readRecording(path: string): Promise<Recording> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw cannotRead(path, e);
  }
  return parseRecordingText(text, path);
}

/**
 * readRecording in one blocking call, for `replay` and its worker threads, which have nothing else to do meanwhile
 * (fs/promises' open, stat, read and close hops cost more than the read itself on a small file).
 */
export function readRecordingSync(path: string): Recording {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw cannotRead(path, e);
  }
  return parseRecordingText(text, path);
}

function cannotRead(path: string, e: unknown): Error {
  const detail = e instanceof Error ? e.message : String(e);
  return new Error(`${path}: cannot read recording: ${detail}`, { cause: e });
}

/**
 * Recording files for command-line paths, in order: a file as given, a directory as its *.json files sorted
 * by name (not recursive). A path that does not exist is kept as given, so reading it reports the problem.
 */
export async function listRecordingFiles(paths: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    const info = await stat(path).catch(() => null);
    if (info?.isDirectory()) {
      const entries = await readdir(path, { withFileTypes: true });
      const names = entries
        .filter((e) => !e.isDirectory() && e.name.endsWith('.json'))
        .map((e) => e.name)
        .sort();
      files.push(...names.map((n) => join(path, n)));
    } else {
      files.push(path);
    }
  }
  return files;
}
