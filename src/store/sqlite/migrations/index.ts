// The SQLite migrations in order: one numbered file each; append, never edit a released one.
import { INITIAL_MIGRATION } from './001-initial.js';
import { OUTBOX_MIGRATION } from './002-outbox.js';
import { FINDING_EVIDENCE_MIGRATION } from './003-finding-evidence.js';
import { ONE_OUTBOX_MIGRATION } from './004-one-outbox.js';
import { NONCES_MIGRATION } from './005-nonces.js';
import { SILENT_FINDINGS_MIGRATION } from './006-silent-findings.js';
import { SHADOW_FINDINGS_MIGRATION } from './007-shadow-findings.js';
import { STORE_PROBE_MIGRATION } from './008-store-probe.js';
import { REVIEW_MIGRATION } from './009-review.js';
import { SOURCE_OUTAGES_MIGRATION } from './010-source-outages.js';
import { DELIVERY_ATTEMPTS_MIGRATION } from './011-delivery-attempts.js';
import type { Migration } from './migration.js';

export type { Migration } from './migration.js';

export const MIGRATIONS: readonly Migration[] = [
  INITIAL_MIGRATION,
  OUTBOX_MIGRATION,
  FINDING_EVIDENCE_MIGRATION,
  ONE_OUTBOX_MIGRATION,
  NONCES_MIGRATION,
  SILENT_FINDINGS_MIGRATION,
  SHADOW_FINDINGS_MIGRATION,
  STORE_PROBE_MIGRATION,
  REVIEW_MIGRATION,
  SOURCE_OUTAGES_MIGRATION,
  DELIVERY_ATTEMPTS_MIGRATION,
];
