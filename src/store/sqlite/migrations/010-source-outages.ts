// Migration 10: open metric-source outages (SourceOutageStore), so one outage is one alert across restarts.
import type { Migration } from './migration.js';

export const SOURCE_OUTAGES_MIGRATION: Migration = {
  version: 10,
  name: 'source outages',
  // One row per source in an outage; deleted when the outage ends. deploys: JSON array of deploy ids.
  sql: `
CREATE TABLE source_outages (
  source       TEXT PRIMARY KEY,
  since        REAL NOT NULL,
  last_failure REAL NOT NULL,
  deploys      TEXT NOT NULL
);
`,
};
