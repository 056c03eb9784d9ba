// Leases on shared work: which replica carries each open watch, recovery check and delivery in flight, until when
// (database clock, so replicas' clocks may disagree), and the fence that tells a stale holder from the current one.
import type { Queryable } from '../sqlite/db.js';
import { LeaseLostError } from '../lease-lost.js';

export { LeaseLostError, isLeaseLost } from '../lease-lost.js';

/** The database's clock in Unix seconds, read at the moment the statement runs (not the transaction start). */
export const DB_NOW = 'extract(epoch from clock_timestamp())';

/** What one replica holds: work id → fence. Kept in memory by that replica's store. */
export interface LeaseState {
  readonly replica: string;
  readonly ttl: number;
  readonly watches: Map<string, number>;
  readonly recoveries: Map<string, number>;
  readonly deliveries: Map<number, number>;
}

export function newLeaseState(replica: string, ttl: number): LeaseState {
  return { replica, ttl, watches: new Map(), recoveries: new Map(), deliveries: new Map() };
}

interface Held {
  id: string;
  fence: string | number;
}

/** A table whose rows are leased, with the status that means "open" and its key column. */
interface LeasedTable {
  table: 'watches' | 'recoveries';
  key: 'deploy_id';
  open: string;
  order: string;
}

const WATCHES: LeasedTable = { table: 'watches', key: 'deploy_id', open: "status = 'watching'", order: 'started_at, deploy_id' };
const RECOVERIES: LeasedTable = { table: 'recoveries', key: 'deploy_id', open: "status = 'checking'", order: 'updated_at, deploy_id' };

/**
 * Renews every lease this replica still holds on open rows (also one that lapsed, if nobody took it meanwhile),
 * then takes up to `limit` open rows whose lease is free or expired (`FOR UPDATE SKIP LOCKED`: replicas never wait
 * on each other). Updates `held` and returns what was taken and what was lost.
 */
async function tendTable(q: Queryable, t: LeasedTable, held: Map<string, number>, s: LeaseState, limit: number): Promise<{ taken: string[]; lost: string[] }> {
  const renewed = await q.all<Held>(
    `UPDATE ${t.table} SET lease_expires = ${DB_NOW} + ? WHERE lease_holder = ? AND ${t.open} RETURNING ${t.key} AS id, lease_fence AS fence`,
    [s.ttl, s.replica],
  );
  const still = new Map(renewed.map((r) => [r.id, Number(r.fence)]));
  const lost = [...held].filter(([id, fence]) => still.get(id) !== fence).map(([id]) => id);
  for (const id of lost) held.delete(id);
  const taken: string[] = [];
  if (limit > 0) {
    const rows = await q.all<Held>(
      `UPDATE ${t.table} AS w SET lease_holder = ?, lease_fence = w.lease_fence + 1, lease_expires = ${DB_NOW} + ?
       FROM (SELECT ${t.key} FROM ${t.table}
             WHERE ${t.open} AND (lease_holder IS NULL OR lease_expires IS NULL OR lease_expires <= ${DB_NOW})
             ORDER BY ${t.order} LIMIT ? FOR UPDATE SKIP LOCKED) AS free
       WHERE w.${t.key} = free.${t.key}
       RETURNING w.${t.key} AS id, w.lease_fence AS fence`,
      [s.replica, s.ttl, limit],
    );
    for (const r of rows) {
      held.set(r.id, Number(r.fence));
      taken.push(r.id);
    }
  }
  // Renewed rows that this replica did not know it held (a previous life of the same replica name) are taken too.
  for (const [id, fence] of still) {
    if (!held.has(id)) {
      held.set(id, fence);
      taken.push(id);
    }
  }
  return { taken: taken.sort(), lost: lost.sort() };
}

export const tendWatches = (q: Queryable, s: LeaseState, limit: number) => tendTable(q, WATCHES, s.watches, s, limit);
export const tendRecoveries = (q: Queryable, s: LeaseState, limit: number) => tendTable(q, RECOVERIES, s.recoveries, s, limit);

/** Gives a new watch (or recovery check) to this replica: called in the transaction that creates it. */
export async function leaseNew(q: Queryable, table: 'watches' | 'recoveries', id: string, s: LeaseState): Promise<void> {
  const row = await q.get<Held>(
    `UPDATE ${table} SET lease_holder = ?, lease_fence = lease_fence + 1, lease_expires = ${DB_NOW} + ? WHERE deploy_id = ? RETURNING deploy_id AS id, lease_fence AS fence`,
    [s.replica, s.ttl, id],
  );
  if (row) (table === 'watches' ? s.watches : s.recoveries).set(id, Number(row.fence));
}

