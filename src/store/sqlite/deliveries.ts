// The delivery outbox: writing deliveries before they are attempted, claiming due ones, recording attempts.
import { afterRestart, INTERRUPTED_HOOK_ERROR, INTERRUPTED_NOTIFICATION_ERROR } from '../outbox.js';
import { DEFAULT_DELIVERY_LIMIT, MAX_DELIVERY_LIMIT, type DeliveryOutcome, type DeliveryQuery, type DeliveryRecord, type NewDelivery } from '../records.js';
import { recordAttempt } from './attempts.js';
import type { Queryable, SqlValue } from './db.js';
import { toDelivery, type DeliveryRow } from './outbox-rows.js';
import { toJson } from './rows.js';

/**
 * Inserts each delivery unless its dedup key is taken (the dedup rule). With `claim`, pending entries are inserted
 * as `sending`, already claimed by the caller. Call inside a transaction.
 */
export async function insertDeliveries(tx: Queryable, entries: NewDelivery[], now: number, claim = false): Promise<DeliveryRecord[]> {
  const created: DeliveryRecord[] = [];
  for (const entry of entries) {
    const e = claim && entry.status === 'pending' ? { ...entry, status: 'sending' as const } : entry;
    const action = e.deployId === null ? null : e.action;
    const [row] = await tx.all<DeliveryRow>(
      `INSERT INTO deliveries (dedup_key, deploy_id, service, environment, kind, event, channel, channel_type, severity,
                               thread, payload, status, attempts, next_attempt_at, deadline_at, silence_id, created_at, updated_at, finished_at,
                               output, action_kind, action_target, action_request)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (dedup_key) DO NOTHING
       RETURNING *`,
      [
        e.dedupKey,
        e.deployId,
        e.service,
        e.environment,
        e.kind,
        e.event,
        e.channel,
        e.channelType,
        e.severity,
        e.thread,
        toJson(e.payload) ?? 'null',
        e.status,
        now,
        e.deadlineAt,
        e.silenceId,
        now,
        now,
        e.status === 'muted' ? now : null,
        e.status === 'muted' ? `muted by silence ${e.silenceId}` : null,
        action?.kind ?? null,
        action?.target ?? null,
        action ? toJson(action.request) : null,
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
    claimed.push(toDelivery({ ...row, status: 'sending', updated_at: q.now }));
  }
  return claimed;
}

/** Back to pending without counting an attempt. */
export async function releaseDelivery(tx: Queryable, id: number, nextAttemptAt: number, now: number): Promise<void> {
  await tx.run(`UPDATE deliveries SET status = 'pending', next_attempt_at = ?, updated_at = ? WHERE id = ? AND status = 'sending'`, [nextAttemptAt, now, id]);
}

/** Records one attempt's outcome on the delivery and in its attempt history. Call inside a transaction. */
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
  if (o.status !== 'muted') {
    await recordAttempt(tx, {
      deliveryId: id,
      attempt: row.attempts,
      startedAt: o.startedAt ?? now,
      finishedAt: now,
      outcome: o.status,
      httpStatus: o.httpStatus ?? null,
      error,
    });
  }
  return toDelivery(row);
}

/** Records, in its history, the attempt of a `sending` delivery that a restart (or a lapsed lease) cut off. */
export async function recordInterrupted(tx: Queryable, d: DeliveryRecord, now: number): Promise<void> {
  const error = afterRestart(d.kind) === 'pending' ? INTERRUPTED_NOTIFICATION_ERROR : INTERRUPTED_HOOK_ERROR;
  await recordAttempt(tx, {
    deliveryId: d.id,
    attempt: d.attempts + 1,
    startedAt: d.updatedAt,
    finishedAt: now,
    outcome: 'interrupted',
    httpStatus: null,
    error,
  });
}

/** See OutboxStore.resumeDeliveries: every `sending` delivery goes where `afterRestart` says. Call inside a transaction. */
export async function resumeDeliveries(tx: Queryable, now: number): Promise<{ requeued: DeliveryRecord[]; interrupted: DeliveryRecord[] }> {
  const requeued: DeliveryRecord[] = [];
  const interrupted: DeliveryRecord[] = [];
  const stuck = await tx.all<DeliveryRow>(`SELECT * FROM deliveries WHERE status = 'sending' ORDER BY id ASC`);
  for (const d of stuck.map(toDelivery)) {
    await recordInterrupted(tx, d, now);
    if (afterRestart(d.kind) === 'pending') {
      await tx.run(`UPDATE deliveries SET status = 'pending', next_attempt_at = ?, updated_at = ? WHERE id = ?`, [now, now, d.id]);
      requeued.push({ ...d, status: 'pending', nextAttemptAt: now, updatedAt: now });
    } else {
      await tx.run(`UPDATE deliveries SET status = 'interrupted', last_error = ?, updated_at = ?, finished_at = ? WHERE id = ?`, [
        INTERRUPTED_HOOK_ERROR,
        now,
        now,
        d.id,
      ]);
      interrupted.push({ ...d, status: 'interrupted', lastError: INTERRUPTED_HOOK_ERROR, updatedAt: now, finishedAt: now });
    }
  }
  return { requeued, interrupted };
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
  const limit = Math.min(MAX_DELIVERY_LIMIT, Math.max(1, Math.floor(query.limit ?? DEFAULT_DELIVERY_LIMIT)));
  const rows = await q.all<DeliveryRow>(`SELECT * FROM deliveries ${where} ORDER BY id DESC LIMIT ?`, [...params, limit]);
  return rows.map(toDelivery);
}
