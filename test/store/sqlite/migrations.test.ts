// Schema migrations: applied once in order, re-open is a no-op, a failed step leaves nothing, a newer schema is refused.
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDb } from '../../../src/store/sqlite/db.js';
import { LATEST_VERSION, MIGRATIONS, currentVersion, migrate } from '../../../src/store/sqlite/migrate.js';
import { openSqliteStore as openStore } from '../../../src/store/sqlite/index.js';
import { tempDir } from '../sample-records.js';

let dir: string;
let remove: () => Promise<void>;
let path: string;

beforeEach(async () => {
  ({ dir, remove } = await tempDir());
  path = join(dir, 'guard.db');
});
afterEach(() => remove());

const tables = async (p: string): Promise<string[]> => {
  const db = await openDb(p);
  const rows = await db.all<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name");
  await db.close();
  return rows.map((r) => r.name);
};

describe('migrate', () => {
  it('applies every migration once and records it; a second run is a no-op', async () => {
    const db = await openDb(path);
    expect(await migrate(db)).toEqual(MIGRATIONS.map((m) => m.version));
    expect(await migrate(db)).toEqual([]);
    const recorded = await db.all<{ version: number; name: string }>('SELECT version, name FROM schema_migrations ORDER BY version');
    expect(recorded).toEqual(MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
    expect(await currentVersion(db)).toBe(LATEST_VERSION);
    await db.close();
    expect(await tables(path)).toEqual([
      'blind_spots',
      'deliveries',
      'delivery_attempts',
      'deploys',
      'feedback',
      'findings',
      'nonces',
      'recoveries',
      'review_actions',
      'samples',
      'schema_migrations',
      'silences',
      'source_outages',
      'store_probe',
      'verdicts',
      'watches',
    ]);
  });

  it('re-opening a migrated store applies nothing and keeps the version', async () => {
    await (await openStore(path)).close();
    await (await openStore(path)).close();
    const db = await openDb(path);
    expect(await db.all('SELECT version FROM schema_migrations ORDER BY version')).toEqual(MIGRATIONS.map((m) => ({ version: m.version })));
    expect(await migrate(db)).toEqual([]);
    await db.close();
  });

  it('refuses a database written by a newer release-guard', async () => {
    await (await openStore(path)).close();
    const db = await openDb(path);
    await db.run("INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'from the future', 0)");
    await db.close();
    await expect(openStore(path)).rejects.toThrow(
      `the database ${path} has schema version 999, newer than this release-guard knows (${LATEST_VERSION}); upgrade release-guard, or point RELEASE_GUARD_DATA_DIR at a different directory`,
    );
  });

  it('rolls back a failing migration and leaves the database at the previous version', async () => {
    const db = await openDb(path);
    const next = LATEST_VERSION + 1;
    const broken = [...MIGRATIONS, { version: next, name: 'broken', sql: 'CREATE TABLE extra (a TEXT); INSERT INTO missing VALUES (1);' }];
    await expect(migrate(db, broken)).rejects.toThrow(`migration ${next} (broken) failed on ${path}; the database is left at version ${LATEST_VERSION}`);
    expect(await currentVersion(db)).toBe(LATEST_VERSION);
    expect(await db.get("SELECT name FROM sqlite_master WHERE name = 'extra'")).toBeUndefined();
    await db.close();
  });

  it('rejects a migration list that is not numbered 1, 2, 3, …', async () => {
    const db = await openDb(path);
    await expect(migrate(db, [{ version: 2, name: 'skipped one', sql: '' }])).rejects.toThrow(
      'migration "skipped one" has version 2 but is number 1 in the list',
    );
    await db.close();
  });
});
