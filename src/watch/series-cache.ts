// A watch's observations kept in memory between ticks, as the store keeps them (first seen wins, time order), in
// compact form: two number arrays per series instead of an array per point, so 10,000 watches fit in little memory.
import type { BlindSpot, Point, SeriesSet } from '../judge/types.js';
import type { Observations, SampleBatch } from '../store/records.js';

/**
 * One series: times ascending and their values; a time already held keeps its first value. Plain number arrays,
 * not Float64Arrays: for the ~100 points of a watch they take half the memory (no buffer behind each array).
 * The arrays are never changed in place, only replaced, so series sampled at the same times share one times array.
 */
class CompactSeries {
  t: readonly number[] = [];
  private v: number[] = [];

  add(points: readonly Point[]): void {
    // A time already held, or seen earlier in the batch, keeps its first value.
    const seen = new Set<number>();
    const fresh = points.filter(([t]) => !seen.has(t) && (seen.add(t), !this.holds(t))).sort((a, b) => a[0] - b[0]);
    if (fresh.length === 0) return;
    // New arrays of exactly the new length (a tick's batch usually only appends): pushing one by one leaves up to half
    // again as much room, kept for the watch's whole window.
    if (this.t.length === 0 || fresh[0]![0] > this.t[this.t.length - 1]!) {
      this.t = this.t.concat(fresh.map((p) => p[0]));
      this.v = this.v.concat(fresh.map((p) => p[1]));
      return;
    }
    const t: number[] = [];
    const v: number[] = [];
    for (let i = 0, j = 0; i < this.t.length || j < fresh.length;) {
      if (j === fresh.length || (i < this.t.length && this.t[i]! < fresh[j]![0])) {
        t.push(this.t[i]!);
        v.push(this.v[i++]!);
      } else {
        t.push(fresh[j]![0]);
        v.push(fresh[j++]![1]);
      }
    }
    this.t = t.slice();
    this.v = v.slice();
  }

  private holds(t: number): boolean {
    let lo = 0;
    let hi = this.t.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.t[mid]! < t) lo = mid + 1;
      else hi = mid;
    }
    return lo < this.t.length && this.t[lo] === t;
  }

  points(): Point[] {
    const n = this.t.length;
    const out: Point[] = new Array<Point>(n);
    for (let i = 0; i < n; i++) out[i] = [this.t[i]!, this.v[i]!];
    return out;
  }
}

/** Everything stored for one deploy: deploy and control series by metric, and blind spots. */
export class SeriesCache {
  private readonly series = new Map<string, CompactSeries>();
  private readonly control = new Map<string, CompactSeries>();
  private readonly blind = new Map<string, BlindSpot>();

  /** The cache of what the store holds (after a restart or when a replica takes the watch over). */
  static of(obs: Observations): SeriesCache {
    const cache = new SeriesCache();
    for (const [metric, points] of Object.entries(obs.series)) cache.add([{ scope: 'deploy', metric, points }], []);
    for (const [metric, points] of Object.entries(obs.control)) cache.add([{ scope: 'control', metric, points }], []);
    cache.add([], obs.blind);
    return cache;
  }

  /** Adds what a tick recorded, by the store's rule: a point or blind spot already held is kept as first seen. */
  add(batches: readonly SampleBatch[], blind: readonly BlindSpot[]): void {
    for (const { scope, metric, points } of batches) {
      if (points.length === 0) continue;
      const set = scope === 'control' ? this.control : this.series;
      let s = set.get(metric);
      if (!s) set.set(metric, (s = new CompactSeries()));
      s.add(points);
    }
    if (batches.length > 0) shareTimes([...this.series.values(), ...this.control.values()]);
    for (const b of blind) {
      const key = `${b.metric}\u0000${b.at}`;
      if (!this.blind.has(key)) this.blind.set(key, { metric: b.metric, at: b.at, kind: b.kind, message: b.message });
    }
  }

  /** The observations as `ObservationStore.observations` answers them: metrics by name, blind spots by time then metric. */
  observations(): Observations {
    const blind = [...this.blind.values()].sort((a, b) => a.at - b.at || (a.metric < b.metric ? -1 : a.metric > b.metric ? 1 : 0));
    return { series: materialize(this.series), control: materialize(this.control), blind };
  }
}

function materialize(set: Map<string, CompactSeries>): SeriesSet {
  const out: SeriesSet = {};
  for (const metric of [...set.keys()].sort()) out[metric] = set.get(metric)!.points();
  return out;
}

/** Points the series with equal times at one array of them (a source answers a tick's queries on one grid). */
function shareTimes(all: readonly CompactSeries[]): void {
  const kept: Array<readonly number[]> = [];
  for (const s of all) {
    const same = kept.find((t) => t === s.t || (t.length === s.t.length && t.every((x, i) => Object.is(x, s.t[i]))));
    if (same) s.t = same;
    else kept.push(s.t);
  }
}
