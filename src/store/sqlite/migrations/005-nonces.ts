// Migration 5: seen request signatures and webhook deliveries (NonceStore), so replays are refused across restarts.
import type { Migration } from './migration.js';

export const NONCES_MIGRATION: Migration = {
  version: 5,
  name: 'seen request signatures and webhook deliveries',
  sql: `
CREATE TABLE nonces (
  key        TEXT PRIMARY KEY,
  expires_at REAL NOT NULL
) WITHOUT ROWID;
CREATE INDEX nonces_by_expiry ON nonces (expires_at);
`,
};
