// Row shapes as sqlite returns them, and their conversion to the store's records (JSON parsed, 0/1 to booleans).
import type { Finding, Severity, Verdict } from '../../judge/types.js';
import type { Queryable, SqlValue } from './db.js';
import type { DeployOrigin, DeployRecord, FindingSummary, VerdictRecord, WatchRecord, WatchStatus } from '../records.js';

/** deploys joined with watches (w_*) and verdicts (v_*); the watch and verdict columns are null when absent. */
export interface DeployRow {
  id: string;
  service: string;
  environment: string;
  version: string;
  previous_version: string | null;
  commit_sha: string | null;
  started_at: number;
  labels: string | null;
  links: string | null;
  origin: string;
  received_at: number;
  w_status: string | null;
  w_source: string | null;
  w_time_scale: number | null;
  w_window_end: number | null;
  w_interval_s: number | null;
  w_evaluated_at: number | null;
  w_superseded_by: string | null;
  w_reason: string | null;
  w_updated_at: number | null;
  v_verdict: string | null;
  v_severity: string | null;
  v_rollback: number | null;
  v_rollback_at: number | null;
  v_reason: string | null;
  v_decided_at: number | null;
}

/** The columns of a `DeployRow`: its key, the SQL expression, and whether the column is REAL. */
export const DEPLOY_COLUMNS: ReadonlyArray<readonly [keyof DeployRow, string, 'real'?]> = [
  ['id', 'd.id'],
  ['service', 'd.service'],
  ['environment', 'd.environment'],
  ['version', 'd.version'],
  ['previous_version', 'd.previous_version'],
  ['commit_sha', 'd.commit_sha'],
  ['started_at', 'd.started_at', 'real'],
  ['labels', 'd.labels'],
  ['links', 'd.links'],
  ['origin', 'd.origin'],
  ['received_at', 'd.received_at', 'real'],
  ['w_status', 'w.status'],
  ['w_source', 'w.source'],
  ['w_time_scale', 'w.time_scale', 'real'],
  ['w_window_end', 'w.window_end', 'real'],
  ['w_interval_s', 'w.interval_s', 'real'],
  ['w_evaluated_at', 'w.evaluated_at', 'real'],
  ['w_superseded_by', 'w.superseded_by'],
  ['w_reason', 'w.reason'],
  ['w_updated_at', 'w.updated_at', 'real'],
  ['v_verdict', 'v.verdict'],
  ['v_severity', 'v.severity'],
  ['v_rollback', 'v.rollback'],
  ['v_rollback_at', 'v.rollback_at', 'real'],
  ['v_reason', 'v.reason'],
  ['v_decided_at', 'v.decided_at', 'real'],
];
const DEPLOY_FROM = `FROM deploys d
LEFT JOIN watches w ON w.deploy_id = d.id
LEFT JOIN verdicts v ON v.deploy_id = d.id`;

/** The SELECT list and FROM clause that produce a `DeployRow`. */
export const DEPLOY_SELECT = `SELECT ${DEPLOY_COLUMNS.map(([key, expr]) => (expr.endsWith(`.${key}`) ? expr : `${expr} AS ${key}`)).join(', ')} ${DEPLOY_FROM}`;

/**
 * The same rows as `DEPLOY_SELECT` for `deployRows`: the REAL columns as they are, every other column packed into one
 * JSON text (column `packed`). node-sqlite3 builds a JavaScript value per column, which is most of the cost of a list
 * page (26 columns × 50 rows); one JSON text parsed by JSON.parse costs far less. REALs stay columns because SQLite's
 * JSON writes them with 15 significant digits, which would round a time.
 */
const DEPLOY_PACKED_SELECT = `SELECT ${DEPLOY_COLUMNS.filter(([, , real]) => real)
  .map(([key, expr]) => `${expr} AS ${key}`)
  .join(', ')}, json_object(${DEPLOY_COLUMNS.filter(([, , real]) => !real)
  .map(([key, expr]) => `'${key}', ${expr}`)
  .join(', ')}) AS packed ${DEPLOY_FROM}`;

/** The deploy rows of `DEPLOY_SELECT` + `tail` (WHERE, ORDER BY, LIMIT), read through `DEPLOY_PACKED_SELECT`. */
export async function deployRows(q: Queryable, tail: string, params: readonly SqlValue[] = []): Promise<DeployRow[]> {
  // PostgreSQL's driver builds rows itself (and spells json_object differently): the plain select there.
  if (q.dialect !== 'sqlite') return q.all<DeployRow>(`${DEPLOY_SELECT} ${tail}`, params);
  const rows = await q.all<{ packed: string }>(`${DEPLOY_PACKED_SELECT} ${tail}`, params);
  return rows.map(({ packed, ...reals }) => Object.assign(JSON.parse(packed) as object, reals) as unknown as DeployRow);
}

