// Reads recording files from disk: parse errors name the file and the JSON path (or line and column) at fault.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { z } from 'zod';
import { jsonErrorOffset, lineColumn } from './json-position.js';
import type { Point, SeriesSet } from '../judge/types.js';
import { Recording } from './schema.js';

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
 * The schema's answer for a well-formed recording, with the series checked by a plain loop instead of one schema
 * transform per point (most of replay's reading time); null for anything else, which the full schema then
 * parses to name every problem.
 */
function quickParse(json: unknown): Recording | null {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return null;
  const raw = json as Record<string, unknown>;
  const series = quickSeries(raw.series);
  const control = raw.control === undefined ? undefined : quickSeries(raw.control);
  if (series === null || control === null) return null;
  // Everything but the series through the schema itself (cheap: a deploy and a few blind spots).
  const rest = Recording.safeParse({ ...raw, series: {}, ...(raw.control !== undefined ? { control: {} } : {}) });
  if (!rest.success) return null;
  return { ...rest.data, series, ...(control !== undefined ? { control } : {}) };
}

/** RecordedSeries for well-formed input (gaps dropped, points sorted by time), or null. */
function quickSeries(input: unknown): SeriesSet | null {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return null;
  const series: SeriesSet = {};
  for (const [metric, points] of Object.entries(input)) {
    if (!Array.isArray(points)) return null;
    const kept: Point[] = [];
    for (const p of points as unknown[]) {
      if (!Array.isArray(p) || p.length !== 2) return null;
      const [t, v] = p as unknown[];
      if (typeof t !== 'number' || !(t < 1e11) || (v !== null && typeof v !== 'number')) return null;
      if (v !== null) kept.push([t, v]);
    }
    series[metric] = kept.sort((a, b) => a[0] - b[0]);
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
    const detail = e instanceof Error ? e.message : String(e);
    throw new Error(`${path}: cannot read recording: ${detail}`, { cause: e });
  }
  return parseRecordingText(text, path);
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
