// Migration 7: findings of `mode: shadow` rules are stored and shown, never acted on.
import type { Migration } from './migration.js';

export const SHADOW_FINDINGS_MIGRATION: Migration = {
  version: 7,
  name: 'shadow findings',
  sql: `
ALTER TABLE findings ADD COLUMN shadow INTEGER NOT NULL DEFAULT 0 CHECK (shadow IN (0, 1));
`,
};
