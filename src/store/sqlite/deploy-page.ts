// A page of the deploy list read by one SQLite statement: its deploy rows, their findings and their actions, each set as
// one JSON text, so that a page costs one call (no BEGIN/COMMIT around three queries) and three JavaScript values.
import type { Queryable, SqlValue } from './db.js';
import { ACTION_SUMMARY_FIELDS, DEPLOY_COLUMNS, DEPLOY_SELECT, FINDING_SUMMARY_FIELDS } from './rows.js';
import type { ActionSummaryRow, DeployRow, FindingSummaryRow } from './rows.js';

/** The rows of one list page, in the order the list shows them. */
export interface DeployPageRows {
  /** Newest first (received_at, then id, descending). */
  deploys: DeployRow[];
  /** Of the page's deploys, by `at`, then rule. */
  findings: FindingSummaryRow[];
  /** Of the page's deploys (deliveries that carry an action), by creation, then id. */
  actions: ActionSummaryRow[];
}

/**
 * A REAL as a JSON number that parses back to the same double. SQLite's JSON writes 15 significant digits, which would
 * round a time (1795991599.6961234). A whole number (most times, intervals and scales) is written as an integer, which
 * is exact and cheaper; any other as printf's `%!.20e`, which gives JSON.parse the stored double (checked with 300,000
 * random doubles on the SQLite that node-sqlite3 bundles, 3.44; test/store/sqlite/deploy-page.test.ts keeps edges),
 * through json() so that json_object adds it as a number. ±Infinity prints as `Inf`, which json() reads as ±9e999.
 */
function exactReal(column: string): string {
  const whole = `CAST(${column} AS INTEGER)`;
  return `CASE WHEN ${column} IS NULL THEN NULL WHEN ${column} = ${whole} THEN ${whole} ELSE json(printf('%!.20e', ${column})) END`;
}

/** `json_object(…)` of the given columns of a row, keyed by column name, REALs written exactly. */
function rowObject(fields: ReadonlyArray<readonly [string, 'real'?]>, prefix = ''): string {
  return `json_object(${fields.map(([key, real]) => `'${key}', ${real ? exactReal(prefix + key) : prefix + key}`).join(', ')})`;
}

const PAGE_DEPLOY = rowObject(DEPLOY_COLUMNS.map(([key, , real]) => [key, real]));
const PAGE_FINDING = rowObject(FINDING_SUMMARY_FIELDS, 'f.');
const PAGE_ACTION = rowObject(ACTION_SUMMARY_FIELDS, 'a.');

/**
 * A JSON array of `object` over the rows of `from`, in `order`. Not json_group_array: its ORDER BY passes the objects
 * through a sorter, which drops their JSON subtype, so they would be added as strings.
 */
function jsonArray(object: string, from: string, order: string): string {
  return `(SELECT coalesce('[' || group_concat(${object}, ',' ORDER BY ${order}) || ']', '[]') ${from})`;
}

/**
 * The statement of a page: `where` (conditions on `DEPLOY_SELECT`'s d, w and v; its parameters first) and a LIMIT
 * parameter last. One statement reads one snapshot, so the page is consistent without a transaction.
 */
function pageSql(where: string): string {
  let sql = pageSqlByWhere.get(where);
  if (sql === undefined) pageSqlByWhere.set(where, (sql = buildPageSql(where)));
  return sql;
}

/** The page statements made so far, by `where`: one per combination of filters, the same string at every call. */
const pageSqlByWhere = new Map<string, string>();

function buildPageSql(where: string): string {
  return `WITH page AS MATERIALIZED (${DEPLOY_SELECT} ${where} ORDER BY d.received_at DESC, d.id DESC LIMIT ?)
SELECT ${jsonArray(PAGE_DEPLOY, 'FROM page', 'received_at DESC, id DESC')} AS deploys,
  ${jsonArray(PAGE_FINDING, 'FROM findings f WHERE f.deploy_id IN (SELECT id FROM page)', 'f.at ASC, f.rule ASC')} AS findings,
  ${jsonArray(PAGE_ACTION, 'FROM deliveries a WHERE a.deploy_id IN (SELECT id FROM page) AND a.action_kind IS NOT NULL', 'a.created_at ASC, a.id ASC')} AS actions`;
}

/** The one row of a page's statement: its deploy rows, findings and actions, each as a JSON array. */
export interface DeployPageTexts {
  deploys: string;
  findings: string;
  actions: string;
}

/**
 * Reads one page (SQLite only): `where` as for `pageSql`, `params` its parameters followed by the limit. The answer is
 * three strings, which nobody can change: a reader keeps it while nothing is committed (db.ts allCached), and answers
 * the same object again, so a caller may key what it makes of it on that object.
 */
export async function readDeployPage(q: Queryable, where: string, params: readonly SqlValue[]): Promise<DeployPageTexts> {
  const sql = pageSql(where);
  const [row] = q.allCached ? await q.allCached<DeployPageTexts>(sql, params) : await q.all<DeployPageTexts>(sql, params);
  if (!row) throw new Error('the deploy page statement answered no row; an aggregate without GROUP BY always answers one');
  return row;
}

/** The rows of a page's texts. */
export function parseDeployPage(texts: DeployPageTexts): DeployPageRows {
  return {
    deploys: JSON.parse(texts.deploys) as DeployRow[],
    findings: JSON.parse(texts.findings) as FindingSummaryRow[],
    actions: JSON.parse(texts.actions) as ActionSummaryRow[],
  };
}
