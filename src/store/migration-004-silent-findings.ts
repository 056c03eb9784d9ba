// Migration 4: findings may be `silent` (a series that stopped while the source answered, DESIGN §5), not only breach or blind.
import { FINDING_KINDS } from '../judge/types.js';

const SEVERITIES = "'P0','P1','P2','P3'";
const KINDS = FINDING_KINDS.map((k) => `'${k}'`).join(',');

/** A Migration (migrations.ts), typed structurally so this file does not import the list that imports it. */
export const SILENT_FINDINGS_MIGRATION = {
  version: 4,
  name: 'silent findings',
  // sqlite cannot alter a CHECK, so the table is rebuilt with the same columns (evidence and cleared_at from migration 3).
  sql: `
CREATE TABLE findings_v4 (
  deploy_id  TEXT NOT NULL REFERENCES deploys (id) ON DELETE CASCADE,
  rule       TEXT NOT NULL,
  metric     TEXT NOT NULL,
  severity   TEXT NOT NULL CHECK (severity IN (${SEVERITIES})),
  kind       TEXT NOT NULL CHECK (kind IN (${KINDS})),
  at         REAL NOT NULL,
  observed   REAL,
  baseline   REAL,
  condition  TEXT NOT NULL,
  summary    TEXT NOT NULL,
  evidence   TEXT,
  cleared_at REAL,
  PRIMARY KEY (deploy_id, rule)
) WITHOUT ROWID;
INSERT INTO findings_v4 (deploy_id, rule, metric, severity, kind, at, observed, baseline, condition, summary, evidence, cleared_at)
  SELECT deploy_id, rule, metric, severity, kind, at, observed, baseline, condition, summary, evidence, cleared_at FROM findings;
DROP TABLE findings;
ALTER TABLE findings_v4 RENAME TO findings;
`,
};
