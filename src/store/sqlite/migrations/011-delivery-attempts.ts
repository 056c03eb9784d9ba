// Migration 11: every delivery attempt (time, outcome, HTTP status or error, duration), the latest ATTEMPTS_KEPT per delivery.
import { ATTEMPT_OUTCOMES } from '../../records.js';
import { sqlList, type Migration } from './migration.js';

export const DELIVERY_ATTEMPTS_MIGRATION: Migration = {
  version: 11,
  name: 'delivery attempts',
  sql: `
CREATE TABLE delivery_attempts (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  delivery_id INTEGER NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
  attempt     INTEGER NOT NULL,
  started_at  REAL NOT NULL,
  finished_at REAL NOT NULL,
  outcome     TEXT NOT NULL CHECK (outcome IN (${sqlList(ATTEMPT_OUTCOMES)})),
  http_status INTEGER,
  error       TEXT
);
CREATE INDEX delivery_attempts_by_delivery ON delivery_attempts (delivery_id, id);
`,
};
