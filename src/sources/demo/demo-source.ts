// The demo MetricSource: deterministic simulated series for any deploy, scripted by the deploy's `demo` label.
import type { Point } from '../../judge/types.js';
import type { MetricQuery, MetricSource, QueryResult } from '../types.js';
import { applyBehaviour, behaviourOf, DEMO_ROLLBACK_LABEL, isSimulatedOutage } from './behaviours.js';
import { healthyValue, isDemoMetric, pointKey, roundFor, serviceProfile } from './healthy.js';
import { fnv, FNV_OFFSET, fnvNumber, noiseOf } from './noise.js';
import type { DemoConfig } from './schema.js';

/** Refuse ranges that would need more points than this; a real source would refuse them too. */
const MAX_POINTS = 100_000;

/**
 * Series time → value is a pure function of (seed, deploy.id, scope, metric, t): the same query always
 * returns the same points, across instances and restarts. Any time range is served; the watcher decides
 * how far "now" is. A rule may point a custom metric at a demo series with `queries: { demo: "health" }`.
 */
export class DemoSource implements MetricSource {
  readonly type = 'demo';
  readonly timeScale: number;
  private readonly seed: number;

  constructor(
    readonly name: string,
    config: DemoConfig,
  ) {
    this.seed = config.seed;
    this.timeScale = config.timeScale;
  }

  async query(q: MetricQuery): Promise<QueryResult> {
    const metric = q.decl.queries?.['demo'] ?? q.metric;
    if (!isDemoMetric(metric)) return { kind: 'no-data' };
    const problem = rangeProblem(q);
    if (problem) return { kind: 'error', message: `demo source "${this.name}": ${problem}`, retryable: false };
    const labelled = behaviourOf(q.deploy);
    // The outage is the source's, so it hits both scopes; the control fleet itself is always healthy.
    if (isSimulatedOutage(labelled, q.deploy, q.end)) {
      return { kind: 'error', message: 'demo: simulated source outage', retryable: true };
    }
    const behaviour = q.scope === 'control' ? 'healthy' : labelled;
    // After the guard rolled the deploy back the previous version serves again, unless the deploy says it would not help.
    const healedAfter = q.rolledBackAt !== undefined && q.deploy.labels?.[DEMO_ROLLBACK_LABEL] !== 'no-effect' ? q.rolledBackAt : Infinity;
    const profile = serviceProfile(q.deploy.service);
    // The series key `${seed}|${deploy id}|${scope}|${metric}`, hashed in parts (src/sources/demo/noise.ts).
    const key = fnv(fnv(fnv(fnv(fnvNumber(FNV_OFFSET, this.seed), '|'), q.deploy.id), `|${q.scope}|`), metric);
    const points: Point[] = [];
    for (const t of alignedTimes(q.start, q.end, q.step)) {
      let value: number | null = healthyValue(metric, profile, key, t);
      const since = t - q.deploy.startedAt;
      if (since > 0 && t <= healedAfter) {
        const jitter = noiseOf(fnv(pointKey(key, t), '|fx')); // noise(`${key}|${t}|fx`)
        value = applyBehaviour(behaviour, { metric, value, since, step: q.step, profile, jitter });
      }
      if (value !== null) points.push([t, roundFor(metric, Math.max(0, value))]);
    }
    return points.length > 0 ? { kind: 'value', points } : { kind: 'no-data' };
  }
}

/** Multiples of `step` within [start, end]. */
export function alignedTimes(start: number, end: number, step: number): number[] {
  const times: number[] = [];
  for (let k = Math.ceil(start / step); k * step <= end; k++) times.push(k * step);
  return times;
}

function rangeProblem(q: MetricQuery): string | null {
  if (!(q.step > 0) || !Number.isFinite(q.step)) return `step must be a positive number of seconds, got ${q.step}`;
  if (!Number.isFinite(q.start) || !Number.isFinite(q.end)) return `start and end must be Unix seconds, got ${q.start}..${q.end}`;
  if ((q.end - q.start) / q.step > MAX_POINTS) {
    return `range ${q.start}..${q.end} at step ${q.step}s needs more than ${MAX_POINTS} points; use a larger step`;
  }
  return null;
}
