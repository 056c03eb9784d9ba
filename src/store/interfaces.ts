// The store contract: one narrow interface per concern. A backend (sqlite/, postgres/ next) implements them all and
// passes test/store/ (the conformance suite); consumers ask only for the interfaces they use.
//
// Rules every method keeps, unless its own doc says more:
// - Atomic: a method's writes land all together or not at all; a reader never sees half of one.
// - Concurrency: any number of async callers (and, for a shared backend, processes) may call at once; the result is
//   as if the calls ran one after another in some order. Nothing relies on the caller serializing.
// - Records go in and come out by value: a returned record is a copy, never a live row.
// - Times are Unix seconds (numbers, fractional allowed) passed in by the caller (`now`); a backend never reads a clock.
// - Expected absences are values (null, false, []); a throw is a bug or a broken backend, with a message naming what
//   and how to fix.
import type { Judgement } from '../judge/types.js';
import type {
  BacktestDeploy,
  BlindSpot,
  DecidedVerdict,
  DeliveryOutcome,
  DeliveryQuery,
  DeliveryRecord,
  DeployListQuery,
  DeployRecord,
  DeploySummary,
  DeployView,
  FeedbackRecord,
  JudgedDeployQuery,
  JudgedDeploySummary,
  FindingFact,
  NewDelivery,
  NewRecovery,
  NewSilence,
  NewWatch,
  Observations,
  Point,
  RecoveryRecord,
  ReviewActionRecord,
  SampleScope,
  SilenceRecord,
  SourceOutageRecord,
  TickWrite,
  WatchRecord,
  WatchStatus,
} from './records.js';

/** Deploys and their watches. */
export interface DeployStore {
  /**
   * Inserts the deploy and its watch. Idempotent on `deploy.id`: if the id exists, nothing changes, `created` is
   * false and `view` is the stored one. Supersede rule (same transaction): every `watching` watch of the same
   * service and environment whose deploy started at or before `deploy.startedAt` becomes `superseded`, with
   * `supersededBy` = this id and reason `superseded by <id>`; their ids come back sorted in `superseded`.
   * Two concurrent calls with the same id: exactly one gets `created: true`.
   */
  createDeploy(deploy: DeployRecord, watch: NewWatch): Promise<{ view: DeployView; created: boolean; superseded: string[] }>;
  /** One consistent read of the deploy, its watch, verdict, findings and actions; null for an unknown id. */
  getDeploy(id: string): Promise<DeployView | null>;
  /**
   * Newest first (receivedAt, then id, descending); see DeployListQuery for filters, limit and cursors. Summaries:
   * reads no finding evidence and no action payloads (those are on getDeploy). One consistent read. The answer may be
   * shared with other callers (SQLite answers the same frozen page until something is committed): do not change it.
   */
  listDeploys(q: DeployListQuery): Promise<DeploySummary[]>;
  /** Watches with status `watching`, oldest deploy first (receivedAt, then id): what to resume after a restart. */
  activeWatches(): Promise<Array<{ deploy: DeployRecord; watch: WatchRecord }>>;
  /**
   * Start times of up to `n` earlier deploys of service+environment that started before `before` and whose watch
   * passed (a clean window for `baseline: previous-deploys`), newest first.
   */
  previousDeploys(service: string, environment: string, before: number, n: number): Promise<number[]>;
  /**
   * For a deploy that was dated ahead of its arrival (and so superseded nothing then): supersedes the older
   * `watching` watches of its service+environment now that it has started (same rule as createDeploy).
   * Idempotent; returns their ids sorted; [] for an unknown id.
   */
  supersedeOlder(deployId: string, now: number): Promise<string[]>;
  /**
   * Ends a `watching` watch without a verdict. A watch that has already ended is left as it is (a late "stop" never
   * overwrites a verdict); an unknown deploy id throws.
   */
  endWatch(deployId: string, status: 'superseded' | 'stopped', reason: string, now: number): Promise<void>;
}