/**
 * The fence: inside the transaction that is about to act on a deploy's watch (or recovery check), checks that this
 * replica still holds an unexpired lease with the fence it was given, and locks the row so that no other replica can
 * take it over before this transaction commits. Work this replica holds no lease on is not checked.
 */
export async function checkLease(q: Queryable, table: 'watches' | 'recoveries', id: string, s: LeaseState): Promise<void> {
  const held = table === 'watches' ? s.watches : s.recoveries;
  const fence = held.get(id);
  if (fence === undefined) return;
  const row = await q.get<{ holder: string | null; fence: string; live: boolean }>(
    `SELECT lease_holder AS holder, lease_fence AS fence, lease_expires > ${DB_NOW} AS live FROM ${table} WHERE deploy_id = ? FOR UPDATE`,
    [id],
  );
  const work = `${table === 'watches' ? 'the watch' : 'the recovery check'} of ${id}`;
  if (!row) throw new LeaseLostError(work, 'it no longer exists');
  if (row.holder !== s.replica || Number(row.fence) !== fence) {
    held.delete(id);
    throw new LeaseLostError(work, `replica ${row.holder ?? '(none)'} holds it now`);
  }
  if (!row.live) throw new LeaseLostError(work, `the lease expired before this replica acted (paused or cut off for longer than ${s.ttl}s)`);
}

/**
 * Marks deliveries just claimed (status `sending`) as leased to this replica; returns id → fence, for the caller to
 * record in the lease state once the transaction has committed.
 */
export async function leaseDeliveries(q: Queryable, ids: number[], s: LeaseState): Promise<Map<number, number>> {
  if (ids.length === 0) return new Map();
  const rows = await q.all<{ id: number; fence: string }>(
    `UPDATE deliveries SET lease_holder = ?, lease_fence = lease_fence + 1, lease_expires = ${DB_NOW} + ? WHERE id = ANY(?::int[]) RETURNING id, lease_fence AS fence`,
    [s.replica, s.ttl, ids as unknown as string],
  );
  return new Map(rows.map((r) => [r.id, Number(r.fence)]));
}

/** Inside the transaction that records a delivery's attempt: this replica must still hold its claim. */
export async function checkDelivery(q: Queryable, id: number, s: LeaseState): Promise<void> {
  const fence = s.deliveries.get(id);
  const row = await q.get<{ holder: string | null; fence: string; status: string }>(
    'SELECT lease_holder AS holder, lease_fence AS fence, status FROM deliveries WHERE id = ? FOR UPDATE',
    [id],
  );
  if (!row) return; // the repository reports an unknown id
  if (row.status !== 'sending' || row.holder !== s.replica || (fence !== undefined && Number(row.fence) !== fence)) {
    s.deliveries.delete(id);
    throw new LeaseLostError(`delivery ${id}`, `it is ${row.status}, held by ${row.holder ?? 'no replica'}`);
  }
}

/** Whether this replica still holds delivery `id` in flight with an unexpired lease (asked just before sending). */
export async function holdsDelivery(q: Queryable, id: number, s: LeaseState): Promise<boolean> {
  const row = await q.get<{ ok: boolean }>(
    `SELECT (status = 'sending' AND lease_holder = ? AND lease_fence = ? AND lease_expires > ${DB_NOW}) AS ok FROM deliveries WHERE id = ?`,
    [s.replica, s.deliveries.get(id) ?? -1, id],
  );
  return row?.ok === true;
}

/**
 * Renews the leases of the deliveries this replica is sending right now (a claim whose attempt could not be recorded
 * is no longer among them: its lease lapses and it is resumed like a dead replica's).
 */
export async function renewDeliveries(q: Queryable, s: LeaseState): Promise<void> {
  const ids = [...s.deliveries.keys()];
  if (ids.length === 0) return;
  const rows = await q.all<{ id: number }>(
    `UPDATE deliveries SET lease_expires = ${DB_NOW} + ? WHERE status = 'sending' AND lease_holder = ? AND id = ANY(?::int[]) RETURNING id`,
    [s.ttl, s.replica, ids as unknown as string],
  );
  const still = new Set(rows.map((r) => r.id));
  for (const id of s.deliveries.keys()) if (!still.has(id)) s.deliveries.delete(id);
}

/** Clean shutdown: hands every lease back so other replicas take the work at their next tend. */
export async function releaseAll(q: Queryable, s: LeaseState): Promise<void> {
  for (const table of ['watches', 'recoveries'] as const) {
    await q.run(`UPDATE ${table} SET lease_holder = NULL, lease_expires = NULL WHERE lease_holder = ?`, [s.replica]);
  }
  s.watches.clear();
  s.recoveries.clear();
}
