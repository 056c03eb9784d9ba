// The delivery outbox: writing deliveries before they are attempted, claiming due ones, recording attempts.
import type { Queryable, SqlValue } from './db.js';
import { actionStatusOf, toDelivery, type DeliveryRow } from './outbox-rows.js';
import type { DeliveryOutcome, DeliveryQuery, DeliveryRecord, NewDelivery } from './outbox-types.js';
import { toJson } from './rows.js';

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;

/**
 * Inserts each delivery (and its action record) unless its dedup key is taken. With `claim`, pending entries are
 * inserted as `sending`, already claimed by the caller. Call inside a transaction.
 */
export async function insertDeliveries(tx: Queryable, entries: NewDelivery[], now: number, claim = false): Promise<DeliveryRecord[]> {
  const created: DeliveryRecord[] = [];
  for (const entry of entries) {
    const e = claim && entry.status === 'pending' ? { ...entry, status: 'sending' as const } : entry;
    if (await tx.get('SELECT 1 AS one FROM deliveries WHERE dedup_key = ?', [e.dedupKey])) continue;
    let actionId: number | null = null;
    if (e.action && e.deployId !== null) {
      const rows = await tx.all<{ id: number }>(
        `INSERT INTO actions (deploy_id, kind, target, dedup_key, status, request, output, created_at, finished_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (dedup_key) DO NOTHING RETURNING id`,
        [e.deployId, e.action.kind, e.action.target, e.dedupKey, actionStatusOf(e.status), toJson(e.action.request), e.status === 'muted' ? 'muted by a silence' : null, now, e.status === 'muted' ? now : null],
      );
      // An action with this key from before the outbox existed: it was acted on already.
      if (rows.length === 0) continue;
      actionId = rows[0]!.id;
    }
    const [row] = await tx.all<DeliveryRow>(
      `INSERT INTO deliveries (dedup_key, deploy_id, action_id, service, environment, kind, event, channel, channel_type, severity,
                               thread, payload, status, attempts, next_attempt_at, deadline_at, silence_id, created_at, updated_at, finished_at,
                               output)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?)
       RETURNING *`,
      [
        e.dedupKey, e.deployId, actionId, e.service, e.environment, e.kind, e.event, e.channel, e.channelType, e.severity,
        e.thread, toJson(e.payload) ?? 'null', e.status, now, e.deadlineAt, e.silenceId, now, now, e.status === 'muted' ? now : null,
        e.status === 'muted' ? `muted by silence ${e.silenceId}` : null,
      ],
    );
    if (row) created.push(toDelivery(row));
  }
  return created;
}

