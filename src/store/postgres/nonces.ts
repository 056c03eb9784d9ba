// NonceStore in PostgreSQL's dialect: a recorded key is claimed by one upsert (an expired one is taken over in
// place), and expired keys are swept without waiting on rows other transactions hold, so concurrent calls never deadlock.
import type { Queryable } from '../sqlite/db.js';

/** Expired keys dropped per call; the rest go at the next calls. */
const SWEEP = 100;

export async function rememberNonce(tx: Queryable, key: string, expiresAt: number, now: number): Promise<boolean> {
  const r = await tx.run(
    `INSERT INTO nonces (key, expires_at) VALUES (?, ?)
     ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at WHERE nonces.expires_at <= ?`,
    [key, expiresAt, now],
  );
  await tx.run(`DELETE FROM nonces WHERE key IN (SELECT key FROM nonces WHERE expires_at <= ? ORDER BY key LIMIT ${SWEEP} FOR UPDATE SKIP LOCKED)`, [now]);
  return r.changes === 1;
}
