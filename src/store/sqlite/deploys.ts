// Deploys and their watches: creating, superseding, ending, and reading them back as DeployViews (one) or
// DeploySummaries (a list page: summary columns only, no finding evidence or action payloads).
import type { Finding } from '../../judge/types.js';
import { actionOf, actionStatusOf } from '../outbox.js';
import { attemptsOf } from './attempts.js';
import {
  listLimit,
  type ActionRecord,
  type ActionSummary,
  type DeliveryStatus,
  type DeployListQuery,
  type DeployRecord,
  type DeploySummary,
  type DeployView,
  type FindingSummary,
  type NewWatch,
  type WatchRecord,
} from '../records.js';
import type { Queryable, SqlValue } from './db.js';
import { toDelivery, type DeliveryRow } from './outbox-rows.js';
import { parseDeployPage, readDeployPage, type DeployPageRows, type DeployPageTexts } from './deploy-page.js';
import { ACTION_SUMMARY_FIELDS, deployRows, FINDING_SUMMARY_COLUMNS, toDeploy, toFinding, toFindingSummary, toJson, toVerdict, toWatch } from './rows.js';
import type { ActionSummaryRow, FindingRow, FindingSummaryRow } from './rows.js';

export const DEPLOY_INSERT_COLUMNS = 'id, service, environment, version, previous_version, commit_sha, started_at, labels, links, origin, received_at';
/** A watch's own columns; the rest (deploy_id, service, environment, started_at, updated_at) come from its deploy. */
export const WATCH_STATE_COLUMNS = 'status, source, time_scale, window_end, interval_s, evaluated_at, superseded_by, reason';
const WATCH_INSERT_COLUMNS = `deploy_id, service, environment, started_at, ${WATCH_STATE_COLUMNS}, updated_at`;
/** `(?, ?, …)` for one row of n columns. */
export const rowMarks = (n: number): string => `(${new Array<string>(n).fill('?').join(', ')})`;

export function deployParams(d: DeployRecord): SqlValue[] {
  return [
    d.id,
    d.service,
    d.environment,
    d.version,
    d.previousVersion ?? null,
    d.commit ?? null,
    d.startedAt,
    toJson(d.labels),
    toJson(d.links),
    d.origin,
    d.receivedAt,
  ];
}

/** WATCH_STATE_COLUMNS' values. */
export function watchStateParams(w: NewWatch): SqlValue[] {
  return [w.status, w.source, w.timeScale, w.windowEnd, w.interval, w.evaluatedAt, w.supersededBy, w.reason];
}

function watchParams(d: DeployRecord, w: NewWatch): SqlValue[] {
  return [d.id, d.service, d.environment, d.startedAt, ...watchStateParams(w), d.receivedAt];
}

/**
 * Inserts a new deploy and its watch, superseding older `watching` watches of the same service+environment
 * (those whose deploy started at or before this one). Call inside a transaction; returns the superseded ids, or
 * null (and changes nothing) when a deploy with this id is stored already.
 */
export async function insertDeploy(tx: Queryable, d: DeployRecord, w: NewWatch): Promise<string[] | null> {
  const { changes } = await tx.run(`INSERT INTO deploys (${DEPLOY_INSERT_COLUMNS}) VALUES ${rowMarks(11)} ON CONFLICT (id) DO NOTHING`, deployParams(d));
  if (changes === 0) return null;
  // A deploy dated ahead of the guard's clock supersedes nothing yet: the watcher does that once it has started.
  const superseded = supersedesOnArrival(d) ? await supersedeOlder(tx, d, d.receivedAt) : [];
  await tx.run(`INSERT INTO watches (${WATCH_INSERT_COLUMNS}) VALUES ${rowMarks(13)}`, watchParams(d, w));
  return superseded;
}

/** Whether a new deploy supersedes older watches when it arrives: not one dated ahead of the guard's clock. */
export const supersedesOnArrival = (d: DeployRecord): boolean => d.startedAt <= d.receivedAt;

/**
 * The view `insertDeploy` just stored, built from what it wrote (what `getDeploy` would read back) so that creating a
 * deploy needs no read: no verdict, findings or actions yet.
 */
export function newDeployView(d: DeployRecord, w: NewWatch): DeployView {
  const deploy: DeployRecord = {
    id: d.id,
    service: d.service,
    environment: d.environment,
    version: d.version,
    previousVersion: d.previousVersion ?? null,
    commit: d.commit ?? null,
    startedAt: d.startedAt,
    origin: d.origin,
    receivedAt: d.receivedAt,
  };
  if (d.labels !== undefined) deploy.labels = { ...d.labels };
  if (d.links !== undefined) deploy.links = { ...d.links };
  return { deploy, watch: { ...w, deployId: d.id, updatedAt: d.receivedAt }, verdict: null, findings: [], actions: [] };
}

