// The outbox on PostgreSQL where replicas share it: claims skip rows another replica has locked, claimed deliveries
// are leased, and only deliveries whose lease lapsed (their replica died) are resumed.
import type { Queryable, SqlValue } from '../sqlite/db.js';
import { afterRestart, INTERRUPTED_HOOK_ERROR } from '../outbox.js';
import type { DeliveryRecord } from '../records.js';
import { recordInterrupted } from '../sqlite/deliveries.js';
import { toDelivery, type DeliveryRow } from '../sqlite/outbox-rows.js';
import { DB_NOW, leaseDeliveries, type LeaseState } from './leases.js';

/**
 * See OutboxStore.claimDeliveries; rows locked by a concurrent claim are skipped, not waited for. Returns the claimed
 * deliveries and their lease fences (to record once committed).
 */
export async function claimDeliveries(
  tx: Queryable,
  q: { now: number; limit: number; ids?: number[]; excludeChannels?: string[] },
  s: LeaseState,
): Promise<{ claimed: DeliveryRecord[]; fences: Map<number, number> }> {
  const params: SqlValue[] = [];
  let where: string;
  if (q.ids) {
    if (q.ids.length === 0) return { claimed: [], fences: new Map() };
    where = `d.status = 'pending' AND d.id IN (${q.ids.map(() => '?').join(', ')})`;
    params.push(...q.ids);
  } else {
    where = `d.status = 'pending' AND d.next_attempt_at <= ?`;
    params.push(q.now);
  }
  const excluded = q.excludeChannels ?? [];
  if (excluded.length > 0) {
    where += ` AND d.channel NOT IN (${excluded.map(() => '?').join(', ')})`;
    params.push(...excluded);
  }
  const rows = await tx.all<DeliveryRow>(
    `SELECT d.* FROM deliveries d
     WHERE ${where}
       AND NOT EXISTS (SELECT 1 FROM deliveries e WHERE e.channel = d.channel AND e.thread = d.thread AND e.id < d.id
                       AND e.status IN ('pending','sending'))
     ORDER BY d.id ASC LIMIT ? FOR UPDATE OF d SKIP LOCKED`,
    [...params, q.limit],
  );
  const claimed: DeliveryRecord[] = [];
  for (const row of rows) {
    await tx.run(`UPDATE deliveries SET status = 'sending', updated_at = ? WHERE id = ?`, [q.now, row.id]);
    claimed.push(toDelivery({ ...row, status: 'sending', updated_at: q.now }));
  }
  return {
    claimed,
    fences: await leaseDeliveries(
      tx,
      claimed.map((d) => d.id),
      s,
    ),
  };
}

/**
 * Deliveries in flight whose replica's lease lapsed go where `afterRestart` says (notifications back to pending, due
 * now; hooks to interrupted, as after a restart). Deliveries live replicas are sending are left alone. With `own` (at start-up) this
 * replica's name's own claims count as lapsed too: they are from its previous life.
 */
export async function resumeLapsed(
  tx: Queryable,
  now: number,
  s: LeaseState,
  own: boolean,
): Promise<{ requeued: DeliveryRecord[]; interrupted: DeliveryRecord[] }> {
  if (own) s.deliveries.clear();
  const stuck = await tx.all<DeliveryRow>(
    `SELECT * FROM deliveries WHERE status = 'sending' AND (lease_expires IS NULL OR lease_expires <= ${DB_NOW} OR (?::int = 1 AND lease_holder = ?))
     ORDER BY id ASC FOR UPDATE SKIP LOCKED`,
    [own ? 1 : 0, s.replica],
  );
  const requeued: DeliveryRecord[] = [];
  const interrupted: DeliveryRecord[] = [];
  for (const d of stuck.map(toDelivery)) {
    s.deliveries.delete(d.id);
    await recordInterrupted(tx, d, now);
    if (afterRestart(d.kind) === 'pending') {
      await tx.run(`UPDATE deliveries SET status = 'pending', next_attempt_at = ?, updated_at = ?, lease_holder = NULL, lease_expires = NULL WHERE id = ?`, [
        now,
        now,
        d.id,
      ]);
      requeued.push({ ...d, status: 'pending', nextAttemptAt: now, updatedAt: now });
    } else {
      await tx.run(
        `UPDATE deliveries SET status = 'interrupted', last_error = ?, updated_at = ?, finished_at = ?, lease_holder = NULL, lease_expires = NULL WHERE id = ?`,
        [INTERRUPTED_HOOK_ERROR, now, now, d.id],
      );
      interrupted.push({ ...d, status: 'interrupted', lastError: INTERRUPTED_HOOK_ERROR, updatedAt: now, finishedAt: now });
    }
  }
  return { requeued, interrupted };
}
