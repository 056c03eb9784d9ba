// PostgreSQL migration 6: SRE review actions and feedback (SQLite migration 9) and the write probe (SQLite migration 8).
import { FEEDBACK_LABELS, REVIEW_ACTIONS } from '../../records.js';
import { sqlList } from '../../sqlite/migrations/migration.js';
import type { PgMigration } from './migration.js';

export const REVIEW_AND_PROBE: PgMigration = {
  version: 6,
  name: 'review actions, feedback and the write probe',
  sql: `
CREATE TABLE review_actions (
  id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  deploy_id  TEXT NOT NULL REFERENCES deploys (id) ON DELETE CASCADE,
  action     TEXT NOT NULL CHECK (action IN (${sqlList(REVIEW_ACTIONS)})),
  actor      TEXT NOT NULL,
  reason     TEXT NOT NULL,
  outcome    TEXT,
  created_at DOUBLE PRECISION NOT NULL
);
CREATE INDEX review_actions_by_deploy ON review_actions (deploy_id, id);

CREATE TABLE feedback (
  id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  deploy_id  TEXT NOT NULL REFERENCES deploys (id) ON DELETE CASCADE,
  label      TEXT NOT NULL CHECK (label IN (${sqlList(FEEDBACK_LABELS)})),
  rule       TEXT,
  note       TEXT NOT NULL,
  actor      TEXT NOT NULL,
  created_at DOUBLE PRECISION NOT NULL
);
CREATE INDEX feedback_by_deploy ON feedback (deploy_id, id);

CREATE TABLE store_probe (
  id  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at  DOUBLE PRECISION NOT NULL,
  pad BYTEA NOT NULL
);
`,
};
