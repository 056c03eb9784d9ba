// `release-guard store copy`: moves a single guard's history from its SQLite file into the PostgreSQL the replicas share.
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { SQLITE_FILE } from '../store/config.js';
import { copyHistory, CopyRefusedError, type CopyReport } from '../store/copy/copy-history.js';
import { DataDirLockedError, lockDataDir } from '../store/data-dir-lock.js';
import { openPgDb } from '../store/postgres/pg-db.js';
import { openDb } from '../store/sqlite/db.js';

export interface StoreCopyOptions {
  /** The SQLite file, the guard's data dir, or the single guard's config file. */
  from: string;
  /** A postgres:// URL or the replicas' config file; default RELEASE_GUARD_STORE_URL. */
  to?: string;
  /** Target schema; default the `--to` config's store.schema, else public. */
  schema?: string;
  replace?: boolean;
}

const isConfigFile = (p: string): boolean => /\.(ya?ml|json)$/i.test(p);

/** The SQLite file to read and the data dir whose lock guards it. */
async function resolveSource(from: string): Promise<{ file: string; dataDir: string }> {
  if (isConfigFile(from)) {
    const { loadConfig } = await import('../config/load.js');
    const { config } = loadConfig({ file: from });
    if (config.store.kind !== 'sqlite')
      throw new CopyRefusedError(`--from ${from}: its store is ${config.store.kind}, not sqlite; pass the single guard's config or its SQLite file`);
    return { file: config.store.path ?? path.join(config.dataDir, SQLITE_FILE), dataDir: config.dataDir };
  }
  const resolved = path.resolve(from);
  if (existsSync(resolved) && statSync(resolved).isDirectory()) return { file: path.join(resolved, SQLITE_FILE), dataDir: resolved };
  return { file: resolved, dataDir: path.dirname(resolved) };
}

/** The PostgreSQL URL (with its password) and schema. */
async function resolveTarget(opts: StoreCopyOptions, env: NodeJS.ProcessEnv): Promise<{ url: string; schema: string }> {
  if (opts.to && isConfigFile(opts.to)) {
    const { loadConfig } = await import('../config/load.js');
    const { config, secrets } = loadConfig({ file: opts.to, env });
    if (config.store.kind !== 'postgres' || !secrets.storeUrl)
      throw new CopyRefusedError(`--to ${opts.to}: its store is ${config.store.kind}, not postgres; pass the replicas' config or a postgres:// URL`);
    return { url: secrets.storeUrl, schema: opts.schema ?? config.store.schema };
  }
  const url = opts.to ?? env['RELEASE_GUARD_STORE_URL'];
  if (!url)
    throw new CopyRefusedError(
      "no target: pass --to <postgres://… URL or the replicas' config file>, or set RELEASE_GUARD_STORE_URL (keeps the password out of the process list)",
    );
  if (!/^postgres(ql)?:\/\//i.test(url))
    throw new CopyRefusedError(`--to must be a postgres:// URL or a config file (.yaml), not "${url.replace(/:[^/@:]*@/, ':***@')}"`);
  return { url, schema: opts.schema ?? 'public' };
}

/**
 * Copies, holding the source's data-dir lock so that no guard writes the file meanwhile (and refusing while one
 * runs); prints each table's rows and the verified totals. Throws CopyRefusedError / DataDirLockedError with the fix.
 */
export async function storeCopy(opts: StoreCopyOptions, out: (line: string) => void, env: NodeJS.ProcessEnv = process.env): Promise<CopyReport> {
  const source = await resolveSource(opts.from);
  if (!existsSync(source.file))
    throw new CopyRefusedError(`--from ${opts.from}: no SQLite database at ${source.file}; pass the guard's SQLite file, its data dir or its config`);
  const target = await resolveTarget(opts, env);
  let lock;
  try {
    lock = lockDataDir(source.dataDir);
  } catch (err) {
    if (!(err instanceof DataDirLockedError)) throw err;
    throw new CopyRefusedError(
      `${err.message}. A guard still runs on ${source.file}: stop it first (let its open watches finish if you want them ` +
        'judged by it — drain and switch — or copy right after stopping it and the replicas carry the open watches on)',
    );
  }
  const sqlite = await openDb(source.file);
  const pg = openPgDb({ url: target.url, poolSize: 2, schema: target.schema, applicationName: 'release-guard/store-copy' });
  try {
    out(`copying ${source.file} into ${pg.where} (schema ${target.schema}) in one transaction…`);
    const report = await copyHistory(sqlite, pg, {
      replace: opts.replace,
      onTable: (t, rows) => out(`  ${t.table.padEnd(16)} ${String(rows).padStart(9)}  ${t.what}`),
    });
    const total = report.tables.reduce((sum, t) => sum + t.rows, 0);
    if (report.replaced > 0) out(`deleted the ${report.replaced} rows the target held first (--replace)`);
    out(`done: ${total} rows in ${report.tables.length} tables; row counts verified equal in SQLite and PostgreSQL before the commit`);
    return report;
  } finally {
    await pg.close().catch(() => undefined);
    await sqlite.close().catch(() => undefined);
    lock.release();
  }
}
