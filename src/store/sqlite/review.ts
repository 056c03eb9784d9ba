// ReviewStore over SQLite: SRE actions, feedback, and the selections the backtest and rule quality read.
import type {
  BacktestDeploy,
  BlindSpot,
  FeedbackLabel,
  FeedbackRecord,
  FindingFact,
  JudgedDeployQuery,
  JudgedDeploySummary,
  Observations,
  ReviewActionKind,
  ReviewActionRecord,
} from '../records.js';
import type { Severity, Verdict } from '../../judge/types.js';
import type { Queryable, SqlValue } from './db.js';

/** `id` is a BIGINT on PostgreSQL, which node-postgres returns as a string. */
interface ActionRow {
  id: number | string;
  deploy_id: string;
  action: ReviewActionKind;
  actor: string;
  reason: string;
  outcome: string | null;
  created_at: number;
}

interface FeedbackRow {
  id: number | string;
  deploy_id: string;
  label: FeedbackLabel;
  rule: string | null;
  note: string;
  actor: string;
  created_at: number;
}

const toAction = (r: ActionRow): ReviewActionRecord => ({
  id: Number(r.id),
  deployId: r.deploy_id,
  action: r.action,
  actor: r.actor,
  reason: r.reason,
  outcome: r.outcome,
  createdAt: r.created_at,
});
const toFeedback = (r: FeedbackRow): FeedbackRecord => ({
  id: Number(r.id),
  deployId: r.deploy_id,
  label: r.label,
  rule: r.rule,
  note: r.note,
  actor: r.actor,
  createdAt: r.created_at,
});

/** WHERE clause and parameters of a JudgedDeployQuery over deploys d. */
function selection(q: JudgedDeployQuery): { where: string; params: SqlValue[] } {
  const where = ['d.started_at >= ?'];
  const params: SqlValue[] = [q.since];
  if (q.service !== undefined) {
    where.push('d.service = ?');
    params.push(q.service);
  }
  if (q.environment !== undefined) {
    where.push('d.environment = ?');
    params.push(q.environment);
  }
  return { where: where.join(' AND '), params };
}

export async function recordReviewAction(db: Queryable, a: Omit<ReviewActionRecord, 'id'>): Promise<ReviewActionRecord> {
  const { lastID } = await db.run('INSERT INTO review_actions (deploy_id, action, actor, reason, outcome, created_at) VALUES (?, ?, ?, ?, ?, ?)', [
    a.deployId,
    a.action,
    a.actor,
    a.reason,
    a.outcome,
    a.createdAt,
  ]);
  return { ...a, id: lastID };
}

export async function listReviewActions(db: Queryable, deployId: string): Promise<ReviewActionRecord[]> {
  return (await db.all<ActionRow>('SELECT * FROM review_actions WHERE deploy_id = ? ORDER BY id', [deployId])).map(toAction);
}

export async function recordFeedback(db: Queryable, f: Omit<FeedbackRecord, 'id'>): Promise<FeedbackRecord> {
  const { lastID } = await db.run('INSERT INTO feedback (deploy_id, label, rule, note, actor, created_at) VALUES (?, ?, ?, ?, ?, ?)', [
    f.deployId,
    f.label,
    f.rule,
    f.note,
    f.actor,
    f.createdAt,
  ]);
  return { ...f, id: lastID };
}

export async function listFeedback(db: Queryable, deployId: string): Promise<FeedbackRecord[]> {
  return (await db.all<FeedbackRow>('SELECT * FROM feedback WHERE deploy_id = ? ORDER BY id', [deployId])).map(toFeedback);
}

export async function latestFeedback(db: Queryable, since: number): Promise<FeedbackRecord[]> {
  const rows = await db.all<FeedbackRow>(
    `SELECT f.* FROM feedback f JOIN deploys d ON d.id = f.deploy_id
       WHERE d.started_at >= ? AND f.id = (SELECT MAX(id) FROM feedback g WHERE g.deploy_id = f.deploy_id)
       ORDER BY f.id`,
    [since],
  );
  return rows.map(toFeedback);
}

export async function judgedDeploys(db: Queryable, q: JudgedDeployQuery): Promise<JudgedDeploySummary[]> {
  const { where, params } = selection(q);
  params.push(q.limit ?? 5000);
  const rows = await db.all<{
    id: string;
    service: string;
    environment: string;
    started_at: number;
    verdict: Verdict;
    severity: Severity | null;
    rollback: number;
    rollback_at: number | null;
    decided_at: number;
  }>(
    `SELECT d.id, d.service, d.environment, d.started_at, v.verdict, v.severity, v.rollback, v.rollback_at, v.decided_at
       FROM deploys d JOIN verdicts v ON v.deploy_id = d.id
       WHERE ${where} ORDER BY d.started_at DESC, d.id DESC LIMIT ?`,
    params,
  );
  return rows.map((r) => ({
    deployId: r.id,
    service: r.service,
    environment: r.environment,
    startedAt: r.started_at,
    verdict: r.verdict,
    severity: r.severity,
    rollback: r.rollback === 1,
    rollbackAt: r.rollback_at,
    decidedAt: r.decided_at,
  }));
}