/** What the metric sources returned for a deploy. First seen wins: a stored observation is never overwritten. */
export interface ObservationStore {
  /**
   * Stores points; a point already stored for (deploy, scope, metric, t) is kept as first seen (idempotent).
   * Throws, storing nothing, if a point is not a pair of finite numbers (sources report gaps as no-data).
   */
  recordSamples(deployId: string, scope: SampleScope, metric: string, points: Point[]): Promise<void>;
  /** Stores a source error / no-data result; one already stored for (deploy, metric, at) is kept. */
  recordBlindSpot(deployId: string, spot: BlindSpot): Promise<void>;
  /** Every stored observation of a deploy: series by metric in time order, blind spots by time then metric. */
  observations(deployId: string): Promise<Observations>;
}

/** The watch loop's hot path: one read and one transaction per tick. */
export interface TickStore {
  /** The watch of a deploy alone (what a tick checks before it evaluates: ended elsewhere, window extended); null if none. */
  getWatch(deployId: string): Promise<WatchRecord | null>;
  /**
   * Writes one tick in one transaction, all or nothing: the samples (first seen wins, as recordSamples), the blind
   * spots (as recordBlindSpot), the judgement when given (as saveJudgement, with its rules for an ended watch) and
   * the deliveries (as enqueueDeliveries without claim: deduplicated, created ones returned in input order).
   * Throws, writing nothing, for a point that is not a pair of finite numbers, a deploy without a watch (when a
   * judgement is given) or a done judgement without a verdict. On a shared backend it is fenced like saveJudgement.
   */
  recordTick(deployId: string, tick: TickWrite, now: number): Promise<DeliveryRecord[]>;
}

/** The judge's results. */
export interface JudgementStore {
  /**
   * Saves one evaluation atomically: findings (upsert by rule: a rule has one finding per deploy, the latest),
   * the watch's evaluatedAt/status/reason, and — when `judgement.state` is `done` — the verdict (replacing any).
   * A watch ended elsewhere (`superseded`, `stopped`) keeps its status and reason: an evaluation still in flight
   * when it ended never reopens it. Throws for a deploy without a watch, or a done judgement without a verdict.
   */
  saveJudgement(deployId: string, judgement: Judgement, watchStatus: WatchStatus, now: number): Promise<void>;
  /** Verdicts decided in [from, to), oldest first, with their deploys (for the digest). */
  verdictsBetween(from: number, to: number): Promise<DecidedVerdict[]>;
}

/**
 * The one outbox: every notification and hook call is written here before it is attempted, and its rows are the
 * deploy's history of actions (see `actionOf`). State machine (records.ts DeliveryStatus):
 * pending → sending (claim) → delivered | failed | expired | muted, or back to pending (retry, release);
 * held → delivered (digest commit); sending → pending | interrupted (restart, see `afterRestart`).
 */