/**
 * Marks the `watching` watches of the same service+environment whose deploy started at or before `d` as superseded
 * by it (never `d` itself); returns their ids. Idempotent.
 */
export async function supersedeOlder(tx: Queryable, d: Pick<DeployRecord, 'id' | 'service' | 'environment' | 'startedAt'>, now: number): Promise<string[]> {
  const rows = await tx.all<{ deploy_id: string }>(
    `UPDATE watches SET status = 'superseded', superseded_by = ?, reason = ?, updated_at = ?
     WHERE service = ? AND environment = ? AND status = 'watching' AND started_at <= ? AND deploy_id <> ?
     RETURNING deploy_id`,
    [d.id, `superseded by ${d.id}`, now, d.service, d.environment, d.startedAt, d.id],
  );
  return rows.map((r) => r.deploy_id).sort();
}

/** Whether a deploy with this id is stored. */
export async function deployExists(q: Queryable, id: string): Promise<boolean> {
  return (await q.get('SELECT 1 AS one FROM deploys WHERE id = ?', [id])) !== undefined;
}

export async function getDeploy(q: Queryable, id: string): Promise<DeployView | null> {
  const [view] = await loadViews(q, 'WHERE d.id = ?', [id]);
  return view ?? null;
}

/**
 * Newest first (receivedAt, then id, descending), as summaries: summary columns only (no finding evidence, no
 * action request, output or error). `before` is a cursor: the id of the last deploy of the previous page (an id that
 * is not stored yields an empty page); `after` the same position given by value, which needs no lookup. On SQLite the
 * page is one statement (a consistent read by itself) and its summaries are frozen and shared while nothing is
 * committed; elsewhere three statements, which the caller runs in one snapshot.
 */
export async function listDeploys(q: Queryable, query: DeployListQuery): Promise<DeploySummary[]> {
  const conditions: string[] = [];
  const params: SqlValue[] = [];
  const add = (sql: string, ...values: Array<string | number | undefined>): void => {
    if (values.some((v) => v === undefined)) return;
    conditions.push(sql);
    params.push(...(values as Array<string | number>));
  };
  add('d.service = ?', query.service);
  add('d.environment = ?', query.environment);
  add('w.status = ?', query.status);
  add('(d.received_at, d.id) < (SELECT received_at, id FROM deploys WHERE id = ?)', query.before);
  add('(d.received_at, d.id) < (?, ?)', query.after?.receivedAt, query.after?.id);
  const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
  params.push(listLimit(query.limit));
  if (q.dialect !== 'sqlite') return summariesOf(await readPageRows(q, where, params));
  const texts = await readDeployPage(q, where, params);
  let page = summariesByTexts.get(texts);
  if (!page) summariesByTexts.set(texts, (page = freezeDeep(summariesOf(parseDeployPage(texts)))));
  return page;
}

/**
 * The summaries made from a page's texts, while a reader keeps them (the same texts object again means nothing was
 * committed since): one frozen page shared by every caller until then, so a caller can key its own work on it too
 * (the API serializes a page once, respond.ts respondShared).
 */
const summariesByTexts = new WeakMap<DeployPageTexts, DeploySummary[]>();

/** The summaries of a page's rows. */
function summariesOf(page: DeployPageRows): DeploySummary[] {
  const findings = groupBy(page.findings, (r) => r.deploy_id, toFindingSummary);
  const actions = groupBy(page.actions, (r) => r.deploy_id, toActionSummary);
  return page.deploys.map((r) => ({
    deploy: toDeploy(r),
    watch: toWatch(r),
    verdict: toVerdict(r),
    findings: findings.get(r.id) ?? ([] as FindingSummary[]),
    actions: actions.get(r.id) ?? ([] as ActionSummary[]),
  }));
}

/** Freezes a JSON-like value and everything in it; answers it. */
function freezeDeep<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) freezeDeep(v);
    Object.freeze(value);
  }
  return value;
}