/** A row of `findings`. */
export interface FindingRow {
  deploy_id: string;
  rule: string;
  metric: string;
  severity: string;
  kind: string;
  at: number;
  observed: number | null;
  baseline: number | null;
  condition: string;
  summary: string;
  /** JSON of Finding.evidence, or null. */
  evidence: string | null;
  cleared_at: number | null;
  /** 1 for a finding of a `mode: shadow` rule. */
  shadow?: number;
}

/** A row of `findings` without the evidence column (what a list reads). */
export type FindingSummaryRow = Omit<FindingRow, 'evidence'>;

/** The columns of a `FindingSummaryRow`, and whether the column is REAL. */
export const FINDING_SUMMARY_FIELDS: ReadonlyArray<readonly [keyof FindingSummaryRow & string, 'real'?]> = [
  ['deploy_id'],
  ['rule'],
  ['metric'],
  ['severity'],
  ['kind'],
  ['at', 'real'],
  ['observed', 'real'],
  ['baseline', 'real'],
  ['condition'],
  ['summary'],
  ['cleared_at', 'real'],
  ['shadow'],
];

/** The columns of a `FindingSummaryRow`, as a SELECT list. */
export const FINDING_SUMMARY_COLUMNS = FINDING_SUMMARY_FIELDS.map(([key]) => key).join(', ');

/** The summary columns of a deploy's delivery that carries an action (what a list reads). */
export interface ActionSummaryRow {
  id: number;
  deploy_id: string;
  action_kind: string;
  action_target: string;
  status: string;
  created_at: number;
  finished_at: number | null;
}

/** The columns of an `ActionSummaryRow`, and whether the column is REAL. */
export const ACTION_SUMMARY_FIELDS: ReadonlyArray<readonly [keyof ActionSummaryRow & string, 'real'?]> = [
  ['id'],
  ['deploy_id'],
  ['action_kind'],
  ['action_target'],
  ['status'],
  ['created_at', 'real'],
  ['finished_at', 'real'],
];

// The CHECK constraints (generated from the consts in ../records.ts) guarantee the enum columns, so the casts below are safe.

/** The deploy part of a joined row; labels/links parsed, and left out when not stored. */
export function toDeploy(r: DeployRow): DeployRecord {
  const deploy: DeployRecord = {
    id: r.id,
    service: r.service,
    environment: r.environment,
    version: r.version,
    previousVersion: r.previous_version,
    commit: r.commit_sha,
    startedAt: r.started_at,
    origin: r.origin as DeployOrigin,
    receivedAt: r.received_at,
  };
  if (r.labels !== null) deploy.labels = JSON.parse(r.labels) as Record<string, string>;
  if (r.links !== null) deploy.links = JSON.parse(r.links) as Record<string, string>;
  return deploy;
}

/** The watch part of a joined row, or null if the deploy has no watch. */
export function toWatch(r: DeployRow): WatchRecord | null {
  if (r.w_status === null) return null;
  return {
    deployId: r.id,
    status: r.w_status as WatchStatus,
    source: r.w_source ?? '',
    timeScale: r.w_time_scale ?? 1,
    windowEnd: r.w_window_end ?? 0,
    interval: r.w_interval_s ?? 0,
    evaluatedAt: r.w_evaluated_at,
    supersededBy: r.w_superseded_by,
    reason: r.w_reason,
    updatedAt: r.w_updated_at ?? 0,
  };
}

/** The verdict part of a joined row, or null before a decision; rollback 0/1 back to a boolean. */
export function toVerdict(r: DeployRow): VerdictRecord | null {
  if (r.v_verdict === null) return null;
  return {
    deployId: r.id,
    verdict: r.v_verdict as Verdict,
    severity: r.v_severity as Severity | null,
    rollback: r.v_rollback === 1,
    rollbackAt: r.v_rollback_at,
    reason: r.v_reason,
    decidedAt: r.v_decided_at ?? 0,
  };
}

/** A finding without its evidence, as a list shows it. */
export function toFindingSummary(r: FindingSummaryRow): FindingSummary {
  return {
    rule: r.rule,
    metric: r.metric,
    severity: r.severity as Severity,
    at: r.at,
    observed: r.observed,
    baseline: r.baseline,
    condition: r.condition,
    kind: r.kind as Finding['kind'],
    summary: r.summary,
    ...(r.cleared_at === null || r.cleared_at === undefined ? {} : { clearedAt: r.cleared_at }),
    ...(r.shadow === 1 ? { shadow: true } : {}),
  };
}

/** A finding as the judge produced it. */
export function toFinding(r: FindingRow): Finding {
  const finding: Finding = toFindingSummary(r);
  if (r.evidence) finding.evidence = JSON.parse(r.evidence) as Finding['evidence'];
  return finding;
}

/** JSON for a column; undefined becomes SQL NULL. */
export function toJson(value: unknown): string | null {
  // JSON.stringify answers undefined (despite its type) for undefined and functions.
  return (JSON.stringify(value) as string | undefined) ?? null;
}
