// The recording MetricSource: plays recorded series back as if live, shifted onto the queried deploy's start.
import type { Deploy, Point, Recording } from '../../judge/types.js';
import type { MetricQuery, MetricSource, QueryResult } from '../types.js';
import type { CatalogueEntry, RecordingCatalogue } from './catalogue.js';

/**
 * Serves a directory of recordings (DESIGN §3). A query is answered from the recording whose deploy.id equals
 * the queried deploy's id, else the first (by file name) whose service and environment match. Its points are
 * time-shifted so the recording's startedAt falls on the queried deploy's startedAt, which lets a recording be
 * played as a live deploy. A rule may map a metric to another recorded series with `queries: { recording: "name" }`.
 * Files that cannot be read are reported as a non-retryable error when no readable recording matches.
 */
export class RecordingSource implements MetricSource {
  readonly type = 'recording';
  readonly timeScale = 1;

  constructor(
    readonly name: string,
    private readonly catalogue: RecordingCatalogue,
  ) {}

  async query(q: MetricQuery): Promise<QueryResult> {
    const read = await this.catalogue.read();
    if (read.kind === 'error') return { kind: 'error', message: `recording source "${this.name}": ${read.message}`, retryable: false };
    const entry = findRecording(read.entries, q.deploy);
    if (!entry) {
      if (read.problems.length === 0) return { kind: 'no-data' };
      const message = `recording source "${this.name}": no readable recording for ${describe(q.deploy)}; unreadable: ${read.problems.join('; ')}`;
      return { kind: 'error', message, retryable: false };
    }
    const points = playedPoints(entry.recording, q);
    return points.length > 0 ? { kind: 'value', points } : { kind: 'no-data' };
  }
}

/** The recording for a deploy: same id first, else the first with the same service and environment. */
export function findRecording(entries: readonly CatalogueEntry[], deploy: Deploy): CatalogueEntry | undefined {
  return (
    entries.find((e) => e.recording.deploy.id === deploy.id) ??
    entries.find((e) => e.recording.deploy.service === deploy.service && e.recording.deploy.environment === deploy.environment)
  );
}

/**
 * The recorded points of the queried metric and scope, shifted by (queried startedAt - recorded startedAt),
 * within [start, end], at most one per step (the latest point in each (start + (k-1)·step, start + k·step]).
 */
export function playedPoints(recording: Recording, q: MetricQuery): Point[] {
  const set = q.scope === 'control' ? recording.control : recording.series;
  const series = set?.[q.decl.queries?.['recording'] ?? q.metric] ?? [];
  const shift = q.deploy.startedAt - recording.deploy.startedAt;
  const byBucket = new Map<number, Point>();
  for (const [t, value] of series) {
    const at = t + shift;
    if (at < q.start || at > q.end) continue;
    byBucket.set(q.step > 0 ? Math.ceil((at - q.start) / q.step) : at, [at, value]);
  }
  return [...byBucket.values()].sort((a, b) => a[0] - b[0]);
}

function describe(deploy: Deploy): string {
  return `deploy ${deploy.id} (${deploy.service}/${deploy.environment})`;
}
