// PostgreSQL migration 2: leases. A watch, a delivery in flight and a recovery check each belong to one replica until
// its lease expires (database clock); the fence grows at every change of holder, so a stale holder can be told apart.
import type { PgMigration } from './migration.js';

const leaseColumns = (table: string) => `
ALTER TABLE ${table} ADD COLUMN lease_holder  TEXT;
ALTER TABLE ${table} ADD COLUMN lease_fence   BIGINT NOT NULL DEFAULT 0;
ALTER TABLE ${table} ADD COLUMN lease_expires DOUBLE PRECISION;`;

export const LEASES: PgMigration = {
  version: 2,
  name: 'leases',
  sql: `
${leaseColumns('watches')}
${leaseColumns('deliveries')}
${leaseColumns('recoveries')}
CREATE INDEX watches_open_leases ON watches (lease_expires) WHERE status = 'watching';
CREATE INDEX deliveries_sending_leases ON deliveries (lease_expires) WHERE status = 'sending';
`,
};
