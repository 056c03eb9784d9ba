// Migration 3: the judge's evidence (baseline spread, test statistic, p-value, persistence) and when a finding cleared.
import type { Migration } from './migration.js';

export const FINDING_EVIDENCE_MIGRATION: Migration = {
  version: 3,
  name: 'finding evidence',
  sql: `
ALTER TABLE findings ADD COLUMN evidence TEXT;
ALTER TABLE findings ADD COLUMN cleared_at REAL;
`,
};
