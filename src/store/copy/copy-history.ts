// Copies a guard's whole history from its SQLite file into a PostgreSQL schema, ids kept, in one PostgreSQL
// transaction: the target ends with all of it (row counts verified before the commit) or with nothing new.
import type { Db, Queryable, SqlValue } from '../sqlite/db.js';
import { currentVersion, LATEST_VERSION } from '../sqlite/migrate.js';
import { DB_NOW } from '../postgres/leases.js';
import { migratePg } from '../postgres/migrate.js';
import type { PgDb } from '../postgres/pg-db.js';
import { COPIED_TABLES, NOT_COPIED, type CopiedTable } from './tables.js';

/** The copy cannot or must not run; the message says why and what to do. Nothing was written. */
export class CopyRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CopyRefusedError';
  }
}

export interface CopyOptions {
  /** Delete what the target schema holds first (in the same transaction) instead of refusing a non-empty target. */
  replace?: boolean;
  /** Rows read from SQLite per page (memory bound). Default 2000. */
  pageRows?: number;
  /** Told after each table is copied. */
  onTable?(table: CopiedTable, rows: number): void;
}

export interface CopiedCount extends CopiedTable {
  /** Rows in the SQLite file, and in PostgreSQL after the copy (verified equal before the commit). */
  rows: number;
}

export interface CopyReport {
  tables: CopiedCount[];
  /** Rows deleted from the target first (`replace`). */
  replaced: number;
}

interface SourceTable {
  columns: string[];
  /** Primary-key columns in key order: the keyset the pages are read by. */
  key: string[];
}

/** Postgres allows 65535 parameters per statement; stay well below. */
const MAX_PARAMS = 30_000;

/**
 * Copies every table of COPIED_TABLES from `source` (a SQLite file at this release's schema version, which no guard
 * is writing: the caller holds its data-dir lock) into `target` (migrated here if needed). Refuses a target that
 * holds any rows unless `replace`, and always refuses one that replicas are working on (live leases).
 */
export async function copyHistory(source: Db, target: PgDb, opts: CopyOptions = {}): Promise<CopyReport> {
  const sourceTables = await readSourceSchema(source);
  await migratePg(target);
  return source.snapshot((src) =>
    target.transaction(async (tx) => {
      const identity = await checkTargetColumns(tx, target, sourceTables);
      const replaced = await emptyTarget(tx, target, opts.replace ?? false);
      const tables: CopiedCount[] = [];
      for (const t of COPIED_TABLES) {
        const shape = sourceTables.get(t.table) as SourceTable;
        const rows = await copyTable(src, tx, t.table, shape, identity.get(t.table) ?? [], opts.pageRows ?? 2000);
        await resetIdentity(tx, target.schema, t.table, identity.get(t.table) ?? []);
        opts.onTable?.(t, rows);
        tables.push({ ...t, rows });
      }
      await verifyCounts(src, tx, tables);
      return { tables, replaced };
    }),
  );
}

