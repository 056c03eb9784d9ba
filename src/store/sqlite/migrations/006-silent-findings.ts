// Migration 6: findings may be `silent` (a series that stopped while the source answered, DESIGN §5). SQLite cannot
// alter a CHECK, so the table is rebuilt with the same columns (evidence and cleared_at from migration 3).
import { SEVERITIES } from '../../../judge/types.js';
import { FINDING_KINDS } from '../../records.js';
import { sqlList, type Migration } from './migration.js';

export const SILENT_FINDINGS_MIGRATION: Migration = {
  version: 6,
  name: 'silent findings',
  sql: `
CREATE TABLE findings_v6 (
  deploy_id  TEXT NOT NULL REFERENCES deploys (id) ON DELETE CASCADE,
  rule       TEXT NOT NULL,
  metric     TEXT NOT NULL,
  severity   TEXT NOT NULL CHECK (severity IN (${sqlList(SEVERITIES)})),
  kind       TEXT NOT NULL CHECK (kind IN (${sqlList(FINDING_KINDS)})),
  at         REAL NOT NULL,
  observed   REAL,
  baseline   REAL,
  condition  TEXT NOT NULL,
  summary    TEXT NOT NULL,
  evidence   TEXT,
  cleared_at REAL,
  PRIMARY KEY (deploy_id, rule)
) WITHOUT ROWID;
INSERT INTO findings_v6 (deploy_id, rule, metric, severity, kind, at, observed, baseline, condition, summary, evidence, cleared_at)
  SELECT deploy_id, rule, metric, severity, kind, at, observed, baseline, condition, summary, evidence, cleared_at FROM findings;
DROP TABLE findings;
ALTER TABLE findings_v6 RENAME TO findings;
`,
};