export interface OutboxStore {
  /**
   * Writes deliveries in one transaction. Dedup: an entry whose dedup key is stored already is skipped (never
   * written twice, whatever its status). Returns the deliveries this call created, in input order. With `claim`,
   * pending ones are created already `sending`, for a caller that attempts them at once.
   */
  enqueueDeliveries(entries: NewDelivery[], now: number, opts?: { claim?: boolean }): Promise<DeliveryRecord[]>;
  /**
   * Claim: moves due `pending` deliveries to `sending` and returns them, oldest (id) first — those with
   * nextAttemptAt <= now, not in `excludeChannels`, and with no earlier pending or sending delivery in the same
   * channel and thread. With `ids`, only those (due or not). A delivery is returned by at most one of any number of
   * concurrent claims.
   */
  claimDeliveries(q: { now: number; limit: number; ids?: number[]; excludeChannels?: string[] }): Promise<DeliveryRecord[]>;
  /** Puts a `sending` delivery back to `pending` without counting an attempt (e.g. its channel is rate limited). */
  releaseDelivery(id: number, nextAttemptAt: number, now: number): Promise<void>;
  /**
   * Records an attempt's outcome (a `muted` outcome counts no attempt); throws for an unknown id. In the same
   * transaction the attempt joins the delivery's history (outcome, start, end, HTTP status, error), which keeps the
   * latest ATTEMPTS_KEPT attempts; the deploy's actions show it (`ActionRecord.attempts`).
   */
  finishDelivery(id: number, outcome: DeliveryOutcome, now: number): Promise<DeliveryRecord>;
  /**
   * After a restart, before anything is claimed: every `sending` delivery goes where `afterRestart` says
   * (notifications back to pending, due now; hooks to interrupted with INTERRUPTED_HOOK_ERROR), and its history gets
   * the cut-off attempt as `interrupted` (from its claim to `now`). Returns both lists by id. The only restart step:
   * nothing else must run first.
   */
  resumeDeliveries(now: number): Promise<{ requeued: DeliveryRecord[]; interrupted: DeliveryRecord[] }>;
  /** The earliest nextAttemptAt of a pending delivery, or null when none is pending. */
  nextDeliveryAt(): Promise<number | null>;
  /** Newest (id) first; see DeliveryQuery. */
  listDeliveries(q: DeliveryQuery): Promise<DeliveryRecord[]>;
  /**
   * Writes the digest deliveries and marks the `held` items among `itemIds` delivered (output `digestOutput(key)` of
   * the first digest delivery), in one transaction. If the digest's dedup keys exist already, nothing changes and
   * [] is returned: a digest is sent once.
   */
  commitDigest(entries: NewDelivery[], itemIds: number[], now: number): Promise<DeliveryRecord[]>;
  /**
   * Shared backends only (replicas): whether this replica still holds its claim on a delivery in flight, asked just
   * before sending it; a claim lost to another replica (this one was paused past its lease) is not sent.
   */
  holdsDelivery?(id: number): Promise<boolean>;
}

/** SRE-made mutes of a service (and environment) for a time range. */
export interface SilenceStore {
  createSilence(s: NewSilence, now: number): Promise<SilenceRecord>;
  getSilence(id: number): Promise<SilenceRecord | null>;
  /** Silences not expired and not ended at `now` (active or starting later); with `all`, every silence. Newest first, at most 1000. */
  listSilences(q: { now: number; all?: boolean; service?: string }): Promise<SilenceRecord[]>;
  /** Ends a silence now; null if unknown. An expired or ended silence is returned unchanged. */
  expireSilence(id: number, by: string, now: number): Promise<SilenceRecord | null>;
}

/** Recovery checks after a rollback: one per deploy. */
export interface RecoveryStore {
  /** Starts a `checking` recovery; returns false (and changes nothing) if the deploy already has one. */
  beginRecovery(r: NewRecovery, now: number): Promise<boolean>;
  getRecovery(deployId: string): Promise<RecoveryRecord | null>;
  /** Throws if no recovery was begun for the deploy. */
  updateRecovery(deployId: string, change: Pick<RecoveryRecord, 'status' | 'checkedAt' | 'summary'>, now: number): Promise<void>;
  /** Recovery checks still `checking`, least recently updated first. */
  activeRecoveries(): Promise<RecoveryRecord[]>;
}

/** SRE review (#9): actions taken from the review UI, feedback labels on verdicts, and the selections tuning reads. */
export interface ReviewStore {
  recordReviewAction(a: Omit<ReviewActionRecord, 'id'>): Promise<ReviewActionRecord>;
  listReviewActions(deployId: string): Promise<ReviewActionRecord[]>;
  recordFeedback(f: Omit<FeedbackRecord, 'id'>): Promise<FeedbackRecord>;
  listFeedback(deployId: string): Promise<FeedbackRecord[]>;
  /** The latest feedback per deploy, for deploys started since `since`. */
  latestFeedback(since: number): Promise<FeedbackRecord[]>;
  /** Deploys with a verdict, newest first. */
  judgedDeploys(q: JudgedDeployQuery): Promise<JudgedDeploySummary[]>;
  /** judgedDeploys with each deploy and the rules that had findings, in one read (the backtest's selection). */
  backtestDeploys(q: JudgedDeployQuery): Promise<BacktestDeploy[]>;
  /** The stored observations of several deploys at once (what `observations` gives for one). */
  observationsOf(deployIds: readonly string[]): Promise<Map<string, Observations>>;
  /** Every stored finding (breach or blind) of deploys started since `since`. */
  findingFacts(since: number): Promise<FindingFact[]>;
  /** Moves a watching deploy's window end later by `seconds`; false if the deploy is not being watched. */
  extendWatch(deployId: string, seconds: number, now: number): Promise<boolean>;
}

