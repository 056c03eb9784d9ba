// The SQL of ReviewStore and WriteProbeStore that differs on PostgreSQL (ids come back with RETURNING; string_agg);
// the rest is shared with sqlite/review.ts through Queryable.
import type { FeedbackRecord, ReviewActionRecord } from '../records.js';
import type { Queryable } from '../sqlite/db.js';

export async function recordReviewAction(db: Queryable, a: Omit<ReviewActionRecord, 'id'>): Promise<ReviewActionRecord> {
  const row = await db.get<{ id: string | number }>(
    'INSERT INTO review_actions (deploy_id, action, actor, reason, outcome, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id',
    [a.deployId, a.action, a.actor, a.reason, a.outcome, a.createdAt],
  );
  return { ...a, id: Number(row!.id) };
}

export async function recordFeedback(db: Queryable, f: Omit<FeedbackRecord, 'id'>): Promise<FeedbackRecord> {
  const row = await db.get<{ id: string | number }>(
    'INSERT INTO feedback (deploy_id, label, rule, note, actor, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id',
    [f.deployId, f.label, f.rule, f.note, f.actor, f.createdAt],
  );
  return { ...f, id: Number(row!.id) };
}

export async function probeWrite(db: Queryable, now: number): Promise<void> {
  await db.run("INSERT INTO store_probe (at, pad) VALUES (?, decode(repeat('00', 8192), 'hex'))", [now]);
}
