// The action outbox: claiming an action once per dedup key, recording its result, and marking crash leftovers.
import type { Queryable } from './db.js';
import { toAction, toJson } from './rows.js';
import type { ActionRow } from './rows.js';
import type { ActionKind, ActionRecord } from './types.js';

export interface ActionClaim {
  deployId: string;
  kind: ActionKind;
  target: string;
  dedupKey: string;
  request: unknown;
}

/** Inserts a `running` action, or returns null when one with the same dedup key exists (one statement, so atomic). */
export async function claimAction(q: Queryable, a: ActionClaim, now: number): Promise<ActionRecord | null> {
  const rows = await q.all<ActionRow>(
    `INSERT INTO actions (deploy_id, kind, target, dedup_key, status, request, created_at)
     VALUES (?, ?, ?, ?, 'running', ?, ?)
     ON CONFLICT (dedup_key) DO NOTHING
     RETURNING *`,
    [a.deployId, a.kind, a.target, a.dedupKey, toJson(a.request), now],
  );
  const [row] = rows;
  return row ? toAction(row) : null;
}

/** Records how an action ended. An unknown id is an error (the caller holds a record it claimed). */
export async function finishAction(
  q: Queryable,
  id: number,
  result: { status: 'succeeded' | 'failed'; output: string | null; error: string | null },
  now: number,
): Promise<void> {
  const { changes } = await q.run('UPDATE actions SET status = ?, output = ?, error = ?, finished_at = ? WHERE id = ?', [
    result.status,
    result.output,
    result.error,
    now,
    id,
  ]);
  if (changes === 0) throw new Error(`cannot finish action ${id}: no such action; only finish actions returned by claimAction`);
}

/** Marks every `running` action `interrupted` (finished now) and returns them by id. */
export async function markInterrupted(q: Queryable, now: number): Promise<ActionRecord[]> {
  const rows = await q.all<ActionRow>(`UPDATE actions SET status = 'interrupted', finished_at = ? WHERE status = 'running' RETURNING *`, [now]);
  return rows.map(toAction).sort((a, b) => a.id - b.id);
}
