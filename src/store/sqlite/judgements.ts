// One evaluation of a deploy saved as a unit: findings (upsert by rule), the watch's progress, and the verdict.
import type { Finding, Judgement } from '../../judge/types.js';
import type { WatchStatus } from '../records.js';
import type { Queryable } from './db.js';

/**
 * Upserts the judgement's findings, moves the watch to `watchStatus`, and when `judgement.state` is `done`
 * inserts or replaces the verdict. Call inside a transaction so that a failure leaves none of it written.
 */
export async function writeJudgement(tx: Queryable, deployId: string, j: Judgement, watchStatus: WatchStatus, now: number): Promise<void> {
  for (const f of j.findings) await upsertFinding(tx, deployId, f);
  // An evaluation that was in flight when the watch ended elsewhere (superseded, stopped) must not reopen it.
  const { changes } = await tx.run(
    `UPDATE watches SET evaluated_at = ?,
       status = CASE WHEN status IN ('superseded', 'stopped') THEN status ELSE ? END,
       reason = CASE WHEN status IN ('superseded', 'stopped') THEN reason ELSE ? END,
       updated_at = ? WHERE deploy_id = ?`,
    [j.evaluatedAt, watchStatus, j.reason, now, deployId],
  );
  if (changes === 0) throw new Error(`cannot save a judgement for deploy ${deployId}: it has no watch; create the deploy first`);
  if (j.state !== 'done') return;
  if (j.verdict === null) throw new Error(`judgement for deploy ${deployId} is done but has no verdict; the judge must set one when state is done`);
  await tx.run(
    // Portable upsert (SQLite and PostgreSQL): the PostgreSQL store uses this function too.
    `INSERT INTO verdicts (deploy_id, verdict, severity, rollback, rollback_at, reason, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (deploy_id) DO UPDATE SET verdict = excluded.verdict, severity = excluded.severity, rollback = excluded.rollback,
       rollback_at = excluded.rollback_at, reason = excluded.reason, decided_at = excluded.decided_at`,
    [deployId, j.verdict, j.severity, j.rollback ? 1 : 0, j.rollbackAt, j.reason, now],
  );
}

async function upsertFinding(tx: Queryable, deployId: string, f: Finding): Promise<void> {
  await tx.run(
    `INSERT INTO findings (deploy_id, rule, metric, severity, kind, at, observed, baseline, condition, summary, evidence, cleared_at, shadow)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (deploy_id, rule) DO UPDATE SET
       metric = excluded.metric, severity = excluded.severity, kind = excluded.kind, at = excluded.at,
       observed = excluded.observed, baseline = excluded.baseline, condition = excluded.condition, summary = excluded.summary,
       evidence = excluded.evidence, cleared_at = excluded.cleared_at, shadow = excluded.shadow`,
    [
      deployId,
      f.rule,
      f.metric,
      f.severity,
      f.kind,
      f.at,
      f.observed,
      f.baseline,
      f.condition,
      f.summary,
      f.evidence ? JSON.stringify(f.evidence) : null,
      f.clearedAt ?? null,
      f.shadow ? 1 : 0,
    ],
  );
}
