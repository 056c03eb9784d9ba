// The history of delivery attempts: one row per attempt, written in the transaction that records its outcome, and
// bounded to the latest ATTEMPTS_KEPT per delivery. Portable SQL: PostgreSQL runs it too.
import { ATTEMPTS_KEPT, type AttemptOutcome, type DeliveryAttempt } from '../records.js';
import type { Queryable } from './db.js';

interface AttemptRow {
  delivery_id: number;
  attempt: number;
  started_at: number;
  finished_at: number;
  outcome: string;
  http_status: number | null;
  error: string | null;
}

/** One attempt to record; `startedAt` later than `finishedAt` (a clock step back) is stored as a zero duration. */
export interface NewAttempt {
  deliveryId: number;
  attempt: number;
  startedAt: number;
  finishedAt: number;
  outcome: AttemptOutcome;
  httpStatus: number | null;
  error: string | null;
}

/** Appends an attempt and drops the delivery's attempts older than the latest ATTEMPTS_KEPT. Call inside a transaction. */
export async function recordAttempt(tx: Queryable, a: NewAttempt): Promise<void> {
  await tx.run(`INSERT INTO delivery_attempts (delivery_id, attempt, started_at, finished_at, outcome, http_status, error) VALUES (?, ?, ?, ?, ?, ?, ?)`, [
    a.deliveryId,
    a.attempt,
    Math.min(a.startedAt, a.finishedAt),
    a.finishedAt,
    a.outcome,
    a.httpStatus,
    a.error,
  ]);
  await tx.run(
    `DELETE FROM delivery_attempts WHERE delivery_id = ? AND id NOT IN
       (SELECT id FROM delivery_attempts WHERE delivery_id = ? ORDER BY id DESC LIMIT ?)`,
    [a.deliveryId, a.deliveryId, ATTEMPTS_KEPT],
  );
}

/** The kept attempts of each delivery, oldest first; a delivery without attempts has no entry. */
export async function attemptsOf(q: Queryable, deliveryIds: readonly number[]): Promise<Map<number, DeliveryAttempt[]>> {
  const out = new Map<number, DeliveryAttempt[]>();
  if (deliveryIds.length === 0) return out;
  const rows = await q.all<AttemptRow>(
    `SELECT delivery_id, attempt, started_at, finished_at, outcome, http_status, error FROM delivery_attempts
     WHERE delivery_id IN (${deliveryIds.map(() => '?').join(', ')}) ORDER BY delivery_id ASC, id ASC`,
    [...deliveryIds],
  );
  for (const r of rows) {
    const id = Number(r.delivery_id);
    const list = out.get(id) ?? [];
    list.push(toAttempt(r));
    out.set(id, list);
  }
  return out;
}

// The outcome column's CHECK (generated from ATTEMPT_OUTCOMES) guarantees the cast.
function toAttempt(r: AttemptRow): DeliveryAttempt {
  return {
    attempt: r.attempt,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    durationMs: Math.round((r.finished_at - r.started_at) * 1000),
    outcome: r.outcome as AttemptOutcome,
    httpStatus: r.http_status,
    error: r.error,
  };
}
