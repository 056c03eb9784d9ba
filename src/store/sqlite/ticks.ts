// One tick of a watch as one transaction: samples, blind spots, the judgement and its deliveries. Portable SQL
// (SQLite ≥ 3.24 and PostgreSQL both take `ON CONFLICT DO NOTHING`), so the PostgreSQL store runs it too.
import type { BlindSpot } from '../../judge/types.js';
import type { DeliveryRecord, SampleBatch, TickWrite, WatchRecord } from '../records.js';
import type { Queryable, SqlValue } from './db.js';
import { insertDeliveries } from './deliveries.js';
import { writeJudgement } from './judgements.js';
import type { DeployRow } from './rows.js';
import { toWatch } from './rows.js';

/** Rows per INSERT: 5 parameters each keeps a statement well under either engine's bound-parameter limit. */
const CHUNK = 200;

/** Throws, naming the point and how to fix it, unless every point of every batch is a pair of finite numbers. */
export function checkSamples(deployId: string, batches: readonly SampleBatch[]): void {
  for (const { scope, metric, points } of batches) {
    for (const [t, value] of points) {
      if (!Number.isFinite(t) || !Number.isFinite(value)) {
        throw new Error(
          `sample [${t}, ${value}] for ${scope} metric ${metric} of deploy ${deployId} is not a pair of finite numbers; the source must report gaps as no-data, not NaN`,
        );
      }
    }
  }
}

/** See TickStore.recordTick. Call inside a transaction (and, on a shared backend, after the lease check). */
export async function writeTick(tx: Queryable, deployId: string, tick: TickWrite, now: number): Promise<DeliveryRecord[]> {
  checkSamples(deployId, tick.samples);
  const rows: SqlValue[][] = tick.samples.flatMap(({ scope, metric, points }) => points.map(([t, value]) => [deployId, scope, metric, t, value]));
  for (let i = 0; i < rows.length; i += CHUNK) {
    const chunk = rows.slice(i, i + CHUNK);
    await tx.run(
      `INSERT INTO samples (deploy_id, scope, metric, t, value) VALUES ${chunk.map(() => '(?, ?, ?, ?, ?)').join(', ')} ON CONFLICT DO NOTHING`,
      chunk.flat(),
    );
  }
  await insertBlindSpots(tx, deployId, tick.blind);
  if (tick.judgement) await writeJudgement(tx, deployId, tick.judgement.judgement, tick.judgement.watchStatus, now);
  return tick.deliveries.length > 0 ? insertDeliveries(tx, tick.deliveries, now) : [];
}

async function insertBlindSpots(tx: Queryable, deployId: string, spots: readonly BlindSpot[]): Promise<void> {
  for (let i = 0; i < spots.length; i += CHUNK) {
    const chunk = spots.slice(i, i + CHUNK);
    await tx.run(
      `INSERT INTO blind_spots (deploy_id, metric, at, kind, message) VALUES ${chunk.map(() => '(?, ?, ?, ?, ?)').join(', ')} ON CONFLICT DO NOTHING`,
      chunk.flatMap((s) => [deployId, s.metric, s.at, s.kind, s.message]),
    );
  }
}

/** The watch row of a deploy alone, or null. */
export async function getWatch(q: Queryable, deployId: string): Promise<WatchRecord | null> {
  const row = await q.get<DeployRow>(
    `SELECT deploy_id AS id, status AS w_status, source AS w_source, time_scale AS w_time_scale, window_end AS w_window_end,
            interval_s AS w_interval_s, evaluated_at AS w_evaluated_at, superseded_by AS w_superseded_by, reason AS w_reason,
            updated_at AS w_updated_at
     FROM watches WHERE deploy_id = ?`,
    [deployId],
  );
  return row ? toWatch(row) : null;
}
