// The `store:` config key: the embedded SQLite file (default) or a shared PostgreSQL for several replicas.
import { hostname } from 'node:os';
import { z } from 'zod';
import { Duration } from '../rules/duration.js';

const URL_SECRET = 'store.url must not hold a password: set RELEASE_GUARD_STORE_URL, point store.urlFile at a file, or use PGPASSWORD / ~/.pgpass';

export const SqliteStoreConfig = z.object({ kind: z.literal('sqlite') }).strict();
export type SqliteStoreConfig = z.infer<typeof SqliteStoreConfig>;

export const PostgresStoreConfig = z
  .object({
    kind: z.literal('postgres'),
    /** postgres://user@host:5432/db — without a password (that is a secret: RELEASE_GUARD_STORE_URL or urlFile). */
    url: z
      .string()
      .refine((u) => !/^[a-z]+:\/\/[^/@]*:[^/@]*@/i.test(u), { error: URL_SECRET })
      .optional(),
    /** File whose first line is the full URL, password included. */
    urlFile: z.string().min(1).optional(),
    /** Schema the tables live in; several guards may share a database with different schemas. */
    schema: z.string().regex(/^[a-z_][a-z0-9_]*$/, 'store.schema is lower-case letters, digits and _').default('public'),
    poolSize: z.number().int().min(2).max(100).default(10),
    /** How long a replica's claim on a watch or a delivery lasts without renewal; renewed every third of it. */
    lease: Duration.default(30).refine((s) => s >= 1 && s <= 600, { error: 'store.lease must be between 1s and 10m' }),
    /** This replica's name in leases and logs; default host name and process id. */
    replica: z.string().regex(/^[A-Za-z0-9._:-]{1,100}$/, 'store.replica is letters, digits, . _ : - (at most 100)').optional(),
  })
  .strict();
export type PostgresStoreConfig = z.infer<typeof PostgresStoreConfig>;

export const StoreConfig = z.discriminatedUnion('kind', [SqliteStoreConfig, PostgresStoreConfig]);
export type StoreConfig = z.infer<typeof StoreConfig>;

/** The replica name used when the config names none: unique per process on a host. */
export function defaultReplicaName(): string {
  return `${hostname()}-${process.pid}`;
}
