// Open metric-source outages behind SourceOutageStore, in the SQL both SQLite and PostgreSQL speak.
import type { SourceOutageRecord } from '../records.js';
import type { Queryable } from './db.js';

interface OutageRow {
  source: string;
  since: number;
  last_failure: number;
  deploys: string;
}

export async function openSourceOutages(q: Queryable): Promise<SourceOutageRecord[]> {
  const rows = await q.all<OutageRow>('SELECT source, since, last_failure, deploys FROM source_outages ORDER BY source');
  return rows.map((r) => ({ source: r.source, since: Number(r.since), lastFailure: Number(r.last_failure), deploys: JSON.parse(r.deploys) as string[] }));
}

export async function saveSourceOutage(tx: Queryable, o: SourceOutageRecord): Promise<void> {
  await tx.run(
    `INSERT INTO source_outages (source, since, last_failure, deploys) VALUES (?, ?, ?, ?)
     ON CONFLICT (source) DO UPDATE SET
       since = excluded.since,
       last_failure = CASE WHEN excluded.since = source_outages.since AND source_outages.last_failure > excluded.last_failure
                           THEN source_outages.last_failure ELSE excluded.last_failure END,
       deploys = excluded.deploys
     WHERE excluded.since >= source_outages.since`,
    [o.source, o.since, o.lastFailure, JSON.stringify(o.deploys)],
  );
}

export async function endSourceOutage(tx: Queryable, source: string, since: number): Promise<boolean> {
  const r = await tx.run('DELETE FROM source_outages WHERE source = ? AND since = ?', [source, since]);
  return r.changes === 1;
}
