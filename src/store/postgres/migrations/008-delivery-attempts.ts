// PostgreSQL migration 8: every delivery attempt (SQLite migration 11).
import { ATTEMPT_OUTCOMES } from '../../records.js';
import { sqlList } from '../../sqlite/migrations/migration.js';
import type { PgMigration } from './migration.js';

export const DELIVERY_ATTEMPTS: PgMigration = {
  version: 8,
  name: 'delivery attempts',
  sql: `
CREATE TABLE delivery_attempts (
  id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  delivery_id INTEGER NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
  attempt     INTEGER NOT NULL,
  started_at  DOUBLE PRECISION NOT NULL,
  finished_at DOUBLE PRECISION NOT NULL,
  outcome     TEXT COLLATE "C" NOT NULL CHECK (outcome IN (${sqlList(ATTEMPT_OUTCOMES)})),
  http_status INTEGER,
  error       TEXT
);
CREATE INDEX delivery_attempts_by_delivery ON delivery_attempts (delivery_id, id);
`,
};
