// A PostgreSQL schema of its own for each test (PostgreSQL 15 on 127.0.0.1:5432, trust auth, database `test`),
// dropped afterwards. RELEASE_GUARD_TEST_PG overrides the server URL.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const TEST_PG_URL = process.env.RELEASE_GUARD_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestSchema {
  url: string;
  schema: string;
  /** Runs one statement as the superuser (e.g. pg_terminate_backend) with the schema on the search path. */
  sql<T extends pg.QueryResultRow = pg.QueryResultRow>(text: string, params?: unknown[]): Promise<T[]>;
  drop(): Promise<void>;
}

/** Creates `rg_t_<random>` in the test database; `drop()` removes it with everything in it. */
export async function testSchema(prefix = 'rg_t'): Promise<TestSchema> {
  const schema = `${prefix}_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_PG_URL, options: `-c search_path=${schema}` });
  await admin.connect().catch((cause: unknown) => {
    throw new Error(`cannot reach the test PostgreSQL at ${TEST_PG_URL}; start it (127.0.0.1:5432, trust auth, database test) or set RELEASE_GUARD_TEST_PG`, {
      cause,
    });
  });
  await admin.query(`CREATE SCHEMA ${schema}`);
  return {
    url: TEST_PG_URL,
    schema,
    sql: async <T extends pg.QueryResultRow>(text: string, params: unknown[] = []) => (await admin.query<T>(text, params)).rows,
    drop: async () => {
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
    },
  };
}
