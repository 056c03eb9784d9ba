// PostgreSQL migration 4: findings may be `silent` (SQLite migration 6). The kind CHECK is regenerated from the
// TypeScript const, so a schema created by migration 1 before `silent` existed accepts it too.
import { FINDING_KINDS } from '../../records.js';
import { sqlList } from '../../sqlite/migrations/migration.js';
import type { PgMigration } from './migration.js';

export const SILENT_FINDINGS: PgMigration = {
  version: 4,
  name: 'silent findings',
  sql: `
ALTER TABLE findings DROP CONSTRAINT IF EXISTS findings_kind_check;
ALTER TABLE findings ADD CONSTRAINT findings_kind_check CHECK (kind IN (${sqlList(FINDING_KINDS)}));
`,
};
