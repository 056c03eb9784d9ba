// The OutboxStore methods over one sqlite connection: deliveries, digest, silences and recovery checks.
import type { Db } from './db.js';
import * as deliveries from './deliveries-repo.js';
import * as digest from './digest-repo.js';
import type { OutboxStore } from './outbox-types.js';
import * as recoveries from './recoveries-repo.js';
import * as silences from './silences-repo.js';

/** Maps each OutboxStore method to a repository call, in a transaction where it writes more than one row. */
export function sqliteOutboxStore(db: Db): OutboxStore {
  return {
    enqueueDeliveries: (entries, now, opts) => db.transaction((tx) => deliveries.insertDeliveries(tx, entries, now, opts?.claim ?? false)),
    claimDeliveries: (q) => db.transaction((tx) => deliveries.claimDeliveries(tx, q)),
    releaseDelivery: (id, at, now) => db.transaction((tx) => deliveries.releaseDelivery(tx, id, at, now)),
    finishDelivery: (id, outcome, now) => db.transaction((tx) => deliveries.finishDelivery(tx, id, outcome, now)),
    resumeDeliveries: (now) => db.transaction((tx) => deliveries.resumeDeliveries(tx, now)),
    nextDeliveryAt: () => deliveries.nextDeliveryAt(db),
    listDeliveries: (q) => deliveries.listDeliveries(db, q),
    commitDigest: (entries, ids, now) => db.transaction((tx) => digest.commitDigest(tx, entries, ids, now)),
    verdictsBetween: (from, to) => digest.verdictsBetween(db, from, to),

    createSilence: (s, now) => silences.insertSilence(db, s, now),
    getSilence: (id) => silences.getSilence(db, id),
    listSilences: (q) => silences.listSilences(db, q),
    expireSilence: (id, by, now) => db.transaction((tx) => silences.expireSilence(tx, id, by, now)),

    beginRecovery: (r, now) => recoveries.beginRecovery(db, r, now),
    getRecovery: (id) => recoveries.getRecovery(db, id),
    updateRecovery: (id, change, now) => recoveries.updateRecovery(db, id, change, now),
    activeRecoveries: () => recoveries.activeRecoveries(db),
  };
}
