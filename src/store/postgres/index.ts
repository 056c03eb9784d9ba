// The Store over a shared PostgreSQL: the repositories' portable SQL through a pool, PostgreSQL's own SQL where the
// dialects differ, and leases so that replicas share the work and a replica that lost a lease never acts on it.
// The repositories in ../sqlite/ are written in the SQL both engines speak; they run here through the pool.
import type { Store, WorkLeases } from '../interfaces.js';
import type { Queryable } from '../sqlite/db.js';
import * as deliveries from '../sqlite/deliveries.js';
import * as deploys from '../sqlite/deploys.js';
import * as digest from '../sqlite/digest.js';
import * as nonces from '../sqlite/nonces.js';
import * as observations from '../sqlite/observations.js';
import { writeJudgement } from '../sqlite/judgements.js';
import * as recoveries from '../sqlite/recoveries.js';
import * as review from '../sqlite/review.js';
import * as silences from '../sqlite/silences.js';
import * as sourceOutages from '../sqlite/source-outages.js';
import * as ticks from '../sqlite/ticks.js';
import * as pgDeliveries from './deliveries.js';
import * as pgNonces from './nonces.js';
import * as leases from './leases.js';
import { migratePg } from './migrate.js';
import * as pgObservations from './observations.js';
import * as pgReview from './review.js';
import { openPgDb, type PgDb, type PgDbOptions } from './pg-db.js';

export interface PostgresStoreOptions extends PgDbOptions {
  /** This replica's name in leases. */
  replica: string;
  /** Seconds a lease lasts without renewal. */
  leaseSeconds: number;
}

/** A Store plus the pool (for its statement count). */
export type PostgresStore = Store & { readonly db: PgDb; readonly leases: WorkLeases };

/** Connects, migrates (under an advisory lock) and returns the store; fails with where and why if PostgreSQL is unreachable. */
export async function openPostgresStore(opts: PostgresStoreOptions): Promise<PostgresStore> {
  // A replica paused inside a transaction must not keep its row locks longer than half a lease.
  const db = openPgDb({ idleInTransactionMs: (opts.leaseSeconds * 1000) / 2, ...opts });
  try {
    await migratePg(db);
  } catch (err) {
    await db.close().catch(() => undefined);
    throw new Error(
      `cannot open the PostgreSQL store at ${db.where} (schema ${db.schema}): ${(err as Error).message}; check store.url / RELEASE_GUARD_STORE_URL and that the server is up`,
      { cause: err },
    );
  }
  return postgresStore(db, leases.newLeaseState(opts.replica, opts.leaseSeconds));
}

