// PostgreSQL migration 5: findings of `mode: shadow` rules are stored and shown, never acted on (SQLite migration 7).
import type { PgMigration } from './migration.js';

export const SHADOW_FINDINGS: PgMigration = {
  version: 5,
  name: 'shadow findings',
  sql: `
ALTER TABLE findings ADD COLUMN shadow INTEGER NOT NULL DEFAULT 0 CHECK (shadow IN (0, 1));
`,
};
