// Migration 8: the write probe (WriteProbeStore) that finds a store writable again after a full disk.
import type { Migration } from './migration.js';

export const STORE_PROBE_MIGRATION: Migration = {
  version: 8,
  name: 'store write probe',
  // One row per recovery from an unwritable store (disk full): the probe write that found it writable again.
  sql: `
CREATE TABLE store_probe (
  id  INTEGER PRIMARY KEY,
  at  REAL NOT NULL,
  pad BLOB NOT NULL
);
`,
};
