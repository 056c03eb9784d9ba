// Every SQLite table is either copied by `release-guard store copy` or listed as not copied, with a reason. A new
// migration's table fails this test until it is added to src/store/copy/tables.ts (in foreign-key order).
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { COPIED_TABLES, NOT_COPIED } from '../../src/store/copy/tables.js';
import { openDb } from '../../src/store/sqlite/db.js';
import { migrate } from '../../src/store/sqlite/migrate.js';
import { tempDir } from './sample-records.js';

let dir: string;
let remove: () => Promise<void>;
beforeEach(async () => ({ dir, remove } = await tempDir()));
afterEach(() => remove());

it('covers every table of a freshly migrated SQLite store, and lists none that does not exist', async () => {
  const db = await openDb(join(dir, 'guard.db'));
  try {
    await migrate(db);
    const tables = (await db.all<{ name: string }>(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`)).map((r) => r.name);
    const copied = COPIED_TABLES.map((t) => t.table);
    const uncovered = tables.filter((t) => !copied.includes(t) && !(t in NOT_COPIED));
    expect(uncovered, 'add these tables to COPIED_TABLES (or NOT_COPIED with a reason) in src/store/copy/tables.ts').toEqual([]);
    expect(
      [...copied, ...Object.keys(NOT_COPIED)].filter((t) => !tables.includes(t)),
      'listed but not in the schema',
    ).toEqual([]);
    expect(new Set(copied).size).toBe(copied.length);
  } finally {
    await db.close();
  }
});

it('copies parents before children: each table comes after every table its foreign keys reference', async () => {
  const db = await openDb(join(dir, 'guard.db'));
  try {
    await migrate(db);
    const order = COPIED_TABLES.map((t) => t.table);
    const late: string[] = [];
    for (const [i, table] of order.entries()) {
      const parents = await db.all<{ table: string }>('SELECT DISTINCT "table" FROM pragma_foreign_key_list(?)', [table]);
      for (const p of parents) if (p.table !== table && order.indexOf(p.table) > i) late.push(`${table} → ${p.table}`);
    }
    expect(late).toEqual([]);
  } finally {
    await db.close();
  }
});
