// Samples, blind spots and judgements in PostgreSQL's dialect, where it differs from SQLite's (first-seen-wins
// inserts, the verdict upsert); everything else goes through the shared repositories.
import type { Queryable, SqlValue } from '../sqlite/db.js';
import type { BlindSpot, Finding, Judgement, Point } from '../../judge/types.js';
import type { WatchStatus } from '../records.js';

/** Rows per INSERT (5 parameters each; PostgreSQL allows 65535 per statement). */
const CHUNK = 1000;

export async function insertSamples(tx: Queryable, deployId: string, scope: 'deploy' | 'control', metric: string, points: Point[]): Promise<void> {
  for (const [t, value] of points) {
    if (!Number.isFinite(t) || !Number.isFinite(value)) {
      throw new Error(`sample [${t}, ${value}] for ${scope} metric ${metric} of deploy ${deployId} is not a pair of finite numbers; the source must report gaps as no-data, not NaN`);
    }
  }
  for (let i = 0; i < points.length; i += CHUNK) {
    const chunk = points.slice(i, i + CHUNK);
    const params: SqlValue[] = chunk.flatMap(([t, value]) => [deployId, scope, metric, t, value]);
    const values = chunk.map(() => '(?, ?, ?, ?, ?)').join(', ');
    await tx.run(`INSERT INTO samples (deploy_id, scope, metric, t, value) VALUES ${values} ON CONFLICT DO NOTHING`, params);
  }
}

export async function insertBlindSpot(q: Queryable, deployId: string, spot: BlindSpot): Promise<void> {
  await q.run('INSERT INTO blind_spots (deploy_id, metric, at, kind, message) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING', [deployId, spot.metric, spot.at, spot.kind, spot.message]);
}

/** See the SQLite writeJudgement: the same contract. Call inside a transaction (after the lease check). */
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
    [deployId, f.rule, f.metric, f.severity, f.kind, f.at, f.observed, f.baseline, f.condition, f.summary, f.evidence ? JSON.stringify(f.evidence) : null, f.clearedAt ?? null, f.shadow ? 1 : 0],
  );
}
