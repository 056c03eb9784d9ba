// Migration 1: deploys, watches, samples, blind spots, findings, verdicts, and the first (since folded) actions table.
import { SEVERITIES } from '../../../judge/types.js';
import { BLIND_SPOT_KINDS, DEPLOY_ORIGINS, FINDING_KINDS, SAMPLE_SCOPES, VERDICTS, WATCH_STATUSES } from '../../records.js';
import { sqlList, type Migration } from './migration.js';

export const INITIAL_MIGRATION: Migration = {
  version: 1,
  name: 'initial schema',
  sql: `
CREATE TABLE deploys (
  id               TEXT PRIMARY KEY,
  service          TEXT NOT NULL,
  environment      TEXT NOT NULL,
  version          TEXT NOT NULL,
  previous_version TEXT,
  commit_sha       TEXT,
  started_at       REAL NOT NULL,
  labels           TEXT,
  links            TEXT,
  origin           TEXT NOT NULL CHECK (origin IN (${sqlList(DEPLOY_ORIGINS)})),
  received_at      REAL NOT NULL
);
CREATE INDEX deploys_by_received ON deploys (received_at DESC, id DESC);
CREATE INDEX deploys_by_service_env ON deploys (service, environment);

-- service, environment and started_at are copied from the deploy so that superseding is one indexed UPDATE.
CREATE TABLE watches (
  deploy_id     TEXT PRIMARY KEY REFERENCES deploys (id) ON DELETE CASCADE,
  service       TEXT NOT NULL,
  environment   TEXT NOT NULL,
  started_at    REAL NOT NULL,
  status        TEXT NOT NULL CHECK (status IN (${sqlList(WATCH_STATUSES)})),
  source        TEXT NOT NULL,
  time_scale    REAL NOT NULL,
  window_end    REAL NOT NULL,
  interval_s    REAL NOT NULL,
  evaluated_at  REAL,
  superseded_by TEXT REFERENCES deploys (id),
  reason        TEXT,
  updated_at    REAL NOT NULL
);
CREATE INDEX watches_by_status ON watches (status);
CREATE INDEX watches_by_service_env ON watches (service, environment, status);

CREATE TABLE samples (
  deploy_id TEXT NOT NULL REFERENCES deploys (id) ON DELETE CASCADE,
  scope     TEXT NOT NULL CHECK (scope IN (${sqlList(SAMPLE_SCOPES)})),
  metric    TEXT NOT NULL,
  t         REAL NOT NULL,
  value     REAL NOT NULL,
  PRIMARY KEY (deploy_id, scope, metric, t)
) WITHOUT ROWID;

CREATE TABLE blind_spots (
  deploy_id TEXT NOT NULL REFERENCES deploys (id) ON DELETE CASCADE,
  metric    TEXT NOT NULL,
  at        REAL NOT NULL,
  kind      TEXT NOT NULL CHECK (kind IN (${sqlList(BLIND_SPOT_KINDS)})),
  message   TEXT NOT NULL,
  PRIMARY KEY (deploy_id, metric, at)
) WITHOUT ROWID;

CREATE TABLE findings (
  deploy_id TEXT NOT NULL REFERENCES deploys (id) ON DELETE CASCADE,
  rule      TEXT NOT NULL,
  metric    TEXT NOT NULL,
  severity  TEXT NOT NULL CHECK (severity IN (${sqlList(SEVERITIES)})),
  kind      TEXT NOT NULL CHECK (kind IN (${sqlList(FINDING_KINDS)})),
  at        REAL NOT NULL,
  observed  REAL,
  baseline  REAL,
  condition TEXT NOT NULL,
  summary   TEXT NOT NULL,
  PRIMARY KEY (deploy_id, rule)
) WITHOUT ROWID;

CREATE TABLE verdicts (
  deploy_id   TEXT PRIMARY KEY REFERENCES deploys (id) ON DELETE CASCADE,
  verdict     TEXT NOT NULL CHECK (verdict IN (${sqlList(VERDICTS)})),
  severity    TEXT CHECK (severity IN (${sqlList(SEVERITIES)})),
  rollback    INTEGER NOT NULL CHECK (rollback IN (0, 1)),
  rollback_at REAL,
  reason      TEXT,
  decided_at  REAL NOT NULL
);

-- actions: the kinds and statuses as released in version 1 (history, not generated); folded into deliveries by migration 4.
CREATE TABLE actions (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  deploy_id   TEXT NOT NULL REFERENCES deploys (id) ON DELETE CASCADE,
  kind        TEXT NOT NULL CHECK (kind IN ('rollback','alert')),
  target      TEXT NOT NULL,
  dedup_key   TEXT NOT NULL UNIQUE,
  status      TEXT NOT NULL CHECK (status IN ('pending','running','succeeded','failed','interrupted')),
  request     TEXT,
  output      TEXT,
  error       TEXT,
  created_at  REAL NOT NULL,
  finished_at REAL
);
CREATE INDEX actions_by_deploy ON actions (deploy_id, id);
CREATE INDEX actions_by_status ON actions (status);
`,
};
