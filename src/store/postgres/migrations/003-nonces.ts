// PostgreSQL migration 3: seen request signatures and webhook deliveries (NonceStore), as SQLite migration 5.
import type { PgMigration } from './migration.js';

export const NONCES: PgMigration = {
  version: 3,
  name: 'seen request signatures and webhook deliveries',
  sql: `
CREATE TABLE nonces (
  key        TEXT COLLATE "C" PRIMARY KEY,
  expires_at DOUBLE PRECISION NOT NULL
);
CREATE INDEX nonces_by_expiry ON nonces (expires_at);
`,
};
