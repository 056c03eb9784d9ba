// Opens the configured store backend: the one place that maps a config `kind` to its implementation.
import path from 'node:path';
import type { StoreConfig } from './config.js';
import { SQLITE_FILE } from './config.js';
import type { Store } from './interfaces.js';
import { defaultReplicaName } from './config.js';
import { openSqliteStore } from './sqlite/index.js';
import type { Logger } from '../telemetry/logger.js';

export interface StoreContext {
  /** The guard's data dir (where the embedded SQLite file lives by default). */
  dataDir: string;
  /** The PostgreSQL URL with its password (RELEASE_GUARD_STORE_URL, store.urlFile or store.url); postgres only. */
  postgresUrl?: string | null;
  /** Told when a pooled connection fails while idle, and which replica this is; postgres only. */
  logger?: Logger;
}

type Openers = { [K in StoreConfig['kind']]: (config: Extract<StoreConfig, { kind: K }>, ctx: StoreContext) => Promise<Store> };

const OPENERS: Openers = {
  sqlite: (c, ctx) => openSqliteStore(c.path ?? path.join(ctx.dataDir, SQLITE_FILE)),
  postgres: async (c, ctx) => {
    if (!ctx.postgresUrl) throw new Error('store.kind is postgres but no URL was given: set RELEASE_GUARD_STORE_URL, store.urlFile or store.url');
    const replica = c.replica ?? defaultReplicaName();
    // Loaded only when the config asks for PostgreSQL: the embedded SQLite default never pays for the pg client.
    const { openPostgresStore } = await import('./postgres/index.js');
    const store = await openPostgresStore({
      url: ctx.postgresUrl,
      poolSize: c.poolSize,
      schema: c.schema,
      replica,
      leaseSeconds: c.lease,
      applicationName: `release-guard/${replica}`,
      onIdleError: (err) => ctx.logger?.warn({ err: err.message }, 'a pooled PostgreSQL connection failed; it is replaced'),
    });
    ctx.logger?.info({ replica, schema: c.schema, lease: c.lease }, `replica ${replica} shares the PostgreSQL store ${store.db.where} (schema ${c.schema})`);
    return store;
  },
};

/** Opens (creating and migrating as needed) the store the config names. */
export function openStore(config: StoreConfig, ctx: StoreContext): Promise<Store> {
  const open = OPENERS[config.kind] as (c: StoreConfig, ctx: StoreContext) => Promise<Store>;
  return open(config, ctx);
}
