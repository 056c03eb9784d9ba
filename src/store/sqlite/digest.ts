// What the daily digest reads and writes: the day's verdicts, and sending held items exactly once.
import type { Severity, Verdict } from '../../judge/types.js';
import { digestOutput } from '../outbox.js';
import type { DecidedVerdict, DeliveryRecord, NewDelivery } from '../records.js';
import type { Queryable } from './db.js';
import { insertDeliveries } from './deliveries.js';
import { DEPLOY_SELECT, toDeploy, type DeployRow } from './rows.js';

/** See OutboxStore.commitDigest. Call inside a transaction. */
export async function commitDigest(tx: Queryable, entries: NewDelivery[], itemIds: number[], now: number): Promise<DeliveryRecord[]> {
  const created = await insertDeliveries(tx, entries, now);
  if (created.length === 0) return [];
  const output = digestOutput(created[0]!.dedupKey);
  for (const id of itemIds) {
    await tx.run(`UPDATE deliveries SET status = 'delivered', output = ?, updated_at = ?, finished_at = ? WHERE id = ? AND status = 'held'`, [
      output,
      now,
      now,
      id,
    ]);
  }
  return created;
}

/** Verdicts decided in [from, to), oldest first, with their deploys. */
export async function verdictsBetween(q: Queryable, from: number, to: number): Promise<DecidedVerdict[]> {
  const rows = await q.all<DeployRow>(`${DEPLOY_SELECT} WHERE v.decided_at >= ? AND v.decided_at < ? ORDER BY v.decided_at ASC, d.id ASC`, [from, to]);
  return rows.map((r) => ({
    deploy: toDeploy(r),
    verdict: r.v_verdict as Verdict,
    severity: r.v_severity as Severity | null,
    rollback: r.v_rollback === 1,
    reason: r.v_reason,
    decidedAt: r.v_decided_at ?? 0,
  }));
}
