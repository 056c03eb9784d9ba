// What the incremental judge remembers of the observations it judged, to find the earliest time they changed since.
import type { BlindSpot, Observations, Point } from './types.js';

/**
 * Fingerprints of what the judge read at a call (callers may reuse or grow their arrays in place), small enough to
 * keep for every watch of a daemon: one of every series' history (points at or before the deploy's start), since a
 * change there re-judges every rule (src/judge/session.ts historyEnd is after the start), and one per interval
 * (startedAt + k·interval, startedAt + (k+1)·interval] of every series' points in it. A change is then placed at the
 * start of the first interval that differs: at or before the point that changed, so the steps re-judged are those
 * the change reaches and at most the ones of that interval before it (never fewer).
 * Each fingerprint is 52 bits of two independent 32-bit hashes of the series' names, point counts and the points'
 * bits: two different contents give the same fingerprint with a probability of about 2^-52.
 */
export interface ObservationSnapshot {
  startedAt: number;
  interval: number;
  history: number;
  /** One fingerprint per interval after the start (0: no point of any series in it). */
  window: number[];
  blind: BlindSpot[];
  previousDeploys: number[];
}

export function snapshotOf(obs: Observations, startedAt: number, interval: number): ObservationSnapshot {
  const history = new Hash();
  const window: Hash[] = [];
  for (const [prefix, set] of [
    ['deploy:', obs.series],
    ['control:', obs.control ?? {}],
  ] as const) {
    // Sorted: the same series given in another order are the same observations.
    for (const name of Object.keys(set).sort()) {
      const points = set[name]!;
      const key = stringHash(`${prefix}${name}`);
      let n = 0;
      while (n < points.length && points[n]![0] <= startedAt) n++;
      if (n > 0) history.points(key, points, 0, n);
      for (let i = n; i < points.length;) {
        const k = intervalOf(points[i]![0], startedAt, interval);
        const end = intervalStart(k + 1, startedAt, interval);
        let j = i;
        while (j < points.length && points[j]![0] <= end) j++;
        while (window.length <= k) window.push(new Hash());
        window[k]!.points(key, points, i, j);
        i = j;
      }
    }
  }
  return {
    startedAt,
    interval,
    history: history.value(),
    window: window.map((h) => h.value()),
    blind: (obs.blind ?? []).map((b) => ({ ...b })),
    previousDeploys: [...(obs.previousDeploys ?? [])],
  };
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

/** FNV-1a and a multiply-rotate hash side by side over 32-bit words; 52 bits of both, 0 for nothing hashed. */
class Hash {
  private h1 = 0x811c9dc5;
  private h2 = 0x9747b28c;
  private empty = true;

  /** Adds series `key`'s points[from..to): the key, their count, then each time and value. */
  points(key: number, points: readonly Point[], from: number, to: number): void {
    this.empty = false;
    this.word(key);
    this.word(to - from);
    // word() inlined over the four 32-bit words of each point, the state in locals: every tick hashes every point.
    let h1 = this.h1;
    let h2 = this.h2;
    for (let i = from; i < to; i++) {
      const p = points[i]!;
      for (let j = 0; j < 2; j++) {
        bits[0] = p[j]!;
        const lo = words[0]!;
        const hi = words[1]!;
        h1 = Math.imul(h1 ^ lo, 0x01000193);
        h2 = Math.imul(h2 ^ lo, 0x5bd1e995);
        h2 = (h2 << 13) | (h2 >>> 19);
        h1 = Math.imul(h1 ^ hi, 0x01000193);
        h2 = Math.imul(h2 ^ hi, 0x5bd1e995);
        h2 = (h2 << 13) | (h2 >>> 19);
      }
    }
    this.h1 = h1;
    this.h2 = h2;
  }

  value(): number {
    // Never 0 once something was hashed: 0 stands for an interval without points.
    return this.empty ? 0 : (this.h1 >>> 6) * 2 ** 26 + (this.h2 >>> 6) || 1;
  }

  private word(w: number): void {
    this.h1 = Math.imul(this.h1 ^ w, 0x01000193);
    const h2 = Math.imul(this.h2 ^ w, 0x5bd1e995);
    this.h2 = (h2 << 13) | (h2 >>> 19);
  }
}

function stringHash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
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
  if (!sameData(a.previousDeploys, b.previousDeploys) || a.startedAt !== b.startedAt || a.interval !== b.interval || a.history !== b.history) return -Infinity;
  let first = Infinity;
  for (let k = 0; k < Math.max(a.window.length, b.window.length); k++) {
    if ((a.window[k] ?? 0) !== (b.window[k] ?? 0)) {
      first = k;
      break;
    }
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
