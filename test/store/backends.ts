// The store backends the conformance suite runs against, and the one way tests elsewhere open a store.
// Adding a backend: one factory in BACKENDS (and RELEASE_GUARD_TEST_STORE=<name> runs every other test on it too).
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, beforeEach } from 'vitest';
import type { StoreConfig } from '../../src/store/config.js';
import type { Store } from '../../src/store/interfaces.js';
import { openStore } from '../../src/store/open.js';
import { TEST_PG_URL } from './pg-schema.js';
import { tempDir } from './sample-records.js';

export interface StoreBackend {
  /** The config `kind`. */
  name: StoreConfig['kind'];
  /**
   * The config of an empty store for a test keyed by `dir` (a fresh temp directory). The same `dir` must give the
   * same store (re-open after close sees the data); different dirs must not share data.
   */
  configFor(dir: string): Promise<StoreConfig>;
  /** What else `openStore` needs for this backend (the PostgreSQL URL). */
  context?: { postgresUrl: string };
}

/**
 * PostgreSQL: one schema per test dir in the test database (pg-schema.ts), named from the dir so that re-opening the
 * same dir finds the same data. Schemas are dropped when the test's temp dir is removed (see `dropSchemaOf`).
 */
const postgres: StoreBackend = {
  name: 'postgres',
  configFor: async (dir) => ({ kind: 'postgres', schema: schemaFor(dir), poolSize: 4, lease: 30, replica: 'conformance' }),
  context: { postgresUrl: TEST_PG_URL },
};

export const BACKENDS: readonly StoreBackend[] = [{ name: 'sqlite', configFor: async (dir) => ({ kind: 'sqlite', path: join(dir, 'guard.db') }) }, postgres];

/** `rg_c_<hash of dir>`: stable for a dir, distinct between dirs. */
function schemaFor(dir: string): string {
  return `rg_c_${createHash('sha256').update(dir).digest('hex').slice(0, 16)}`;
}

/** Drops the schema a PostgreSQL test store used for `dir` (no-op for other backends). */
async function dropSchemaOf(dir: string, backend: StoreBackend): Promise<void> {
  if (backend.name !== 'postgres') return;
  const client = new pg.Client({ connectionString: TEST_PG_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schemaFor(dir)} CASCADE`);
  } finally {
    await client.end();
  }
}

/** The backend tests outside test/store/ use: RELEASE_GUARD_TEST_STORE names one, default sqlite. */
export function testBackend(): StoreBackend {
  const wanted = process.env['RELEASE_GUARD_TEST_STORE'] ?? 'sqlite';
  const backend = BACKENDS.find((b) => b.name === wanted);
  if (!backend)
    throw new Error(`RELEASE_GUARD_TEST_STORE=${wanted} names no backend in test/store/backends.ts; use one of ${BACKENDS.map((b) => b.name).join(', ')}`);
  return backend;
}

/** Opens the test backend's store for `dir` (migrated, empty on first open). */
export async function openTestStore(dir: string, backend: StoreBackend = testBackend()): Promise<Store> {
  return openStore(await backend.configFor(dir), { dataDir: dir, ...backend.context });
}

/** A fresh store per test (and its temp dir), closed and removed after it; `reopen` closes and opens the same store. */
export function useStore(backend: StoreBackend = testBackend()): { readonly store: Store; readonly dir: string; reopen(): Promise<Store> } {
  let store: Store | undefined;
  let dir = '';
  let remove: () => Promise<void> = async () => undefined;
  beforeEach(async () => {
    ({ dir, remove } = await tempDir());
    store = await openTestStore(dir, backend);
  });
  afterEach(async () => {
    await store?.close().catch(() => undefined);
    store = undefined;
    await dropSchemaOf(dir, backend);
    await remove();
  });
  return {
    get store() {
      if (!store) throw new Error('useStore: the store is open only inside a test');
      return store;
    },
    get dir() {
      return dir;
    },
    async reopen() {
      await store?.close();
      store = await openTestStore(dir, backend);
      return store;
    },
  };
}
