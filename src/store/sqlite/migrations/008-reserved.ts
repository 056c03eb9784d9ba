// Migration 8: TEMPORARY placeholder for issue-8b's migration 8, so that the list stays 1, 2, 3, … (migrate.ts checks
// it). Replace this file with issue-8b's 008 when both branches are on main; never ship a release with it.
import type { Migration } from './migration.js';

export const RESERVED_8_MIGRATION: Migration = {
  version: 8,
  name: 'reserved for issue-8b',
  sql: '',
};
