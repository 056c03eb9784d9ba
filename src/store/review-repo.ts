// SQLite implementation of ReviewStore (review-types.ts): SRE actions, feedback, and the selections tuning reads.
import type { Db, SqlValue } from './db.js';
import type { Severity, Verdict } from '../judge/types.js';
import type { FeedbackLabel, FeedbackRecord, JudgedDeployQuery, ReviewActionKind, ReviewActionRecord, ReviewStore } from './review-types.js';

interface ActionRow {
  id: number;
  deploy_id: string;
  action: ReviewActionKind;
  actor: string;
  reason: string;
  outcome: string | null;
  created_at: number;
}

interface FeedbackRow {
  id: number;
  deploy_id: string;
  label: FeedbackLabel;
  rule: string | null;
  note: string;
  actor: string;
  created_at: number;
}

const toAction = (r: ActionRow): ReviewActionRecord => ({ id: r.id, deployId: r.deploy_id, action: r.action, actor: r.actor, reason: r.reason, outcome: r.outcome, createdAt: r.created_at });
const toFeedback = (r: FeedbackRow): FeedbackRecord => ({ id: r.id, deployId: r.deploy_id, label: r.label, rule: r.rule, note: r.note, actor: r.actor, createdAt: r.created_at });

export function sqliteReviewStore(db: Db): ReviewStore {
  return {
    async recordReviewAction(a) {
      const { lastID } = await db.run('INSERT INTO review_actions (deploy_id, action, actor, reason, outcome, created_at) VALUES (?, ?, ?, ?, ?, ?)', [a.deployId, a.action, a.actor, a.reason, a.outcome, a.createdAt]);
      return { ...a, id: lastID };
    },
    async listReviewActions(deployId) {
      return (await db.all<ActionRow>('SELECT * FROM review_actions WHERE deploy_id = ? ORDER BY id', [deployId])).map(toAction);
    },
    async recordFeedback(f) {
      const { lastID } = await db.run('INSERT INTO feedback (deploy_id, label, rule, note, actor, created_at) VALUES (?, ?, ?, ?, ?, ?)', [f.deployId, f.label, f.rule, f.note, f.actor, f.createdAt]);
      return { ...f, id: lastID };
    },
    async listFeedback(deployId) {
      return (await db.all<FeedbackRow>('SELECT * FROM feedback WHERE deploy_id = ? ORDER BY id', [deployId])).map(toFeedback);
    },
    async latestFeedback(since) {
      const rows = await db.all<FeedbackRow>(
        `SELECT f.* FROM feedback f JOIN deploys d ON d.id = f.deploy_id
         WHERE d.started_at >= ? AND f.id = (SELECT MAX(id) FROM feedback g WHERE g.deploy_id = f.deploy_id)
         ORDER BY f.id`,
        [since],
      );
      return rows.map(toFeedback);
    },
    async judgedDeploys(q: JudgedDeployQuery) {
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
      params.push(q.limit ?? 5000);
      const rows = await db.all<{ id: string; service: string; environment: string; started_at: number; verdict: Verdict; severity: Severity | null; rollback: number; rollback_at: number | null; decided_at: number }>(
        `SELECT d.id, d.service, d.environment, d.started_at, v.verdict, v.severity, v.rollback, v.rollback_at, v.decided_at
         FROM deploys d JOIN verdicts v ON v.deploy_id = d.id
         WHERE ${where.join(' AND ')} ORDER BY d.started_at DESC, d.id DESC LIMIT ?`,
        params,
      );
      return rows.map((r) => ({
        deployId: r.id, service: r.service, environment: r.environment, startedAt: r.started_at,
        verdict: r.verdict, severity: r.severity, rollback: r.rollback === 1, rollbackAt: r.rollback_at, decidedAt: r.decided_at,
      }));
    },
    async findingFacts(since) {
      const rows = await db.all<{ deploy_id: string; rule: string; severity: Severity; at: number; started_at: number; rollback: number | null }>(
        `SELECT f.deploy_id, f.rule, f.severity, f.at, d.started_at, v.rollback
         FROM findings f JOIN deploys d ON d.id = f.deploy_id LEFT JOIN verdicts v ON v.deploy_id = f.deploy_id
         WHERE d.started_at >= ? ORDER BY d.started_at, f.rule`,
        [since],
      );
      return rows.map((r) => ({ deployId: r.deploy_id, rule: r.rule, severity: r.severity, at: r.at, startedAt: r.started_at, rollback: r.rollback === 1 }));
    },
    async extendWatch(deployId, seconds, now) {
      const { changes } = await db.run("UPDATE watches SET window_end = window_end + ?, updated_at = ? WHERE deploy_id = ? AND status = 'watching'", [seconds, now, deployId]);
      return changes === 1;
    },
  };
}
