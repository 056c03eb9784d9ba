// The store contract: what the rest of the guard may ask of persistence. Implemented over sqlite3 in ./sqlite-store.ts.
import type { BlindSpot, Deploy, Finding, Judgement, Point, SeriesSet, Severity, Verdict } from '../judge/types.js';
import type { DeliveryRecord, OutboxStore } from './outbox-types.js';

export type DeployOrigin = 'api' | 'github' | 'gitlab' | 'demo';

export interface DeployRecord extends Deploy {
  origin: DeployOrigin;
  /** Unix seconds when the guard received it. */
  receivedAt: number;
}

export type WatchStatus = 'watching' | 'pass' | 'fail' | 'inconclusive' | 'superseded' | 'stopped';

export interface WatchRecord {
  deployId: string;
  status: WatchStatus;
  /** Metric source name the watch queries. */
  source: string;
  /** Series seconds per wall-clock second (1 except for the demo source). */
  timeScale: number;
  /** Series time the window closes. */
  windowEnd: number;
  /** Evaluation step, seconds of series time. */
  interval: number;
  /** Last series time evaluated, or null before the first tick. */
  evaluatedAt: number | null;
  supersededBy: string | null;
  /** Why the watch ended (verdict reason, "superseded by d-43", "stopped by alice: ..."). */
  reason: string | null;
  updatedAt: number;
}

export interface VerdictRecord {
  deployId: string;
  verdict: Verdict;
  severity: Severity | null;
  rollback: boolean;
  rollbackAt: number | null;
  reason: string | null;
  decidedAt: number;
}

/** rollback: a hook call; alert: a finding or escalation; resolve: a PagerDuty resolve; notice: a deploy lifecycle message. */
export type ActionKind = 'rollback' | 'alert' | 'resolve' | 'notice';
/** muted: a silence matched, so it was recorded but not sent. */
export type ActionStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'interrupted' | 'muted';

export interface ActionRecord {
  id: number;
  deployId: string;
  kind: ActionKind;
  /** Hook name or alert channel. */
  target: string;
  /** Unique across the store: the same dedup key is never acted on twice. */
  dedupKey: string;
  status: ActionStatus;
  /** What was sent (hook env/body, alert text). */
  request: unknown;
  /** Captured output (stdout/stderr, HTTP status and body), truncated. */
  output: string | null;
  error: string | null;
  createdAt: number;
  finishedAt: number | null;
}

/** Everything GET /v1/deploys/:id shows. */
export interface DeployView {
  deploy: DeployRecord;
  watch: WatchRecord | null;
  verdict: VerdictRecord | null;
  findings: Finding[];
  actions: ActionRecord[];
}

export interface DeployListQuery {
  service?: string;
  environment?: string;
  status?: WatchStatus;
  /** Default 50, max 500. */
  limit?: number;
  /** Cursor: only deploys received before this deploy (by receivedAt, then id). */
  before?: string;
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
 * replica; the store refuses (LeaseLostError) any write that acts on work whose lease this replica lost — checked in
 * the same transaction as the write. Absent on SQLite, where the one process holds all the work.
 */
export interface WorkLeases {
  /** This replica's name. */
  readonly replica: string;
  /** Seconds a lease lasts without renewal. */
  readonly ttl: number;
  /** Renews held leases, takes up to `limit` free or lapsed watches and recovery checks, resumes lapsed deliveries. */
  tend(limit: number, now: number): Promise<LeaseChanges>;
  /** Hands every lease back (clean shutdown), so other replicas take the work at once. */
  releaseAll(): Promise<void>;
}

/** Persistence of the guard; the outbox, silences and recovery checks are in OutboxStore (outbox-types.ts). */
export interface Store extends OutboxStore {
  /** Present when replicas share the store (PostgreSQL). */
  readonly leases?: WorkLeases;
  /**
   * Inserts the deploy and its watch in one transaction, and marks older `watching` watches of the same
   * service+environment as superseded by it. Idempotent on id: if the id exists, nothing changes and
   * `created` is false.
   */
  createDeploy(deploy: DeployRecord, watch: Omit<WatchRecord, 'deployId' | 'updatedAt'>): Promise<{ view: DeployView; created: boolean; superseded: string[] }>;
  getDeploy(id: string): Promise<DeployView | null>;
  listDeploys(q: DeployListQuery): Promise<DeployView[]>;
  /** Watches with status `watching`, oldest first (what to resume after a restart). */
  activeWatches(): Promise<Array<{ deploy: DeployRecord; watch: WatchRecord }>>;
  /**
   * Start times of up to `n` earlier deploys of service+environment that started before `before` and passed
   * (a clean window for `baseline: previous-deploys`), newest first.
   */
  previousDeploys(service: string, environment: string, before: number, n: number): Promise<number[]>;

  /** Stores what a source returned; a point already stored for (deploy, scope, metric, t) is kept as first seen. */
  recordSamples(deployId: string, scope: 'deploy' | 'control', metric: string, points: Point[]): Promise<void>;
  /** Stores a source error / no-data result. */
  recordBlindSpot(deployId: string, spot: BlindSpot): Promise<void>;
  /** All observations stored for a deploy, as the judge wants them. */
  observations(deployId: string): Promise<{ series: SeriesSet; control: SeriesSet; blind: BlindSpot[] }>;

  /**
   * Saves one evaluation atomically: findings (upsert by rule), the watch's evaluatedAt/status/reason,
   * and — when the judgement is done — the verdict.
   */
  saveJudgement(deployId: string, judgement: Judgement, watchStatus: WatchStatus, now: number): Promise<void>;
  /** Ends a watch without a verdict (superseded, stopped). */
  endWatch(deployId: string, status: 'superseded' | 'stopped', reason: string, now: number): Promise<void>;

  /**
   * Claims an action by dedup key. Returns the new record (status `running`) if this call created it,
   * or null if an action with that key already exists — in which case the caller must not act.
   */
  claimAction(a: { deployId: string; kind: ActionKind; target: string; dedupKey: string; request: unknown }, now: number): Promise<ActionRecord | null>;
  finishAction(id: number, result: { status: 'succeeded' | 'failed'; output: string | null; error: string | null }, now: number): Promise<void>;
  /** Actions left `running` by a crash are marked `interrupted` (never re-run automatically); returns them. */
  markInterruptedActions(now: number): Promise<ActionRecord[]>;

  close(): Promise<void>;
}
