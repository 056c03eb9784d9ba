// Remembered one-time values (request signatures, GitHub delivery GUIDs) behind NonceStore.
import type { Queryable } from './db.js';

export async function rememberNonce(tx: Queryable, key: string, expiresAt: number, now: number): Promise<boolean> {
  await tx.run('DELETE FROM nonces WHERE expires_at <= ?', [now]);
  const r = await tx.run('INSERT INTO nonces (key, expires_at) VALUES (?, ?) ON CONFLICT (key) DO NOTHING', [key, expiresAt]);
  return r.changes === 1;
}

export async function seenNonce(q: Queryable, key: string, now: number): Promise<boolean> {
  return (await q.get('SELECT 1 AS one FROM nonces WHERE key = ? AND expires_at > ?', [key, now])) !== undefined;
}
