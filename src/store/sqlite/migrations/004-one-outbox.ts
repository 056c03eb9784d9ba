// Migration 4: one outbox. The deploy-facing `actions` table is folded into `deliveries` (each delivery may carry
// its action: kind, target, request), so there is one state machine and one history per deploy.
import { SEVERITIES } from '../../../judge/types.js';
import { ACTION_KINDS, DELIVERY_KINDS, DELIVERY_STATUSES } from '../../records.js';
import { sqlList, type Migration } from './migration.js';

const COLUMNS = `dedup_key, deploy_id, service, environment, kind, event, channel, channel_type, severity, thread, payload, status,
  attempts, next_attempt_at, deadline_at, last_error, output, silence_id, created_at, updated_at, finished_at`;

export const ONE_OUTBOX_MIGRATION: Migration = {
  version: 4,
  name: 'one outbox: actions folded into deliveries',
  sql: `
CREATE TABLE deliveries_v4 (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  dedup_key       TEXT NOT NULL UNIQUE,
  deploy_id       TEXT REFERENCES deploys (id) ON DELETE CASCADE,
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
  finished_at     REAL,
  -- The deploy-facing record (GET /v1/deploys/:id "actions"); all three null for a channel-only message.
  action_kind     TEXT CHECK (action_kind IN (${sqlList(ACTION_KINDS)})),
  action_target   TEXT,
  action_request  TEXT,
  CHECK ((action_kind IS NULL) = (action_target IS NULL))
);

INSERT INTO deliveries_v4 (id, ${COLUMNS}, action_kind, action_target, action_request)
  SELECT d.id, ${COLUMNS.replace(/(\w+)/g, 'd.$1')}, a.kind, a.target, a.request
  FROM deliveries d LEFT JOIN actions a ON a.id = d.action_id
  ORDER BY d.id;

-- Actions recorded before the outbox existed (no delivery) become finished deliveries: kept as history, never sent
-- again. One left running by a crash is interrupted, as the old restart did.
INSERT OR IGNORE INTO deliveries_v4 (${COLUMNS}, action_kind, action_target, action_request)
  SELECT a.dedup_key, a.deploy_id, dp.service, dp.environment,
         CASE a.kind WHEN 'rollback' THEN 'hook' ELSE 'notification' END,
         a.kind, a.target, 'unknown', NULL, NULL, COALESCE(a.request, 'null'),
         CASE a.status WHEN 'succeeded' THEN 'delivered' WHEN 'failed' THEN 'failed' WHEN 'muted' THEN 'muted' ELSE 'interrupted' END,
         CASE WHEN a.status IN ('succeeded', 'failed') THEN 1 ELSE 0 END,
         a.created_at, a.created_at,
         CASE WHEN a.status IN ('pending', 'running') THEN COALESCE(a.error, 'the guard stopped while this action was running; check its effect by hand') ELSE a.error END,
         a.output, NULL, a.created_at, COALESCE(a.finished_at, a.created_at), COALESCE(a.finished_at, a.created_at),
         a.kind, a.target, a.request
  FROM actions a JOIN deploys dp ON dp.id = a.deploy_id
  WHERE NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.action_id = a.id)
  ORDER BY a.id;

DROP TABLE deliveries;
DROP TABLE actions;
ALTER TABLE deliveries_v4 RENAME TO deliveries;
CREATE INDEX deliveries_due ON deliveries (status, next_attempt_at);
CREATE INDEX deliveries_by_thread ON deliveries (channel, thread, id);
CREATE INDEX deliveries_by_deploy ON deliveries (deploy_id, id);
CREATE INDEX deliveries_by_silence ON deliveries (silence_id);
`,
};
