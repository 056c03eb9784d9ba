// Numbered PostgreSQL migrations, applied in order at start-up under an advisory lock (replicas may start together).
import type { PgDb } from './pg-db.js';
import { INITIAL } from './migrations/001-initial.js';
import { LEASES } from './migrations/002-leases.js';
import { NONCES } from './migrations/003-nonces.js';
import { SILENT_FINDINGS } from './migrations/004-silent-findings.js';
import { SHADOW_FINDINGS } from './migrations/005-shadow-findings.js';
import { REVIEW_AND_PROBE } from './migrations/006-review-and-probe.js';
import { SOURCE_OUTAGES } from './migrations/007-source-outages.js';
import { DELIVERY_ATTEMPTS } from './migrations/008-delivery-attempts.js';

/** One schema step. Versions start at 1 and increase by 1; a released migration is never edited, only followed. */
import type { PgMigration } from './migrations/migration.js';

export type { PgMigration };

/** Append-only: a new table or column is the next numbered file in ./migrations/, added at the end here. */
export const PG_MIGRATIONS: readonly PgMigration[] = [
  INITIAL,
  LEASES,
  NONCES,
  SILENT_FINDINGS,
  SHADOW_FINDINGS,
  REVIEW_AND_PROBE,
  SOURCE_OUTAGES,
  DELIVERY_ATTEMPTS,
];

/** Any constant; the advisory lock that serializes migrations of concurrent replicas. */
const MIGRATION_LOCK = 7_403_113;

/**
 * Creates the schema if needed and brings it up to the last migration, all in one transaction under an advisory lock;
 * returns the versions applied. Refuses a schema written by a newer release-guard.
 */
export async function migratePg(db: PgDb, migrations: readonly PgMigration[] = PG_MIGRATIONS): Promise<number[]> {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1)
      throw new Error(`postgres migration "${m.name}" has version ${m.version} but is number ${i + 1} in the list; versions must be 1, 2, 3, … in order`);
  });
  const latest = migrations.at(-1)?.version ?? 0;
  return db.transaction(async (tx) => {
    await tx.get('SELECT pg_advisory_xact_lock(?::bigint) AS locked', [MIGRATION_LOCK]);
    await tx.exec(`CREATE SCHEMA IF NOT EXISTS ${db.schema}`);
    await tx.exec(
      `CREATE TABLE IF NOT EXISTS ${db.schema}.schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at DOUBLE PRECISION NOT NULL)`,
    );
    const row = await tx.get<{ version: number | null }>(`SELECT MAX(version) AS version FROM ${db.schema}.schema_migrations`);
    const current = row?.version ?? 0;
    if (current > latest) {
      throw new Error(
        `the PostgreSQL schema ${db.schema} on ${db.where} has version ${current}, newer than this release-guard knows (${latest}); upgrade every replica to the same release`,
      );
    }
    const applied: number[] = [];
    for (const m of migrations.filter((m) => m.version > current)) {
      await tx.exec(m.sql).catch((cause: unknown) => {
        throw new Error(`postgres migration ${m.version} (${m.name}) failed on ${db.where}; nothing was applied`, { cause });
      });
      await tx.run(`INSERT INTO ${db.schema}.schema_migrations (version, name, applied_at) VALUES (?, ?, extract(epoch from clock_timestamp()))`, [
        m.version,
        m.name,
      ]);
      applied.push(m.version);
    }
    return applied;
  });
}
