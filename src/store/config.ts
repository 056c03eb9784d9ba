// Which store backend the guard uses: a discriminated union on `kind`, one member per backend folder.
import { hostname } from 'node:os';
import { z } from 'zod';
import { Duration } from '../rules/duration.js';

/** The embedded default: one SQLite file (default `<dataDir>/release-guard.db`); one guard per file. */
export const SqliteStoreConfig = z
  .object({
    kind: z.literal('sqlite'),
    /** The database file; relative to the config file's folder. Default: release-guard.db in the data dir. */
    path: z.string().min(1).optional(),
  })
  .strict();
export type SqliteStoreConfig = z.infer<typeof SqliteStoreConfig>;

const URL_SECRET = 'store.url must not hold a password: set RELEASE_GUARD_STORE_URL, point store.urlFile at a file, or use PGPASSWORD / ~/.pgpass';

/** PostgreSQL shared by several replicas (README "High availability"); the URL's password is a secret. */
export const PostgresStoreConfig = z
  .object({
    kind: z.literal('postgres'),
    /** postgres://user@host:5432/db — without a password (RELEASE_GUARD_STORE_URL or urlFile carry a full URL). */
    url: z
      .string()
      .refine((u) => !/^[a-z]+:\/\/[^/@]*:[^/@]*@/i.test(u), { error: URL_SECRET })
      .optional(),
    /** File whose first line is the full URL, password included; relative to the config file's folder. */
    urlFile: z.string().min(1).optional(),
    /** Schema the tables live in (created if missing); guards may share a database with different schemas. */
    schema: z
      .string()
      .regex(/^[a-z_][a-z0-9_]*$/, 'store.schema is lower-case letters, digits and _')
      .default('public'),
    /** Connections per replica. */
    poolSize: z.number().int().min(2).max(100).default(10),
    /** How long a replica's claim on a watch or a delivery lasts without renewal; renewed every third of it. */
    lease: Duration.default(30).refine((s) => s >= 1 && s <= 600, { error: 'store.lease must be between 1s and 10m' }),
    /** This replica's name in leases and logs; default host name and process id. */
    replica: z
      .string()
      .regex(/^[A-Za-z0-9._:-]{1,100}$/, 'store.replica is letters, digits, . _ : - (at most 100)')
      .optional(),
  })
  .strict();
export type PostgresStoreConfig = z.infer<typeof PostgresStoreConfig>;

/** The replica name used when the config names none: unique per process on a host (a pod's name in Kubernetes). */
export function defaultReplicaName(): string {
  return `${hostname()}-${process.pid}`;
}

/**
 * `store:` in the config file. Adding a backend: a folder under src/store/, its config object here (kind literal),
 * its opener in ./open.ts, and its factory in test/store/backends.ts so the conformance suite runs against it.
 */
export const StoreConfig = z.discriminatedUnion('kind', [SqliteStoreConfig, PostgresStoreConfig], {
  error: (issue) => (issue.code === 'invalid_union' ? 'store.kind must be one of: sqlite, postgres' : undefined),
});
export type StoreConfig = z.infer<typeof StoreConfig>;

export const DEFAULT_STORE: StoreConfig = { kind: 'sqlite' };

/** The file name of the SQLite database in the data dir. */
export const SQLITE_FILE = 'release-guard.db';
