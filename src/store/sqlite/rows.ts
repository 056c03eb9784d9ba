// Row shapes as sqlite returns them, and their conversion to the store's records (JSON parsed, 0/1 to booleans).
import type { Finding, Severity, Verdict } from '../../judge/types.js';
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

/** The SELECT list and FROM clause that produce a `DeployRow`. */
export const DEPLOY_SELECT = `
SELECT d.id, d.service, d.environment, d.version, d.previous_version, d.commit_sha, d.started_at,
       d.labels, d.links, d.origin, d.received_at,
       w.status AS w_status, w.source AS w_source, w.time_scale AS w_time_scale, w.window_end AS w_window_end,
       w.interval_s AS w_interval_s, w.evaluated_at AS w_evaluated_at, w.superseded_by AS w_superseded_by,
       w.reason AS w_reason, w.updated_at AS w_updated_at,
       v.verdict AS v_verdict, v.severity AS v_severity, v.rollback AS v_rollback, v.rollback_at AS v_rollback_at,
       v.reason AS v_reason, v.decided_at AS v_decided_at
FROM deploys d
LEFT JOIN watches w ON w.deploy_id = d.id
LEFT JOIN verdicts v ON v.deploy_id = d.id`;

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

/** The columns of a `FindingSummaryRow`. */
export const FINDING_SUMMARY_COLUMNS = 'deploy_id, rule, metric, severity, kind, at, observed, baseline, condition, summary, cleared_at, shadow';

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
