// Which store backend the guard uses: a discriminated union on `kind`, one member per backend folder.
import { z } from 'zod';

/** The embedded default: one SQLite file (default `<dataDir>/release-guard.db`); one guard per file. */
export const SqliteStoreConfig = z
  .object({
    kind: z.literal('sqlite'),
    /** The database file; relative to the config file's folder. Default: release-guard.db in the data dir. */
    path: z.string().min(1).optional(),
  })
  .strict();
export type SqliteStoreConfig = z.infer<typeof SqliteStoreConfig>;

/**
 * `store:` in the config file. Adding a backend: a folder under src/store/, its config object here (kind literal),
 * its opener in ./open.ts, and its factory in test/store/backends.ts so the conformance suite runs against it.
 */
export const StoreConfig = z.discriminatedUnion('kind', [SqliteStoreConfig], {
  error: (issue) => (issue.code === 'invalid_union' ? 'store.kind must be one of: sqlite' : undefined),
});
export type StoreConfig = z.infer<typeof StoreConfig>;

export const DEFAULT_STORE: StoreConfig = { kind: 'sqlite' };

/** The file name of the SQLite database in the data dir. */
export const SQLITE_FILE = 'release-guard.db';
