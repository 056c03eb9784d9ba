// Migration 2: the delivery outbox, silences and rollback recovery checks; widens the actions table's kinds and statuses.
import { SEVERITIES } from '../../../judge/types.js';
import { DELIVERY_KINDS, DELIVERY_STATUSES, RECOVERY_STATUSES } from '../../records.js';
import { sqlList, type Migration } from './migration.js';

export const OUTBOX_MIGRATION: Migration = {
  version: 2,
  name: 'delivery outbox, silences, recoveries',
  sql: `
-- (history) actions gains the kinds 'resolve' and 'notice' and the status 'muted'; sqlite cannot alter a CHECK, so rebuild.
CREATE TABLE actions_v2 (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  deploy_id   TEXT NOT NULL REFERENCES deploys (id) ON DELETE CASCADE,
  kind        TEXT NOT NULL CHECK (kind IN ('rollback','alert','resolve','notice')),
  target      TEXT NOT NULL,
  dedup_key   TEXT NOT NULL UNIQUE,
  status      TEXT NOT NULL CHECK (status IN ('pending','running','succeeded','failed','interrupted','muted')),
  request     TEXT,
  output      TEXT,
  error       TEXT,
  created_at  REAL NOT NULL,
  finished_at REAL
);
INSERT INTO actions_v2 (id, deploy_id, kind, target, dedup_key, status, request, output, error, created_at, finished_at)
  SELECT id, deploy_id, kind, target, dedup_key, status, request, output, error, created_at, finished_at FROM actions;
DROP TABLE actions;
ALTER TABLE actions_v2 RENAME TO actions;
CREATE INDEX actions_by_deploy ON actions (deploy_id, id);
CREATE INDEX actions_by_status ON actions (status);

CREATE TABLE silences (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  service     TEXT NOT NULL,
  environment TEXT,
  starts_at   REAL NOT NULL,
  ends_at     REAL NOT NULL CHECK (ends_at > starts_at),
  created_by  TEXT NOT NULL,
  reason      TEXT NOT NULL,
  created_at  REAL NOT NULL,
  expired_at  REAL,
  expired_by  TEXT
);
CREATE INDEX silences_by_end ON silences (ends_at);

-- Every notification and hook call is written here before it is attempted (the outbox).
-- thread: deliveries with the same channel and thread go out in id order (a PagerDuty resolve after its trigger).
CREATE TABLE deliveries (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  dedup_key       TEXT NOT NULL UNIQUE,
  deploy_id       TEXT REFERENCES deploys (id) ON DELETE CASCADE,
  action_id       INTEGER REFERENCES actions (id) ON DELETE SET NULL,
  service         TEXT,
  environment     TEXT,
  kind            TEXT NOT NULL CHECK (kind IN (${sqlList(DELIVERY_KINDS)})),
  event           TEXT NOT NULL,
  channel         TEXT NOT NULL,
  channel_type    TEXT NOT NULL,
  severity        TEXT CHECK (severity IN (${sqlList(SEVERITIES)})),
  thread          TEXT,
  payload         TEXT NOT NULL,
  status          TEXT NOT NULL CHECK (status IN (${sqlList(DELIVERY_STATUSES)})),
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at REAL NOT NULL,
  deadline_at     REAL NOT NULL,
  last_error      TEXT,
  output          TEXT,
  silence_id      INTEGER REFERENCES silences (id),
  created_at      REAL NOT NULL,
  updated_at      REAL NOT NULL,
  finished_at     REAL
);
CREATE INDEX deliveries_due ON deliveries (status, next_attempt_at);
CREATE INDEX deliveries_by_thread ON deliveries (channel, thread, id);
CREATE INDEX deliveries_by_deploy ON deliveries (deploy_id, id);
CREATE INDEX deliveries_by_silence ON deliveries (silence_id);

-- After a rollback the guard keeps watching the service until it is back to its baseline (or the window ends).
CREATE TABLE recoveries (
  deploy_id      TEXT PRIMARY KEY REFERENCES deploys (id) ON DELETE CASCADE,
  status         TEXT NOT NULL CHECK (status IN (${sqlList(RECOVERY_STATUSES)})),
  rolled_back_at REAL NOT NULL,
  window_end     REAL NOT NULL,
  rules          TEXT NOT NULL,
  checked_at     REAL,
  summary        TEXT,
  updated_at     REAL NOT NULL
);
CREATE INDEX recoveries_by_status ON recoveries (status);
`,
};
