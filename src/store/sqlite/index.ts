// The Store over one SQLite file: opens and migrates it, and maps each method to a statement or a transaction.
import type { Store } from '../interfaces.js';
import type { DeployRecord, DeployView, NewWatch } from '../records.js';
import { openDb, type Db, type Queryable } from './db.js';
import { openReaders } from './readers.js';
import * as deliveries from './deliveries.js';
import * as deploys from './deploys.js';
import * as digest from './digest.js';
import { GroupCommit } from './group-commit.js';
import { DeployBatchWriter, MAX_DEPLOY_BATCH } from './intake.js';
import { writeJudgement } from './judgements.js';
import { migrate } from './migrate.js';
import * as nonces from './nonces.js';
import * as observations from './observations.js';
import * as probe from './probe.js';
import * as recoveries from './recoveries.js';
import * as review from './review.js';
import * as silences from './silences.js';
import * as sourceOutages from './source-outages.js';
import * as ticks from './ticks.js';

interface NewDeployItem {
  deploy: DeployRecord;
  watch: NewWatch;
}
type CreatedDeploy = { view: DeployView; created: boolean; superseded: string[] };

/** Read-only connections for the API's reads: libuv's thread pool has four threads, one is left for the writer. */
const READERS = 3;

/**
 * Opens the SQLite file at `path` (creating it and its directory), applies pending migrations, and returns the
 * Store. Fails if the file was written by a newer release-guard.
 *
 * Concurrency: one writing connection whose calls are queued (./db.ts), so the interface's "as if one after another"
 * holds within the process; one guard per file (the data-dir lock keeps a second process out). The API's reads (a
 * deploy, the list, observations, the backtest's history) go through read-only connections (READERS of them, each
 * call to the least busy): WAL lets them read the last commit while the watch loop's transactions run, so a page
 * never waits for them, and pages are read side by side.
 */
export async function openSqliteStore(path: string): Promise<Store> {
  const db = await openDb(path);
  let reader: Db | null = null;
  try {
    await migrate(db);
    // An in-memory database exists only for its own connection: there, reads share the writer.
    if (path !== ':memory:' && !path.startsWith('file:')) reader = await openReaders(path, READERS);
  } catch (err) {
    await db.close().catch(() => undefined);
    throw err;
  }
  return sqliteStore(db, reader ?? db);
}

