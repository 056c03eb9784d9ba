// PostgreSQL migration 7: open metric-source outages (SourceOutageStore), as SQLite migration 10.
import type { PgMigration } from './migration.js';

export const SOURCE_OUTAGES: PgMigration = {
  version: 7,
  name: 'source outages',
  sql: `
CREATE TABLE source_outages (
  source       TEXT COLLATE "C" PRIMARY KEY,
  since        DOUBLE PRECISION NOT NULL,
  last_failure DOUBLE PRECISION NOT NULL,
  deploys      TEXT NOT NULL
);
`,
};
