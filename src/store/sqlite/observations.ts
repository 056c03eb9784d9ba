// Samples and blind spots: what the metric sources returned for a deploy, stored first-seen-wins.
import type { BlindSpot, Point, SeriesSet } from '../../judge/types.js';
import type { SampleScope } from '../records.js';
import type { Queryable, SqlValue } from './db.js';

/** Rows per INSERT; 5 parameters each keeps a statement well under sqlite's bound-parameter limit. */
const CHUNK = 200;

/** Inserts points, keeping any point already stored for (deploy, scope, metric, t). Call inside a transaction. */
export async function insertSamples(tx: Queryable, deployId: string, scope: SampleScope, metric: string, points: Point[]): Promise<void> {
  for (const [t, value] of points) {
    if (!Number.isFinite(t) || !Number.isFinite(value)) {
      throw new Error(
        `sample [${t}, ${value}] for ${scope} metric ${metric} of deploy ${deployId} is not a pair of finite numbers; the source must report gaps as no-data, not NaN`,
      );
    }
  }
  for (let i = 0; i < points.length; i += CHUNK) {
    const chunk = points.slice(i, i + CHUNK);
    const params: SqlValue[] = chunk.flatMap(([t, value]) => [deployId, scope, metric, t, value]);
    const values = chunk.map(() => '(?, ?, ?, ?, ?)').join(', ');
    await tx.run(`INSERT OR IGNORE INTO samples (deploy_id, scope, metric, t, value) VALUES ${values}`, params);
  }
}

/** Stores a blind spot; one already stored for (deploy, metric, at) is kept. */
export async function insertBlindSpot(q: Queryable, deployId: string, spot: BlindSpot): Promise<void> {
  await q.run('INSERT OR IGNORE INTO blind_spots (deploy_id, metric, at, kind, message) VALUES (?, ?, ?, ?, ?)', [
    deployId,
    spot.metric,
    spot.at,
    spot.kind,
    spot.message,
  ]);
}

/** Every stored observation of a deploy: series and control by metric (time ascending), blind spots by time. */
export async function readObservations(q: Queryable, deployId: string): Promise<{ series: SeriesSet; control: SeriesSet; blind: BlindSpot[] }> {
  const samples = await q.all<{ scope: string; metric: string; t: number; value: number }>(
    'SELECT scope, metric, t, value FROM samples WHERE deploy_id = ? ORDER BY scope, metric, t',
    [deployId],
  );
  const series: SeriesSet = {};
  const control: SeriesSet = {};
  for (const s of samples) {
    const set = s.scope === 'control' ? control : series;
    (set[s.metric] ??= []).push([s.t, s.value]);
  }
  const blind = await q.all<BlindSpot>('SELECT metric, at, kind, message FROM blind_spots WHERE deploy_id = ? ORDER BY at, metric', [deployId]);
  return { series, control, blind: blind.map((b) => ({ metric: b.metric, at: b.at, kind: b.kind, message: b.message })) };
}
