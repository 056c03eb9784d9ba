// Silences: SRE-made mutes of a service (and environment) for a time range, recorded with who and why.
import type { Queryable, SqlValue } from './db.js';
import { toSilence, type SilenceRow } from './outbox-rows.js';
import type { NewSilence, SilenceRecord } from '../records.js';

export async function insertSilence(q: Queryable, s: NewSilence, now: number): Promise<SilenceRecord> {
  const [row] = await q.all<SilenceRow>(
    `INSERT INTO silences (service, environment, starts_at, ends_at, created_by, reason, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING *`,
    [s.service, s.environment, s.startsAt, s.endsAt, s.createdBy, s.reason, now],
  );
  if (!row) throw new Error('sqlite returned no row for the inserted silence');
  return toSilence(row);
}

export async function getSilence(q: Queryable, id: number): Promise<SilenceRecord | null> {
  const row = await q.get<SilenceRow>('SELECT * FROM silences WHERE id = ?', [id]);
  return row ? toSilence(row) : null;
}

/** Newest first. Without `all`: only silences neither expired nor ended at `now`. */
export async function listSilences(q: Queryable, query: { now: number; all?: boolean; service?: string }): Promise<SilenceRecord[]> {
  const conditions: string[] = [];
  const params: SqlValue[] = [];
  if (!query.all) {
    conditions.push('expired_at IS NULL AND ends_at > ?');
    params.push(query.now);
  }
  if (query.service !== undefined) {
    conditions.push('service = ?');
    params.push(query.service);
  }
  const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
  const rows = await q.all<SilenceRow>(`SELECT * FROM silences ${where} ORDER BY id DESC LIMIT 1000`, params);
  return rows.map(toSilence);
}

/** Marks a silence expired now (once); null for an unknown id. */
export async function expireSilence(tx: Queryable, id: number, by: string, now: number): Promise<SilenceRecord | null> {
  await tx.run('UPDATE silences SET expired_at = ?, expired_by = ? WHERE id = ? AND expired_at IS NULL AND ends_at > ?', [now, by, id, now]);
  return getSilence(tx, id);
}
