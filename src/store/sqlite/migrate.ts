// Applies the numbered schema migrations (./migrations/) in order on open (one transaction each) and recorded in schema_migrations.
import type { Db } from './db.js';
import { MIGRATIONS } from './migrations/index.js';

export { MIGRATIONS };
import type { Migration } from './migrations/migration.js';

/** The highest schema version this build knows. */
export const LATEST_VERSION = MIGRATIONS.reduce((max, m) => Math.max(max, m.version), 0);

/**
 * Brings the database up to `LATEST_VERSION`, one transaction per migration, and returns the versions it applied.
 * Refuses a database written by a newer release-guard rather than guess at a schema it does not know.
 */
export async function migrate(db: Db, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  checkSequence(migrations);
  const latest = migrations.at(-1)?.version ?? 0;
  await db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at REAL NOT NULL
  )`);
  const current = await currentVersion(db);
  if (current > latest) {
    throw new Error(
      `the database ${db.path} has schema version ${current}, newer than this release-guard knows (${latest}); ` +
        'upgrade release-guard, or point RELEASE_GUARD_DATA_DIR at a different directory',
    );
  }
  const applied: number[] = [];
  for (const m of migrations.filter((m) => m.version > current)) {
    const ran = await db
      .transaction(async (tx) => {
        // Another process may have applied it between our read and our write lock.
        if (await tx.get('SELECT 1 AS one FROM schema_migrations WHERE version = ?', [m.version])) return false;
        await tx.exec(m.sql);
        await tx.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [m.version, m.name, Date.now() / 1000]);
        return true;
      })
      .catch((cause: unknown) => {
        throw new Error(`migration ${m.version} (${m.name}) failed on ${db.path}; the database is left at version ${applied.at(-1) ?? current}`, { cause });
      });
    if (ran) applied.push(m.version);
  }
  return applied;
}

/** The highest migration version recorded in the database, 0 for a fresh one. */
export async function currentVersion(db: Db): Promise<number> {
  const row = await db.get<{ version: number | null }>('SELECT MAX(version) AS version FROM schema_migrations');
  return row?.version ?? 0;
}

function checkSequence(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1)
      throw new Error(`migration "${m.name}" has version ${m.version} but is number ${i + 1} in the list; versions must be 1, 2, 3, … in order`);
  });
}
