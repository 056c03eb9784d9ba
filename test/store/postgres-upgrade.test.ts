// PostgreSQL upgrades: a schema made before nonces, silent and shadow findings (version 2) is brought up to date.
import { afterEach, beforeEach, expect, it } from 'vitest';
import { FINDING_KINDS } from '../../src/store/records.js';
import { migratePg, PG_MIGRATIONS } from '../../src/store/postgres/migrate.js';
import { openPgDb, type PgDb } from '../../src/store/postgres/pg-db.js';
import { sqlList } from '../../src/store/sqlite/migrations/migration.js';
import { testSchema, type TestSchema } from './pg-schema.js';

let ts: TestSchema;
let db: PgDb;

beforeEach(async () => {
  ts = await testSchema();
  db = openPgDb({ url: ts.url, poolSize: 2, schema: ts.schema });
});
afterEach(async () => {
  await db.close();
  await ts.drop();
});

it('upgrades a version 2 schema: nonces, one kind CHECK that admits silent, and the shadow column', async () => {
  await migratePg(db, PG_MIGRATIONS.slice(0, 2));
  // Version 2 as released: the kind CHECK without `silent`.
  const old = FINDING_KINDS.filter((k) => k !== 'silent');
  await db.exec(`ALTER TABLE findings DROP CONSTRAINT findings_kind_check;
    ALTER TABLE findings ADD CONSTRAINT findings_kind_check CHECK (kind IN (${sqlList(old)}))`);

  expect(await migratePg(db)).toEqual(PG_MIGRATIONS.slice(2).map((m) => m.version));

  const checks = await ts.sql<{ def: string }>(
    `SELECT pg_get_constraintdef(c.oid) AS def FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
     JOIN pg_namespace n ON n.oid = t.relnamespace WHERE n.nspname = $1 AND t.relname = 'findings' AND c.contype = 'c'
       AND pg_get_constraintdef(c.oid) LIKE '%kind%'`,
    [ts.schema],
  );
  expect(checks).toHaveLength(1);
  for (const kind of FINDING_KINDS) expect(checks[0]?.def).toContain(`'${kind}'`);
  const columns = await ts.sql<{ column_name: string }>(
    `SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'findings' AND column_name = 'shadow'`,
    [ts.schema],
  );
  expect(columns).toHaveLength(1);
  expect(await db.get('SELECT COUNT(*) AS n FROM nonces')).toEqual({ n: expect.anything() });
});
