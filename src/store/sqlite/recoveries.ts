// Recovery checks after a rollback: one per deploy, resumed after a restart until recovered or escalated.
import type { Queryable } from './db.js';
import { toRecovery, type RecoveryRow } from './outbox-rows.js';
import type { NewRecovery, RecoveryRecord } from '../records.js';

/** Inserts a `checking` recovery; false when the deploy already has one. */
export async function beginRecovery(q: Queryable, r: NewRecovery, now: number): Promise<boolean> {
  const { changes } = await q.run(
    `INSERT INTO recoveries (deploy_id, status, rolled_back_at, window_end, rules, updated_at) VALUES (?, 'checking', ?, ?, ?, ?)
     ON CONFLICT (deploy_id) DO NOTHING`,
    [r.deployId, r.rolledBackAt, r.windowEnd, JSON.stringify(r.rules), now],
  );
  return changes > 0;
}

export async function getRecovery(q: Queryable, deployId: string): Promise<RecoveryRecord | null> {
  const row = await q.get<RecoveryRow>('SELECT * FROM recoveries WHERE deploy_id = ?', [deployId]);
  return row ? toRecovery(row) : null;
}

export async function updateRecovery(q: Queryable, deployId: string, c: Pick<RecoveryRecord, 'status' | 'checkedAt' | 'summary'>, now: number): Promise<void> {
  const { changes } = await q.run('UPDATE recoveries SET status = ?, checked_at = ?, summary = ?, updated_at = ? WHERE deploy_id = ?', [
    c.status,
    c.checkedAt,
    c.summary,
    now,
    deployId,
  ]);
  if (changes === 0) throw new Error(`cannot update the recovery check of ${deployId}: none was begun; call beginRecovery first`);
}

export async function activeRecoveries(q: Queryable): Promise<RecoveryRecord[]> {
  const rows = await q.all<RecoveryRow>(`SELECT * FROM recoveries WHERE status = 'checking' ORDER BY updated_at ASC, deploy_id ASC`);
  return rows.map(toRecovery);
}
