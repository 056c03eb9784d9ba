// The SQLite migrations in order: one numbered file each; append, never edit a released one.
import { INITIAL_MIGRATION } from './001-initial.js';
import { OUTBOX_MIGRATION } from './002-outbox.js';
import { FINDING_EVIDENCE_MIGRATION } from './003-finding-evidence.js';
import { ONE_OUTBOX_MIGRATION } from './004-one-outbox.js';
import type { Migration } from './migration.js';

export type { Migration } from './migration.js';

export const MIGRATIONS: readonly Migration[] = [INITIAL_MIGRATION, OUTBOX_MIGRATION, FINDING_EVIDENCE_MIGRATION, ONE_OUTBOX_MIGRATION];
