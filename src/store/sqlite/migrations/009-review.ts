// Migration 9: SRE review — actions taken from the review UI (who, why, when) and feedback labels on verdicts.
import { FEEDBACK_LABELS, REVIEW_ACTIONS } from '../../records.js';
import { sqlList, type Migration } from './migration.js';

export const REVIEW_MIGRATION: Migration = {
  version: 9,
  name: 'review actions and feedback',
  sql: `
CREATE TABLE review_actions (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  deploy_id  TEXT NOT NULL REFERENCES deploys (id) ON DELETE CASCADE,
  action     TEXT NOT NULL CHECK (action IN (${sqlList(REVIEW_ACTIONS)})),
  actor      TEXT NOT NULL,
  reason     TEXT NOT NULL,
  outcome    TEXT,
  created_at REAL NOT NULL
);
CREATE INDEX review_actions_by_deploy ON review_actions (deploy_id, id);

CREATE TABLE feedback (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  deploy_id  TEXT NOT NULL REFERENCES deploys (id) ON DELETE CASCADE,
  label      TEXT NOT NULL CHECK (label IN (${sqlList(FEEDBACK_LABELS)})),
  rule       TEXT,
  note       TEXT NOT NULL,
  actor      TEXT NOT NULL,
  created_at REAL NOT NULL
);
CREATE INDEX feedback_by_deploy ON feedback (deploy_id, id);
`,
};