/** What one `tend` of the leases changed: work taken from free or lapsed leases, and work lost to other replicas. */
export interface LeaseChanges {
  watches: { taken: string[]; lost: string[] };
  recoveries: { taken: string[]; lost: string[] };
  /** Deliveries in flight at replicas whose lease lapsed: notifications back to pending, hooks interrupted. */
  requeued: DeliveryRecord[];
  interrupted: DeliveryRecord[];
}

/**
 * Work shared by replicas (PostgreSQL). Each open watch, recovery check and delivery in flight is leased to one
 * replica until the lease expires by the database's clock (replicas' clocks may disagree; this is the one clock a
 * backend reads). The backend refuses, with LeaseLostError (./lease-lost.ts), any write that acts on work whose lease
 * this replica lost — checked in the same transaction as the write: saveJudgement, enqueueDeliveries for the deploy,
 * begin/updateRecovery, finish/releaseDelivery. A new watch (createDeploy) is leased to the replica that created it.
 */
export interface WorkLeases {
  /** This replica's name. */
  readonly replica: string;
  /** Seconds a lease lasts without renewal. */
  readonly ttl: number;
  /**
   * Renews held leases, takes up to `limit` free or lapsed watches and recovery checks (never waiting on another
   * replica's locks), and resumes deliveries whose replica's lease lapsed (by `afterRestart`).
   */
  tend(limit: number, now: number): Promise<LeaseChanges>;
  /** Hands every lease back (clean shutdown), so other replicas take the work at their next tend. */
  releaseAll(): Promise<void>;
}

/** Remembers keys until they expire: the seen-once check behind signature replay and webhook redelivery dedup. */
export interface NonceStore {
  /**
   * Records `key` until `expiresAt` and answers true, or answers false when it is already recorded and not
   * expired. Of two concurrent calls with the same key exactly one gets true. Expired keys are dropped on the way.
   */
  rememberNonce(key: string, expiresAt: number, now: number): Promise<boolean>;
  /** Whether `key` is recorded and not expired (a read; records nothing). */
  seenNonce(key: string, now: number): Promise<boolean>;
}

/** Open metric-source outages (src/watch/source-outages.ts), so one outage is one alert and one recovery across restarts. */
export interface SourceOutageStore {
  /** Every outage recorded and not yet ended, by source name. */
  openSourceOutages(): Promise<SourceOutageRecord[]>;
  /**
   * Records the outage of `outage.source`: a new one replaces an ended or older one (a larger `since`); the same one
   * (equal `since`) keeps the later lastFailure and the given deploys; an older one changes nothing.
   */
  saveSourceOutage(outage: SourceOutageRecord): Promise<void>;
  /** Ends the outage of `source` that began at `since`: true for the one call that ended it, false otherwise. */
  endSourceOutage(source: string, since: number): Promise<boolean>;
}

/** Whether the backend can be written now (store-health.ts probes it while a disk is full or read-only). */
export interface WriteProbeStore {
  /** Present when replicas share the backend (PostgreSQL); on SQLite the one process holds all the work. */
  readonly leases?: WorkLeases;
  /**
   * A small real write that needs fresh space (a new row with an 8 KiB pad): rejects while the store cannot be
   * written (disk full, read-only). Used only while the store is known unwritable, to find out when it is not.
   */
  probeWrite(now: number): Promise<void>;
}

/** Everything one backend provides. Consumers take the narrow interfaces above, main.ts the whole. */
export interface Store
  extends
    DeployStore,
    ObservationStore,
    TickStore,
    JudgementStore,
    OutboxStore,
    SilenceStore,
    RecoveryStore,
    ReviewStore,
    NonceStore,
    WriteProbeStore,
    SourceOutageStore {
  /** Present when replicas share the backend (PostgreSQL); on SQLite the one process holds all the work. */
  readonly leases?: WorkLeases;
  /** Waits for work in flight, then releases the backend. Further calls fail. */
  close(): Promise<void>;
}