/** The Store over an already open and migrated connection, and a connection for the API's reads (default: the same). */
export function sqliteStore(db: Db, reader: Db = db): Store {
  // A burst of POSTs is written a batch at a time, in one statement for all of it (./intake.ts), not a transaction
  // each. The common case is a new id: insert first (ON CONFLICT DO NOTHING), read back only a known one.
  const batches = new DeployBatchWriter();
  const creates = new GroupCommit<Queryable, NewDeployItem, CreatedDeploy>(
    (fn) => db.exclusive(fn),
    async (conn, items) => {
      const outcomes = await batches.write(conn, items);
      const answers: CreatedDeploy[] = [];
      for (const [i, superseded] of outcomes.entries()) {
        const { deploy, watch } = items[i]!;
        if (superseded !== null) {
          answers.push({ view: deploys.newDeployView(deploy, watch), created: true, superseded });
          continue;
        }
        const existing = await deploys.getDeploy(conn, deploy.id);
        if (!existing) throw new Error(`deploy ${deploy.id} was refused as a duplicate but is not stored`);
        answers.push({ view: existing, created: false, superseded: [] });
      }
      return answers;
    },
    MAX_DEPLOY_BATCH,
  );
  return {
    createDeploy: (deploy, watch) => creates.submit({ deploy, watch }),
    getDeploy: (id) => reader.snapshot((tx) => deploys.getDeploy(tx, id)),
    // One statement (deploy-page.ts): a consistent read without BEGIN and COMMIT.
    listDeploys: (q) => deploys.listDeploys(reader, q),
    activeWatches: () => deploys.activeWatches(db),
    previousDeploys: (service, environment, before, n) => deploys.previousDeploys(db, service, environment, before, n),
    supersedeOlder: (deployId, now) =>
      db.transaction(async (tx) => {
        const view = await deploys.getDeploy(tx, deployId);
        return view ? deploys.supersedeOlder(tx, view.deploy, now) : [];
      }),
    endWatch: (deployId, status, reason, now) => db.transaction((tx) => deploys.endWatch(tx, deployId, status, reason, now)),

    recordSamples: async (deployId, scope, metric, points) => {
      if (points.length === 0) return;
      await db.transaction((tx) => observations.insertSamples(tx, deployId, scope, metric, points));
    },
    recordBlindSpot: (deployId, spot) => observations.insertBlindSpot(db, deployId, spot),
    observations: (deployId) => reader.snapshot((tx) => observations.readObservations(tx, deployId)),
    getWatch: (deployId) => ticks.getWatch(db, deployId),
    recordTick: (deployId, tick, now) => db.transaction((tx) => ticks.writeTick(tx, deployId, tick, now)),

    rememberNonce: (key, expiresAt, now) => db.transaction((tx) => nonces.rememberNonce(tx, key, expiresAt, now)),
    seenNonce: (key, now) => nonces.seenNonce(db, key, now),

    openSourceOutages: () => sourceOutages.openSourceOutages(db),
    saveSourceOutage: (outage) => db.transaction((tx) => sourceOutages.saveSourceOutage(tx, outage)),
    endSourceOutage: (source, since) => db.transaction((tx) => sourceOutages.endSourceOutage(tx, source, since)),

    saveJudgement: (deployId, judgement, watchStatus, now) => db.transaction((tx) => writeJudgement(tx, deployId, judgement, watchStatus, now)),
    verdictsBetween: (from, to) => digest.verdictsBetween(db, from, to),

    enqueueDeliveries: (entries, now, opts) => db.transaction((tx) => deliveries.insertDeliveries(tx, entries, now, opts?.claim ?? false)),
    claimDeliveries: (q) => db.transaction((tx) => deliveries.claimDeliveries(tx, q)),
    releaseDelivery: (id, at, now) => db.transaction((tx) => deliveries.releaseDelivery(tx, id, at, now)),
    finishDelivery: (id, outcome, now) => db.transaction((tx) => deliveries.finishDelivery(tx, id, outcome, now)),
    resumeDeliveries: (now) => db.transaction((tx) => deliveries.resumeDeliveries(tx, now)),
    nextDeliveryAt: () => deliveries.nextDeliveryAt(db),
    listDeliveries: (q) => deliveries.listDeliveries(db, q),
    commitDigest: (entries, ids, now) => db.transaction((tx) => digest.commitDigest(tx, entries, ids, now)),

    createSilence: (s, now) => silences.insertSilence(db, s, now),
    getSilence: (id) => silences.getSilence(db, id),
    listSilences: (q) => silences.listSilences(db, q),
    expireSilence: (id, by, now) => db.transaction((tx) => silences.expireSilence(tx, id, by, now)),

    beginRecovery: (r, now) => recoveries.beginRecovery(db, r, now),
    getRecovery: (id) => recoveries.getRecovery(db, id),
    updateRecovery: (id, change, now) => recoveries.updateRecovery(db, id, change, now),
    activeRecoveries: () => recoveries.activeRecoveries(db),

    recordReviewAction: (a) => review.recordReviewAction(db, a),
    listReviewActions: (deployId) => review.listReviewActions(db, deployId),
    recordFeedback: (f) => review.recordFeedback(db, f),
    listFeedback: (deployId) => review.listFeedback(db, deployId),
    latestFeedback: (since) => review.latestFeedback(db, since),
    judgedDeploys: (q) => review.judgedDeploys(db, q),
    backtestDeploys: (q) => reader.snapshot((tx) => review.backtestDeploys(tx, q)),
    observationsOf: (deployIds) => reader.snapshot((tx) => review.observationsOf(tx, deployIds)),
    findingFacts: (since) => review.findingFacts(db, since),
    extendWatch: (deployId, seconds, now) => db.transaction((tx) => review.extendWatch(tx, deployId, seconds, now)),
    probeWrite: (now) => probe.probeWrite(db, now),

    close: async () => {
      if (reader !== db) await reader.close();
      await db.close();
    },
  };
}
