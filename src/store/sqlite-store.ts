// The Store over one sqlite file: opens and migrates it, and maps each Store method to a repository call.
import { openDb } from './db.js';
import type { Db } from './db.js';
import { migrate } from './migrations.js';
import * as actions from './actions-repo.js';
import * as deploys from './deploys-repo.js';
import * as observations from './observations-repo.js';
import { writeJudgement } from './judgements-repo.js';
import { sqliteOutboxStore } from './outbox-store.js';
import type { Store } from './types.js';

/**
 * Opens the sqlite file at `path` (creating it and its directory), applies pending migrations, and returns the
 * Store. Fails if the file was written by a newer release-guard.
 */
export async function openStore(path: string): Promise<Store> {
  const db = await openDb(path);
  try {
    await migrate(db);
  } catch (err) {
    await db.close().catch(() => undefined);
    throw err;
  }
  return sqliteStore(db);
}

/** The Store over an already open and migrated connection. */
export function sqliteStore(db: Db): Store {
  return {
    createDeploy: (deploy, watch) =>
      db.transaction(async (tx) => {
        const existing = await deploys.getDeploy(tx, deploy.id);
        if (existing) return { view: existing, created: false, superseded: [] };
        const superseded = await deploys.insertDeploy(tx, deploy, watch);
        const view = await deploys.getDeploy(tx, deploy.id);
        if (!view) throw new Error(`deploy ${deploy.id} vanished inside the transaction that inserted it`);
        return { view, created: true, superseded };
      }),
    getDeploy: (id) => db.snapshot((tx) => deploys.getDeploy(tx, id)),
    listDeploys: (q) => db.snapshot((tx) => deploys.listDeploys(tx, q)),
    activeWatches: () => deploys.activeWatches(db),
    previousDeploys: (service, environment, before, n) => deploys.previousDeploys(db, service, environment, before, n),

    recordSamples: async (deployId, scope, metric, points) => {
      if (points.length === 0) return;
      await db.transaction((tx) => observations.insertSamples(tx, deployId, scope, metric, points));
    },
    recordBlindSpot: (deployId, spot) => observations.insertBlindSpot(db, deployId, spot),
    observations: (deployId) => db.snapshot((tx) => observations.readObservations(tx, deployId)),

    saveJudgement: (deployId, judgement, watchStatus, now) => db.transaction((tx) => writeJudgement(tx, deployId, judgement, watchStatus, now)),
    endWatch: (deployId, status, reason, now) => db.transaction((tx) => deploys.endWatch(tx, deployId, status, reason, now)),

    claimAction: (a, now) => actions.claimAction(db, a, now),
    finishAction: (id, result, now) => actions.finishAction(db, id, result, now),
    markInterruptedActions: (now) => actions.markInterrupted(db, now),
    ...sqliteOutboxStore(db),
    probeWrite: async (now) => {
      await db.run('INSERT INTO store_probe (at, pad) VALUES (?, zeroblob(8192))', [now]);
    },

    close: () => db.close(),
  };
}