export async function backtestDeploys(db: Queryable, q: JudgedDeployQuery): Promise<BacktestDeploy[]> {
  const summaries = await judgedDeploys(db, q);
  const { where, params } = selection(q);
  const rows = await db.all<{
    id: string;
    version: string;
    previous_version: string | null;
    commit_sha: string | null;
    labels: string | null;
    links: string | null;
  }>(
    `SELECT d.id, d.version, d.previous_version, d.commit_sha, d.labels, d.links
       FROM deploys d JOIN verdicts v ON v.deploy_id = d.id WHERE ${where}`,
    params,
  );
  // Portable SQL (SQLite and PostgreSQL): the findings' rules in a second query rather than GROUP_CONCAT/string_agg.
  const ruleRows = await db.all<{ deploy_id: string; rule: string }>(
    `SELECT f.deploy_id, f.rule FROM findings f JOIN deploys d ON d.id = f.deploy_id JOIN verdicts v ON v.deploy_id = d.id
      WHERE ${where}`,
    params,
  );
  const rulesOf = new Map<string, string[]>();
  for (const r of ruleRows) rulesOf.set(r.deploy_id, [...(rulesOf.get(r.deploy_id) ?? []), r.rule]);
  const byId = new Map(rows.map((r) => [r.id, r]));
  return summaries.flatMap((s) => {
    const r = byId.get(s.deployId);
    if (!r) return [];
    const deploy = {
      id: s.deployId,
      service: s.service,
      environment: s.environment,
      version: r.version,
      previousVersion: r.previous_version,
      commit: r.commit_sha,
      startedAt: s.startedAt,
      labels: r.labels ? (JSON.parse(r.labels) as Record<string, string>) : {},
      links: r.links ? (JSON.parse(r.links) as Record<string, string>) : {},
    };
    return [{ summary: s, deploy, rules: [...(rulesOf.get(s.deployId) ?? [])].sort() }];
  });
}

export async function observationsOf(db: Queryable, deployIds: readonly string[]): Promise<Map<string, Observations>> {
  const out = new Map<string, Observations>();
  for (const id of deployIds) out.set(id, { series: {}, control: {}, blind: [] });
  for (let i = 0; i < deployIds.length; i += 200) {
    const ids = deployIds.slice(i, i + 200);
    const marks = ids.map(() => '?').join(',');
    const samples = await db.all<{ deploy_id: string; scope: string; metric: string; t: number; value: number }>(
      `SELECT deploy_id, scope, metric, t, value FROM samples WHERE deploy_id IN (${marks}) ORDER BY deploy_id, scope, metric, t`,
      ids,
    );
    for (const s of samples) {
      const obs = out.get(s.deploy_id);
      if (obs) ((s.scope === 'control' ? obs.control : obs.series)[s.metric] ??= []).push([s.t, s.value]);
    }
    const blind = await db.all<BlindSpot & { deploy_id: string }>(
      `SELECT deploy_id, metric, at, kind, message FROM blind_spots WHERE deploy_id IN (${marks}) ORDER BY at, metric`,
      ids,
    );
    for (const b of blind) out.get(b.deploy_id)?.blind.push({ metric: b.metric, at: b.at, kind: b.kind, message: b.message });
  }
  return out;
}

export async function findingFacts(db: Queryable, since: number): Promise<FindingFact[]> {
  const rows = await db.all<{
    deploy_id: string;
    rule: string;
    severity: Severity;
    at: number;
    started_at: number;
    rollback: number | null;
    verdict: Verdict | null;
    shadow: number;
  }>(
    `SELECT f.deploy_id, f.rule, f.severity, f.at, d.started_at, v.rollback, v.verdict, f.shadow
       FROM findings f JOIN deploys d ON d.id = f.deploy_id LEFT JOIN verdicts v ON v.deploy_id = f.deploy_id
       WHERE d.started_at >= ? ORDER BY d.started_at, f.rule`,
    [since],
  );
  return rows.map((r) => ({
    deployId: r.deploy_id,
    rule: r.rule,
    severity: r.severity,
    at: r.at,
    startedAt: r.started_at,
    rollback: r.rollback === 1,
    verdict: r.verdict,
    shadow: r.shadow === 1,
  }));
}

export async function extendWatch(db: Queryable, deployId: string, seconds: number, now: number): Promise<boolean> {
  const { changes } = await db.run("UPDATE watches SET window_end = window_end + ?, updated_at = ? WHERE deploy_id = ? AND status = 'watching'", [
    seconds,
    now,
    deployId,
  ]);
  return changes === 1;
}
