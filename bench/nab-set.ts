// The real-noise set: recordings (DESIGN §3) built from the Numenta Anomaly Benchmark's real series.
// Data: numenta/NAB (commit ea702d7), MIT licence, Copyright Numenta Inc.; see ../shared/data/nab/README.md.
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Point, Recording } from '../src/judge/types.js';

/** What the benchmark knows about a recording that the judge does not. */
export interface NabLabel {
  id: string;
  file: string;
  kind: 'healthy' | 'bad';
  /** Series time of the labelled anomaly (bad only). */
  onset: number | null;
  interval: number;
}

export interface NabCase {
  label: NabLabel;
  recording: Recording;
}

export interface NabOptions {
  /** Monitoring window and baseline span, in data points (at the series' own resolution). */
  windowPoints: number;
  baselinePoints: number;
  /** History kept before the baseline (for seasonal baselines), seconds. */
  seasonalHistory: number;
  /** Healthy deploys: one candidate every `healthyEvery` seconds, kept only far from every anomaly window. */
  healthyEvery: number;
}

export const NAB_OPTIONS: NabOptions = { windowPoints: 24, baselinePoints: 48, seasonalHistory: 3 * 86_400, healthyEvery: 12 * 3600 };

/** The NAB folder: $NAB_DIR, else ../shared/data/nab from the repository (or from its worktree parent). */
export function nabDir(root: string): string | null {
  const candidates = [process.env.NAB_DIR, resolve(root, '../shared/data/nab'), resolve(root, '../../shared/data/nab')];
  return candidates.find((c): c is string => c !== undefined && existsSync(join(c, 'labels', 'combined_labels.json'))) ?? null;
}

const parseTime = (text: string): number => Date.parse(`${text.trim().replace(' ', 'T')}Z`) / 1000;

async function readSeries(path: string): Promise<Point[]> {
  const lines = (await readFile(path, 'utf8')).trim().split('\n').slice(1);
  const points = lines.map((l): Point => {
    const [t, v] = l.split(',');
    return [parseTime(t!), Number(v)];
  });
  return points.filter(([t, v]) => Number.isFinite(t) && Number.isFinite(v)).sort((a, b) => a[0] - b[0]);
}

function medianGap(points: readonly Point[]): number {
  const gaps = points
    .slice(1)
    .map((p, i) => p[0] - points[i]![0])
    .sort((a, b) => a - b);
  return gaps[gaps.length >> 1] ?? 300;
}

/**
 * Every case of the set, in a fixed order: per series, a bad deploy starting one interval before each labelled
 * anomaly (the anomalous point is the window's first), and healthy deploys every `healthyEvery` seconds whose
 * baseline, window and a margin of one window on either side stay clear of every NAB anomaly window. The series
 * is the KPI `kpi` (direction unknown: `either`) at the data's own resolution.
 */
export async function buildNabSet(dir: string, opts: NabOptions = NAB_OPTIONS): Promise<NabCase[]> {
  const labels = JSON.parse(await readFile(join(dir, 'labels', 'combined_labels.json'), 'utf8')) as Record<string, string[]>;
  const windows = JSON.parse(await readFile(join(dir, 'labels', 'combined_windows.json'), 'utf8')) as Record<string, string[][]>;
  const out: NabCase[] = [];
  const groups = (await readdir(join(dir, 'data'))).sort();
  for (const group of groups) {
    for (const name of (await readdir(join(dir, 'data', group))).filter((f) => f.endsWith('.csv')).sort()) {
      const file = `${group}/${name}`;
      const points = await readSeries(join(dir, 'data', group, name));
      if (points.length < opts.windowPoints + opts.baselinePoints + 10) continue;
      const interval = medianGap(points);
      const window = opts.windowPoints * interval;
      const baseline = opts.baselinePoints * interval;
      const first = points[0]![0];
      const last = points.at(-1)![0];
      const caseFor = (id: string, kind: 'healthy' | 'bad', startedAt: number, onset: number | null): NabCase => ({
        label: { id, file, kind, onset, interval },
        recording: {
          format: 'release-guard/recording@1',
          deploy: { id, service: file.replace(/[^a-zA-Z0-9]+/g, '-'), environment: 'nab', version: 'v2', startedAt },
          series: { kpi: points.filter(([t]) => t >= startedAt - baseline - opts.seasonalHistory && t <= startedAt + window) },
        },
      });
      (labels[file] ?? []).map(parseTime).forEach((a, i) => {
        const startedAt = a - interval;
        if (startedAt - baseline >= first && startedAt + window <= last) out.push(caseFor(`${file}#bad-${i + 1}`, 'bad', startedAt, a));
      });
      const spans = (windows[file] ?? []).map(([lo, hi]) => [parseTime(lo!), parseTime(hi!)] as const);
      let n = 0;
      for (let t = first + baseline + window; t + 2 * window <= last; t += opts.healthyEvery) {
        const startedAt = points[firstIndexAtOrAfter(points, t)]![0];
        const clear = spans.every(([lo, hi]) => startedAt + 2 * window < lo || startedAt - baseline - window > hi);
        if (clear) out.push(caseFor(`${file}#healthy-${++n}`, 'healthy', startedAt, null));
      }
    }
  }
  return out;
}

function firstIndexAtOrAfter(points: readonly Point[], t: number): number {
  let lo = 0;
  let hi = points.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (points[mid]![0] < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
