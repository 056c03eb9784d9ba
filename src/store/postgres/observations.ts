// Samples and blind spots in PostgreSQL's dialect, where it differs from SQLite's (first-seen-wins inserts);
// everything else, judgements included, goes through the shared repositories in ../sqlite/.
import type { Queryable, SqlValue } from '../sqlite/db.js';
import type { BlindSpot, Point } from '../../judge/types.js';

/** Rows per INSERT (5 parameters each; PostgreSQL allows 65535 per statement). */
const CHUNK = 1000;

export async function insertSamples(tx: Queryable, deployId: string, scope: 'deploy' | 'control', metric: string, points: Point[]): Promise<void> {
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
    await tx.run(`INSERT INTO samples (deploy_id, scope, metric, t, value) VALUES ${values} ON CONFLICT DO NOTHING`, params);
  }
}

export async function insertBlindSpot(q: Queryable, deployId: string, spot: BlindSpot): Promise<void> {
  await q.run('INSERT INTO blind_spots (deploy_id, metric, at, kind, message) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING', [
    deployId,
    spot.metric,
    spot.at,
    spot.kind,
    spot.message,
  ]);
}