/** See OutboxStore.claimDeliveries. Call inside a transaction. */
export async function claimDeliveries(tx: Queryable, q: { now: number; limit: number; ids?: number[]; excludeChannels?: string[] }): Promise<DeliveryRecord[]> {
  const params: SqlValue[] = [];
  let where: string;
  if (q.ids) {
    if (q.ids.length === 0) return [];
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
     ORDER BY d.id ASC LIMIT ?`,
    [...params, q.limit],
  );
  const claimed: DeliveryRecord[] = [];
  for (const row of rows) {
    await tx.run(`UPDATE deliveries SET status = 'sending', updated_at = ? WHERE id = ?`, [q.now, row.id]);
    if (row.action_id !== null) await tx.run(`UPDATE actions SET status = 'running' WHERE id = ?`, [row.action_id]);
    claimed.push(toDelivery({ ...row, status: 'sending', updated_at: q.now }));
  }
  return claimed;
}

/** Back to pending without counting an attempt. */
export async function releaseDelivery(tx: Queryable, id: number, nextAttemptAt: number, now: number): Promise<void> {
  await tx.run(`UPDATE deliveries SET status = 'pending', next_attempt_at = ?, updated_at = ? WHERE id = ? AND status = 'sending'`, [nextAttemptAt, now, id]);
  await tx.run(`UPDATE actions SET status = 'pending' WHERE id = (SELECT action_id FROM deliveries WHERE id = ?)`, [id]);
}

/** Records one attempt's outcome on the delivery and its action. Call inside a transaction. */
export async function finishDelivery(tx: Queryable, id: number, o: DeliveryOutcome, now: number): Promise<DeliveryRecord> {
  const counts = o.status === 'muted' ? 0 : 1;
  const status = o.status === 'retry' ? 'pending' : o.status;
  const finished = o.status === 'retry' ? null : now;
  const error = o.status === 'delivered' ? null : o.status === 'muted' ? null : o.error;
  const [row] = await tx.all<DeliveryRow>(
    `UPDATE deliveries SET status = ?, attempts = attempts + ?, next_attempt_at = COALESCE(?, next_attempt_at), last_error = COALESCE(?, last_error),
            output = COALESCE(?, output), silence_id = COALESCE(?, silence_id), updated_at = ?, finished_at = ?
     WHERE id = ? RETURNING *`,
    [status, counts, o.status === 'retry' ? o.nextAttemptAt : null, error, o.output, o.status === 'muted' ? o.silenceId : null, now, finished, id],
  );
  if (!row) throw new Error(`cannot record an attempt of delivery ${id}: no such delivery; only finish deliveries returned by claimDeliveries`);
  const delivery = toDelivery(row);
  if (delivery.actionId !== null) {
    const note = o.status === 'retry' ? `attempt ${delivery.attempts} failed, retrying: ${o.error}` : error;
    await tx.run(`UPDATE actions SET status = ?, output = COALESCE(?, output), error = ?, finished_at = ? WHERE id = ?`, [
      actionStatusOf(delivery.status),
      o.output,
      note,
      finished,
      delivery.actionId,
    ]);
  }
  return delivery;
}

/** See OutboxStore.resumeDeliveries. Call inside a transaction. */
export async function resumeDeliveries(tx: Queryable, now: number): Promise<{ requeued: DeliveryRecord[]; interrupted: DeliveryRecord[] }> {
  const requeued = await tx.all<DeliveryRow>(
    `UPDATE deliveries SET status = 'pending', next_attempt_at = ?, updated_at = ? WHERE status = 'sending' AND kind = 'notification' RETURNING *`,
    [now, now],
  );
  const error = 'the guard stopped while this hook was running; it is not re-run automatically (it may or may not have acted): check its effect by hand';
  const interrupted = await tx.all<DeliveryRow>(
    `UPDATE deliveries SET status = 'interrupted', last_error = ?, updated_at = ?, finished_at = ? WHERE status = 'sending' AND kind = 'hook' RETURNING *`,
    [error, now, now],
  );
  for (const r of requeued) if (r.action_id !== null) await tx.run(`UPDATE actions SET status = 'pending' WHERE id = ?`, [r.action_id]);
  for (const r of interrupted) {
    if (r.action_id !== null) await tx.run(`UPDATE actions SET status = 'interrupted', error = ?, finished_at = ? WHERE id = ?`, [error, now, r.action_id]);
  }
  const byId = (a: DeliveryRow, b: DeliveryRow) => a.id - b.id;
  return { requeued: requeued.sort(byId).map(toDelivery), interrupted: interrupted.sort(byId).map(toDelivery) };
}

export async function nextDeliveryAt(q: Queryable): Promise<number | null> {
  const row = await q.get<{ at: number | null }>(`SELECT MIN(next_attempt_at) AS at FROM deliveries WHERE status = 'pending'`);
  return row?.at ?? null;
}

export async function listDeliveries(q: Queryable, query: DeliveryQuery): Promise<DeliveryRecord[]> {
  const conditions: string[] = [];
  const params: SqlValue[] = [];
  const add = (sql: string, value: SqlValue | undefined): void => {
    if (value === undefined) return;
    conditions.push(sql);
    params.push(value);
  };
  add('deploy_id = ?', query.deployId);
  add('status = ?', query.status);
  add('channel = ?', query.channel);
  add('event = ?', query.event);
  add('silence_id = ?', query.silenceId);
  const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
  const limit = Math.min(MAX_LIMIT, Math.max(1, Math.floor(query.limit ?? DEFAULT_LIMIT)));
  const rows = await q.all<DeliveryRow>(`SELECT * FROM deliveries ${where} ORDER BY id DESC LIMIT ?`, [...params, limit]);
  return rows.map(toDelivery);
}
