// Remembered one-time values (request signatures, GitHub delivery GUIDs) so a replay is recognised across restarts.
import type { Queryable } from './db.js';

/** Remembers keys until they expire; the seen-once check behind signature replay and webhook redelivery dedup. */
export interface NonceStore {
  /**
   * Records `key` until `expiresAt` (Unix seconds) and answers true, or answers false when it is already
   * recorded and not expired. Atomic: of two concurrent calls with the same key exactly one gets true.
   * Expired keys are dropped on the way.
   */
  rememberNonce(key: string, expiresAt: number, now: number): Promise<boolean>;
  /** Whether `key` is recorded and not expired (a read; records nothing). */
  seenNonce(key: string, now: number): Promise<boolean>;
}

/** Migration 4: the table behind {@link NonceStore}. */
export const NONCES_MIGRATION = {
  version: 4,
  name: 'seen request signatures and webhook deliveries',
  sql: `
CREATE TABLE nonces (
  key        TEXT PRIMARY KEY,
  expires_at REAL NOT NULL
) WITHOUT ROWID;
CREATE INDEX nonces_by_expiry ON nonces (expires_at);
`,
};

export async function rememberNonce(tx: Queryable, key: string, expiresAt: number, now: number): Promise<boolean> {
  await tx.run('DELETE FROM nonces WHERE expires_at <= ?', [now]);
  const r = await tx.run('INSERT INTO nonces (key, expires_at) VALUES (?, ?) ON CONFLICT (key) DO NOTHING', [key, expiresAt]);
  return r.changes === 1;
}

export async function seenNonce(q: Queryable, key: string, now: number): Promise<boolean> {
  return (await q.get('SELECT 1 AS one FROM nonces WHERE key = ? AND expires_at > ?', [key, now])) !== undefined;
}

/** A NonceStore in memory, for an app built without a store (tests, tools); it forgets on restart. */
export function memoryNonceStore(): NonceStore {
  const seen = new Map<string, number>();
  return {
    rememberNonce: async (key, expiresAt, now) => {
      for (const [k, exp] of seen) if (exp <= now) seen.delete(k);
      if (seen.has(key)) return false;
      seen.set(key, expiresAt);
      return true;
    },
    seenNonce: async (key, now) => (seen.get(key) ?? 0) > now,
  };
}