export function postgresStore(db: PgDb, s: leases.LeaseState): PostgresStore {
  /** Fences every deploy the entries act on (watch and recovery leases this replica holds). */
  const fenceDeploys = async (tx: Queryable, ids: Iterable<string | null>): Promise<void> => {
    for (const id of new Set(ids)) {
      if (id === null) continue;
      await leases.checkLease(tx, 'watches', id, s);
      await leases.checkLease(tx, 'recoveries', id, s);
    }
  };
  const workLeases: WorkLeases = {
    replica: s.replica,
    ttl: s.ttl,
    tend: (limit, now) =>
      db.transaction(async (tx) => {
        const watches = await leases.tendWatches(tx, s, limit);
        const recoveryLeases = await leases.tendRecoveries(tx, s, limit);
        await leases.renewDeliveries(tx, s);
        const resumed = await pgDeliveries.resumeLapsed(tx, now, s, false);
        return { watches, recoveries: recoveryLeases, ...resumed };
      }),
    releaseAll: () => db.transaction((tx) => leases.releaseAll(tx, s)),
  };
  return {
    db,
    leases: workLeases,
    createDeploy: (deploy, watch) =>
      db.transaction(async (tx) => {
        const superseded = await deploys.insertDeploy(tx, deploy, watch);
        if (superseded !== null) {
          await leases.leaseNew(tx, 'watches', deploy.id, s);
          return { view: deploys.newDeployView(deploy, watch), created: true, superseded };
        }
        const existing = await deploys.getDeploy(tx, deploy.id);
        if (!existing) throw new Error(`deploy ${deploy.id} was refused as a duplicate but is not stored`);
        return { view: existing, created: false, superseded: [] };
      }),
    getDeploy: (id) => db.snapshot((tx) => deploys.getDeploy(tx, id)),
    listDeploys: (q) => db.snapshot((tx) => deploys.listDeploys(tx, q)),
    activeWatches: () => deploys.activeWatches(db),
    previousDeploys: (service, environment, before, n) => deploys.previousDeploys(db, service, environment, before, n),

    recordSamples: async (deployId, scope, metric, points) => {
      if (points.length > 0) await pgObservations.insertSamples(db, deployId, scope, metric, points);
    },
    recordBlindSpot: (deployId, spot) => pgObservations.insertBlindSpot(db, deployId, spot),
    observations: (deployId) => db.snapshot((tx) => observations.readObservations(tx, deployId)),
    getWatch: (deployId) => ticks.getWatch(db, deployId),
    recordTick: (deployId, tick, now) =>
      db.transaction(async (tx) => {
        // Checked before anything is validated or written: a tick of a watch lost to another replica writes nothing.
        await fenceDeploys(tx, [deployId, ...tick.deliveries.map((d) => d.deployId)]);
        const created = await ticks.writeTick(tx, deployId, tick, now);
        if (tick.judgement && tick.judgement.watchStatus !== 'watching') s.watches.delete(deployId);
        return created;
      }),

    recordReviewAction: (a) => pgReview.recordReviewAction(db, a),
    listReviewActions: (deployId) => review.listReviewActions(db, deployId),
    recordFeedback: (f) => pgReview.recordFeedback(db, f),
    listFeedback: (deployId) => review.listFeedback(db, deployId),
    latestFeedback: (since) => review.latestFeedback(db, since),
    judgedDeploys: (q) => review.judgedDeploys(db, q),
    backtestDeploys: (q) => db.snapshot((tx) => review.backtestDeploys(tx, q)),
    observationsOf: (deployIds) => db.snapshot((tx) => review.observationsOf(tx, deployIds)),
    findingFacts: (since) => review.findingFacts(db, since),
    extendWatch: (deployId, seconds, now) => db.transaction((tx) => review.extendWatch(tx, deployId, seconds, now)),
    probeWrite: (now) => pgReview.probeWrite(db, now),

    rememberNonce: (key, expiresAt, now) => db.transaction((tx) => pgNonces.rememberNonce(tx, key, expiresAt, now)),
    seenNonce: (key, now) => nonces.seenNonce(db, key, now),

    openSourceOutages: () => sourceOutages.openSourceOutages(db),
    saveSourceOutage: (outage) => db.transaction((tx) => sourceOutages.saveSourceOutage(tx, outage)),
    endSourceOutage: (source, since) => db.transaction((tx) => sourceOutages.endSourceOutage(tx, source, since)),

    saveJudgement: (deployId, judgement, watchStatus, now) =>
      db.transaction(async (tx) => {
        await leases.checkLease(tx, 'watches', deployId, s);
        await writeJudgement(tx, deployId, judgement, watchStatus, now);
        if (watchStatus !== 'watching') s.watches.delete(deployId);
      }),
    supersedeOlder: (deployId, now) =>
      db.transaction(async (tx) => {
        const view = await deploys.getDeploy(tx, deployId);
        return view ? deploys.supersedeOlder(tx, view.deploy, now) : [];
      }),
    endWatch: (deployId, status, reason, now) => db.transaction((tx) => deploys.endWatch(tx, deployId, status, reason, now)),
    verdictsBetween: (from, to) => digest.verdictsBetween(db, from, to),

    enqueueDeliveries: (entries, now, opts) =>
      db
        .transaction(async (tx) => {
          await fenceDeploys(
            tx,
            entries.map((e) => e.deployId),
          );
          const created = await deliveries.insertDeliveries(tx, entries, now, opts?.claim ?? false);
          const fences = await leases.leaseDeliveries(
            tx,
            created.filter((d) => d.status === 'sending').map((d) => d.id),
            s,
          );
          return { created, fences };
        })
        .then(({ created, fences }) => {
          for (const [id, fence] of fences) s.deliveries.set(id, fence);
          return created;
        }),
    claimDeliveries: async (q) => {
      const { claimed, fences } = await db.transaction((tx) => pgDeliveries.claimDeliveries(tx, q, s));
      for (const [id, fence] of fences) s.deliveries.set(id, fence);
      return claimed;
    },
    releaseDelivery: (id, at, now) =>
      db
        .transaction(async (tx) => {
          await leases.checkDelivery(tx, id, s);
          await deliveries.releaseDelivery(tx, id, at, now);
        })
        .finally(() => s.deliveries.delete(id)),
    finishDelivery: (id, outcome, now) =>
      db
        .transaction(async (tx) => {
          await leases.checkDelivery(tx, id, s);
          return deliveries.finishDelivery(tx, id, outcome, now);
        })
        .finally(() => s.deliveries.delete(id)),
    resumeDeliveries: (now) => db.transaction((tx) => pgDeliveries.resumeLapsed(tx, now, s, true)),
    holdsDelivery: (id) => leases.holdsDelivery(db, id, s),
    nextDeliveryAt: () => deliveries.nextDeliveryAt(db),
    listDeliveries: (q) => deliveries.listDeliveries(db, q),
    commitDigest: (entries, ids, now) => db.transaction((tx) => digest.commitDigest(tx, entries, ids, now)),

    createSilence: (x, now) => silences.insertSilence(db, x, now),
    getSilence: (id) => silences.getSilence(db, id),
    listSilences: (q) => silences.listSilences(db, q),
    expireSilence: (id, by, now) => db.transaction((tx) => silences.expireSilence(tx, id, by, now)),

    beginRecovery: (r, now) =>
      db.transaction(async (tx) => {
        await leases.checkLease(tx, 'watches', r.deployId, s);
        const created = await recoveries.beginRecovery(tx, r, now);
        if (created) await leases.leaseNew(tx, 'recoveries', r.deployId, s);
        return created;
      }),
    getRecovery: (id) => recoveries.getRecovery(db, id),
    updateRecovery: (id, change, now) =>
      db.transaction(async (tx) => {
        await leases.checkLease(tx, 'recoveries', id, s);
        await recoveries.updateRecovery(tx, id, change, now);
        if (change.status !== 'checking') s.recoveries.delete(id);
      }),
    activeRecoveries: () => recoveries.activeRecoveries(db),

    close: () => db.close(),
  };
}
