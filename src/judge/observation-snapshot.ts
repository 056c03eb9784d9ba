// What the incremental judge remembers of the observations it judged, to find the earliest time they changed since.
import type { BlindSpot, Observations, Point, SeriesSet } from './types.js';

/**
 * Fingerprints of what the judge read at a call (callers may reuse or grow their arrays in place), small enough to
 * keep for every watch of a daemon: per series, its history (points at or before the deploy's start) as one
 * fingerprint, since a change there re-judges every rule (src/judge/session.ts historyEnd is after the start), and
 * its later points as one fingerprint per interval (startedAt + k·interval, startedAt + (k+1)·interval]. A change is
 * then placed at the start of the first interval that differs: at or before the point that changed, so the steps
 * re-judged are those the change reaches and at most the ones of that interval before it (never fewer).
 * Each fingerprint is 52 bits of two independent 32-bit hashes of the points' bits (count included): two
 * different contents give the same fingerprint with a probability of about 2^-52.
 */
export interface ObservationSnapshot {
  startedAt: number;
  interval: number;
  series: Map<string, SeriesSnapshot>;
  blind: BlindSpot[];
  previousDeploys: number[];
}

interface SeriesSnapshot {
  history: number;
  /** One fingerprint per interval after the start (0: no point in it). */
  window: number[];
}

export function snapshotOf(obs: Observations, startedAt: number, interval: number): ObservationSnapshot {
  const series = new Map<string, SeriesSnapshot>();
  const add = (prefix: string, set: SeriesSet | undefined): void => {
    for (const [name, points] of Object.entries(set ?? {})) series.set(`${prefix}${name}`, seriesSnapshot(points, startedAt, interval));
  };
  add('deploy:', obs.series);
  add('control:', obs.control);
  return { startedAt, interval, series, blind: (obs.blind ?? []).map((b) => ({ ...b })), previousDeploys: [...(obs.previousDeploys ?? [])] };
}

function seriesSnapshot(points: readonly Point[], startedAt: number, interval: number): SeriesSnapshot {
  let n = 0;
  while (n < points.length && points[n]![0] <= startedAt) n++;
  const window: number[] = [];
  for (let i = n; i < points.length;) {
    const k = intervalOf(points[i]![0], startedAt, interval);
    const end = intervalStart(k + 1, startedAt, interval);
    let j = i;
    while (j < points.length && points[j]![0] <= end) j++;
    while (window.length < k) window.push(0);
    window.push(fingerprint(points, i, j));
    i = j;
  }
  // A copy of exactly its length: the array grew by pushes, with room to spare, and is kept until the next call.
  return { history: fingerprint(points, 0, n), window: window.slice() };
}

function intervalStart(k: number, startedAt: number, interval: number): number {
  return startedAt + k * interval;
}

/** The k whose interval (start of k, start of k + 1] holds t (t after startedAt), exact under rounding. */
function intervalOf(t: number, startedAt: number, interval: number): number {
  let k = Math.max(0, Math.ceil((t - startedAt) / interval) - 1);
  while (k > 0 && t <= intervalStart(k, startedAt, interval)) k--;
  while (t > intervalStart(k + 1, startedAt, interval)) k++;
  return k;
}

const bits = new Float64Array(1);
const words = new Uint32Array(bits.buffer);

/** 52 bits of FNV-1a and a multiply-rotate hash over the words of points[from..to), with their count; 0 for none. */
function fingerprint(points: readonly Point[], from: number, to: number): number {
  if (to <= from) return 0;
  let h1 = 0x811c9dc5 ^ (to - from);
  let h2 = 0x9747b28c ^ (to - from);
  for (let i = from; i < to; i++) {
    for (let j = 0; j < 2; j++) {
      bits[0] = points[i]![j]!;
      for (let w = 0; w < 2; w++) {
        h1 = Math.imul(h1 ^ words[w]!, 0x01000193);
        h2 = Math.imul(h2 ^ words[w]!, 0x5bd1e995);
        h2 = (h2 << 13) | (h2 >>> 19);
      }
    }
  }
  // Never 0, which stands for an interval without points.
  return (h1 >>> 6) * 2 ** 26 + (h2 >>> 6) || 1;
}

/** The smallest double above x (x positive and finite; x itself otherwise, which is also at or before any later time). */
function nextUp(x: number): number {
  if (!(x > 0) || !Number.isFinite(x)) return x;
  bits[0] = x;
  if (words[0] === 0xffffffff) {
    words[0] = 0;
    words[1]!++;
  } else {
    words[0]!++;
  }
  return bits[0];
}

/**
 * A time at or before the earliest series time at which two snapshots differ, and after every time at which they
 * agree up to the interval of that change (Infinity: the same; -Infinity: previous deploys or a series' history
 * changed, which re-judges every rule as a change at any time up to the deploy's start would).
 */
export function earliestChange(a: ObservationSnapshot, b: ObservationSnapshot): number {
  if (!sameData(a.previousDeploys, b.previousDeploys) || a.startedAt !== b.startedAt || a.interval !== b.interval) return -Infinity;
  let first = Infinity;
  for (const key of new Set([...a.series.keys(), ...b.series.keys()])) {
    const x = a.series.get(key);
    const y = b.series.get(key);
    if ((x?.history ?? 0) !== (y?.history ?? 0)) return -Infinity;
    const wx = x?.window ?? [];
    const wy = y?.window ?? [];
    for (let k = 0; k < Math.max(wx.length, wy.length) && k < first; k++) if ((wx[k] ?? 0) !== (wy[k] ?? 0)) first = k;
  }
  // Points in interval k are after its start: the next double after it is still at or before them.
  let p = first === Infinity ? Infinity : nextUp(intervalStart(first, a.startedAt, a.interval));
  const n = Math.min(a.blind.length, b.blind.length);
  let i = 0;
  while (i < n && sameData(a.blind[i], b.blind[i])) i++;
  // Blind spots need not be sorted by time: everything from the first difference on counts as changed.
  for (const spot of [...a.blind.slice(i), ...b.blind.slice(i)]) p = Math.min(p, spot.at);
  return p;
}

/** Deep equality of plain data (JSON-like values; numbers by Object.is). */
export function sameData(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && sameData((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
