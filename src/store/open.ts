// Opens the configured store backend: the one place that maps a config `kind` to its implementation.
import path from 'node:path';
import type { StoreConfig } from './config.js';
import { SQLITE_FILE } from './config.js';
import type { Store } from './interfaces.js';
import { openSqliteStore } from './sqlite/index.js';

export interface StoreContext {
  /** The guard's data dir (where the embedded SQLite file lives by default). */
  dataDir: string;
}

type Openers = { [K in StoreConfig['kind']]: (config: Extract<StoreConfig, { kind: K }>, ctx: StoreContext) => Promise<Store> };

const OPENERS: Openers = {
  sqlite: (c, ctx) => openSqliteStore(c.path ?? path.join(ctx.dataDir, SQLITE_FILE)),
};

/** Opens (creating and migrating as needed) the store the config names. */
export function openStore(config: StoreConfig, ctx: StoreContext): Promise<Store> {
  const open = OPENERS[config.kind] as (c: StoreConfig, ctx: StoreContext) => Promise<Store>;
  return open(config, ctx);
}