/** The SQLite file's tables and columns; refuses a file at another schema version or with a table the copy does not know. */
async function readSourceSchema(source: Db): Promise<Map<string, SourceTable>> {
  const version = await currentVersion(source).catch(() => 0);
  if (version !== LATEST_VERSION) {
    throw new CopyRefusedError(
      version === 0
        ? `${source.path} is not a release-guard database (no schema_migrations); pass the guard's SQLite file or its config`
        : `${source.path} has schema version ${version} but this release-guard writes version ${LATEST_VERSION}; ` +
            (version < LATEST_VERSION
              ? 'start and stop the guard once with this release (it upgrades the file), then copy'
              : 'copy with the release-guard that wrote it'),
    );
  }
  const names = (await source.all<{ name: string }>(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`)).map((r) => r.name);
  const unknown = names.filter((n) => !COPIED_TABLES.some((t) => t.table === n) && !(n in NOT_COPIED));
  if (unknown.length > 0)
    throw new CopyRefusedError(`${source.path} has tables this release-guard does not know how to copy: ${unknown.join(', ')}; nothing was copied`);
  const tables = new Map<string, SourceTable>();
  for (const { table } of COPIED_TABLES) {
    const info = await source.all<{ name: string; pk: number }>(`SELECT name, pk FROM pragma_table_info(?) ORDER BY cid`, [table]);
    if (info.length === 0) throw new CopyRefusedError(`${source.path} has no table ${table}; is it a release-guard database at version ${LATEST_VERSION}?`);
    tables.set(table, {
      columns: info.map((c) => c.name),
      key: info
        .filter((c) => c.pk > 0)
        .sort((a, b) => a.pk - b.pk)
        .map((c) => c.name),
    });
  }
  return tables;
}

/** Every SQLite column must exist in PostgreSQL (every problem at once); returns each table's identity columns. */
async function checkTargetColumns(tx: Queryable, target: PgDb, source: Map<string, SourceTable>): Promise<Map<string, string[]>> {
  const cols = await tx.all<{ table_name: string; column_name: string; is_identity: string }>(
    `SELECT table_name, column_name, is_identity FROM information_schema.columns WHERE table_schema = ?`,
    [target.schema],
  );
  const missing: string[] = [];
  const identity = new Map<string, string[]>();
  for (const [table, shape] of source) {
    const here = cols.filter((c) => c.table_name === table);
    for (const c of shape.columns) if (!here.some((h) => h.column_name === c)) missing.push(`${table}.${c}`);
    identity.set(
      table,
      here.filter((h) => h.is_identity === 'YES').map((h) => h.column_name),
    );
  }
  if (missing.length > 0) {
    throw new CopyRefusedError(
      `the PostgreSQL schema ${target.schema} on ${target.where} lacks columns the SQLite file has: ${missing.join(', ')}; a PostgreSQL migration is missing from this release-guard`,
    );
  }
  return identity;
}

/** Refuses a target with rows (unless `replace`, which deletes them) and one with live leases (replicas running). */
async function emptyTarget(tx: Queryable, target: PgDb, replace: boolean): Promise<number> {
  const live = await tx.get<{ n: string }>(
    `SELECT (SELECT COUNT(*) FROM watches WHERE lease_expires > ${DB_NOW}) + (SELECT COUNT(*) FROM recoveries WHERE lease_expires > ${DB_NOW}) AS n`,
  );
  if (Number(live?.n ?? 0) > 0) {
    throw new CopyRefusedError(
      `replicas are working on the PostgreSQL schema ${target.schema} on ${target.where} (${live?.n} live leases); stop every replica before copying into it, or copy into another schema (--schema)`,
    );
  }
  const counts: Array<[string, number]> = [];
  for (const { table } of COPIED_TABLES) {
    const row = await tx.get<{ n: string }>(`SELECT COUNT(*) AS n FROM ${table}`);
    if (Number(row?.n ?? 0) > 0) counts.push([table, Number(row?.n)]);
  }
  if (counts.length === 0) return 0;
  if (!replace) {
    throw new CopyRefusedError(
      `the PostgreSQL schema ${target.schema} on ${target.where} is not empty (${counts.map(([t, n]) => `${t}: ${n}`).join(', ')}); ` +
        'copy into an empty schema (--schema), or pass --replace to delete what it holds in the same transaction',
    );
  }
  for (const { table } of [...COPIED_TABLES].reverse()) await tx.run(`DELETE FROM ${table}`);
  return counts.reduce((sum, [, n]) => sum + n, 0);
}

/** Reads `table` page by page in key order and inserts each page with multi-row INSERTs; returns the rows copied. */
async function copyTable(src: Queryable, tx: Queryable, table: string, shape: SourceTable, identity: string[], pageRows: number): Promise<number> {
  const columns = shape.columns.join(', ');
  const keyList = shape.key.join(', ');
  const after = `(${keyList}) > (${shape.key.map(() => '?').join(', ')})`;
  const perInsert = Math.max(1, Math.floor(MAX_PARAMS / shape.columns.length));
  const overriding = identity.length > 0 ? ' OVERRIDING SYSTEM VALUE' : '';
  let last: SqlValue[] | null = null;
  let copied = 0;
  for (;;) {
    const page: Array<Record<string, SqlValue>> = await src.all(`SELECT ${columns} FROM ${table} ${last ? `WHERE ${after}` : ''} ORDER BY ${keyList} LIMIT ?`, [
      ...(last ?? []),
      pageRows,
    ]);
    if (page.length === 0) return copied;
    for (let i = 0; i < page.length; i += perInsert) {
      const rows = page.slice(i, i + perInsert);
      const tuple = `(${shape.columns.map(() => '?').join(', ')})`;
      await tx.run(
        `INSERT INTO ${table} (${columns})${overriding} VALUES ${rows.map(() => tuple).join(', ')}`,
        rows.flatMap((r) => shape.columns.map((c) => r[c] ?? null)),
      );
    }
    copied += page.length;
    const lastRow = page[page.length - 1] as Record<string, SqlValue>;
    last = shape.key.map((k) => lastRow[k] ?? null);
  }
}

/** Moves each identity sequence past the copied ids, so the next row PostgreSQL numbers does not collide. */
async function resetIdentity(tx: Queryable, schema: string, table: string, identity: string[]): Promise<void> {
  for (const col of identity) {
    await tx.get(`SELECT setval(pg_get_serial_sequence('${schema}.${table}', '${col}'), COALESCE(MAX(${col}), 1), MAX(${col}) IS NOT NULL) FROM ${table}`);
  }
}

/** Counts every table on both sides inside the copy's transaction; a difference aborts the whole copy. */
async function verifyCounts(src: Queryable, tx: Queryable, tables: CopiedCount[]): Promise<void> {
  const wrong: string[] = [];
  for (const t of tables) {
    const there = Number((await tx.get<{ n: string }>(`SELECT COUNT(*) AS n FROM ${t.table}`))?.n ?? -1);
    const here = Number((await src.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${t.table}`))?.n ?? -1);
    if (there !== here || there !== t.rows) wrong.push(`${t.table}: SQLite ${here}, copied ${t.rows}, PostgreSQL ${there}`);
  }
  if (wrong.length > 0) throw new Error(`the copy's row counts do not match (${wrong.join('; ')}); nothing was committed`);
}