/** The rows of a page in the SQL both engines speak: the deploys, then their findings and actions. */
async function readPageRows(q: Queryable, where: string, params: readonly SqlValue[]): Promise<DeployPageRows> {
  const deploys = await deployRows(q, `${where} ORDER BY d.received_at DESC, d.id DESC LIMIT ?`, params);
  if (deploys.length === 0) return { deploys, findings: [], actions: [] };
  const ids = deploys.map((r) => r.id);
  const marks = ids.map(() => '?').join(', ');
  const findings = await q.all<FindingSummaryRow>(
    `SELECT ${FINDING_SUMMARY_COLUMNS} FROM findings WHERE deploy_id IN (${marks}) ORDER BY at ASC, rule ASC`,
    ids,
  );
  const actions = await q.all<ActionSummaryRow>(
    `SELECT ${ACTION_SUMMARY_FIELDS.map(([key]) => key).join(', ')} FROM deliveries
     WHERE deploy_id IN (${marks}) AND action_kind IS NOT NULL ORDER BY created_at ASC, id ASC`,
    ids,
  );
  return { deploys, findings, actions };
}

/** An action as a list shows it; the same id, kind, target and status `actionOf` gives the detail. */
function toActionSummary(r: ActionSummaryRow): ActionSummary {
  return {
    id: r.id,
    kind: r.action_kind as ActionSummary['kind'],
    target: r.action_target,
    status: actionStatusOf(r.status as DeliveryStatus),
    createdAt: r.created_at,
    finishedAt: r.finished_at,
  };
}

/** Watches still `watching`, oldest deploy first. */
export async function activeWatches(q: Queryable): Promise<Array<{ deploy: DeployRecord; watch: WatchRecord }>> {
  const rows = await deployRows(q, `WHERE w.status = 'watching' ORDER BY d.received_at ASC, d.id ASC`);
  return rows.flatMap((r) => {
    const watch = toWatch(r);
    return watch ? [{ deploy: toDeploy(r), watch }] : [];
  });
}

/** Start times of up to n deploys of service+environment started before `before` whose watch passed, newest first. */
export async function previousDeploys(q: Queryable, service: string, environment: string, before: number, n: number): Promise<number[]> {
  const rows = await q.all<{ started_at: number }>(
    `SELECT d.started_at FROM deploys d JOIN watches w ON w.deploy_id = d.id
     WHERE d.service = ? AND d.environment = ? AND d.started_at < ? AND w.status = 'pass'
     ORDER BY d.started_at DESC, d.id DESC LIMIT ?`,
    [service, environment, before, Math.max(0, Math.floor(n))],
  );
  return rows.map((r) => r.started_at);
}

/**
 * Ends a `watching` watch without a verdict. A watch that has already ended is left as it is (so a late "stop"
 * cannot overwrite a verdict); an unknown deploy id is an error.
 */
export async function endWatch(tx: Queryable, id: string, status: 'superseded' | 'stopped', reason: string, now: number): Promise<void> {
  const { changes } = await tx.run(`UPDATE watches SET status = ?, reason = ?, updated_at = ? WHERE deploy_id = ? AND status = 'watching'`, [
    status,
    reason,
    now,
    id,
  ]);
  if (changes === 0 && !(await tx.get('SELECT 1 AS one FROM watches WHERE deploy_id = ?', [id]))) {
    throw new Error(`cannot end the watch of deploy ${id}: no such watch; list deploys with GET /v1/deploys`);
  }
}

/** Runs the deploy query (`deployRows` with `tail`) and attaches findings (by time) and actions (the deploy's deliveries). */
async function loadViews(q: Queryable, tail: string, params: SqlValue[]): Promise<DeployView[]> {
  const rows = await deployRows(q, tail, params);
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const marks = ids.map(() => '?').join(', ');
  const findingRows = await q.all<FindingRow>(`SELECT * FROM findings WHERE deploy_id IN (${marks}) ORDER BY at ASC, rule ASC`, ids);
  const actionRows = await q.all<DeliveryRow>(
    `SELECT * FROM deliveries WHERE deploy_id IN (${marks}) AND action_kind IS NOT NULL ORDER BY created_at ASC, id ASC`,
    ids,
  );
  const attempts = await attemptsOf(
    q,
    actionRows.map((r) => Number(r.id)),
  );
  const findings = groupBy(findingRows, (r) => r.deploy_id, toFinding);
  const actions = groupBy(
    actionRows,
    (r) => r.deploy_id ?? '',
    (r) => actionOf(toDelivery(r), attempts.get(Number(r.id)) ?? []) as ActionRecord,
  );
  return rows.map((r) => ({
    deploy: toDeploy(r),
    watch: toWatch(r),
    verdict: toVerdict(r),
    findings: findings.get(r.id) ?? ([] as Finding[]),
    actions: actions.get(r.id) ?? ([] as ActionRecord[]),
  }));
}

function groupBy<R, T>(rows: R[], key: (r: R) => string, map: (r: R) => T): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const r of rows) {
    const k = key(r);
    const list = out.get(k);
    if (list) list.push(map(r));
    else out.set(k, [map(r)]);
  }
  return out;
}
