// The records the store keeps, and the status/kind lists they use: the one home of each (SQL CHECKs are generated from these).
import type { BlindSpot, Deploy, Finding, Judgement, Point, SeriesSet, Severity, Verdict } from '../judge/types.js';

export const DEPLOY_ORIGINS = ['api', 'github', 'gitlab', 'demo'] as const;
export type DeployOrigin = (typeof DEPLOY_ORIGINS)[number];

export interface DeployRecord extends Deploy {
  origin: DeployOrigin;
  /** Unix seconds when the guard received it. */
  receivedAt: number;
}

/** `watching` is the only open status; every other one is final. */
export const WATCH_STATUSES = ['watching', 'pass', 'fail', 'inconclusive', 'superseded', 'stopped'] as const;
export type WatchStatus = (typeof WATCH_STATUSES)[number];

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

/** What a new deploy's watch starts with; the store fills deployId and updatedAt. */
export type NewWatch = Omit<WatchRecord, 'deployId' | 'updatedAt'>;

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
export const ACTION_KINDS = ['rollback', 'alert', 'resolve', 'notice'] as const;
export type ActionKind = (typeof ACTION_KINDS)[number];
/** muted: a silence matched, so it was recorded but not sent. */
export const ACTION_STATUSES = ['pending', 'running', 'succeeded', 'failed', 'interrupted', 'muted'] as const;
export type ActionStatus = (typeof ACTION_STATUSES)[number];

/**
 * A deploy's view of one of its deliveries: "actions taken". Not stored on its own — it is a projection of a
 * delivery that carries an `action` (see `actionOf` in ./outbox.ts), so the outbox is the one history.
 */
export interface ActionRecord {
  /** The delivery's id. */
  id: number;
  deployId: string;
  kind: ActionKind;
  /** Hook name or alert channel. */
  target: string;
  /** The delivery's dedup key. */
  dedupKey: string;
  status: ActionStatus;
  /** What was asked (hook reason, alert title and routing); never a secret. */
  request: unknown;
  /** Captured output (stdout/stderr, HTTP status and body), truncated. */
  output: string | null;
  error: string | null;
  createdAt: number;
  finishedAt: number | null;
  /** The delivery's latest attempts (at most ATTEMPTS_KEPT), oldest first. */
  attempts: DeliveryAttempt[];
}

/** Everything the guard knows about one deploy, as one read. */
export interface DeployView {
  deploy: DeployRecord;
  watch: WatchRecord | null;
  verdict: VerdictRecord | null;
  /** By `at`, then rule. */
  findings: Finding[];
  /** By creation, then id. */
  actions: ActionRecord[];
}

/** A finding as a list shows it: everything but the judge's arithmetic (`evidence`, on the detail read only). */
export type FindingSummary = Omit<Finding, 'evidence'>;

/** An action as a list shows it: what, where and how it went; the request, output and error are on the detail read. */
export type ActionSummary = Pick<ActionRecord, 'id' | 'kind' | 'target' | 'status' | 'createdAt' | 'finishedAt'>;

/** One deploy in a list: the DeployView without the heavy parts (finding evidence, action request/output/error). */
export interface DeploySummary {
  deploy: DeployRecord;
  watch: WatchRecord | null;
  verdict: VerdictRecord | null;
  /** By `at`, then rule. */
  findings: FindingSummary[];
  /** By creation, then id. */
  actions: ActionSummary[];
}

export const DEFAULT_LIST_LIMIT = 50;
export const MAX_LIST_LIMIT = 500;

/** A position in the list order (receivedAt, then id, both descending): the last deploy of the previous page. */
export interface ListPosition {
  receivedAt: number;
  id: string;
}

export interface DeployListQuery {
  service?: string;
  environment?: string;
  status?: WatchStatus;
  /** Default DEFAULT_LIST_LIMIT, clamped to 1..MAX_LIST_LIMIT. */
  limit?: number;
  /** Cursor: only deploys received before this deploy (by receivedAt, then id). An unknown id gives an empty page. */
  before?: string;
  /** Cursor: only deploys after this position in the list order (needs no lookup; the API's opaque `cursor`). */
  after?: ListPosition;
}

/** The page size for a requested limit: default 50, clamped to 1..500. Every backend uses this. */
export function listLimit(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return DEFAULT_LIST_LIMIT;
  return Math.min(MAX_LIST_LIMIT, Math.max(1, Math.floor(limit)));
}

export const SAMPLE_SCOPES = ['deploy', 'control'] as const;
export type SampleScope = (typeof SAMPLE_SCOPES)[number];

/** A list of exactly the members of the union U: compiling fails if one is missing or extra. */
function everyOf<U extends string>() {
  return <const L extends readonly U[]>(list: L & ([U] extends [L[number]] ? unknown : never)): L => list;
}

/** The judge's kinds, listed for the store's CHECKs; a change to the judge's union fails to compile here. */
export const BLIND_SPOT_KINDS = everyOf<BlindSpot['kind']>()(['error', 'no-data']);
export const FINDING_KINDS = everyOf<Finding['kind']>()(['breach', 'blind', 'silent']);
export const VERDICTS = everyOf<Verdict>()(['pass', 'fail', 'inconclusive']);

/** All observations of a deploy, as the judge wants them. */
export interface Observations {
  series: SeriesSet;
  control: SeriesSet;
  blind: BlindSpot[];
}

export type { BlindSpot, Point };

/** Points of one metric in one scope, as a source returned them for a tick. */
export interface SampleBatch {
  scope: SampleScope;
  metric: string;
  points: Point[];
}

/** Everything one tick of a watch writes (TickStore.recordTick): observations, then the evaluation and its deliveries. */
export interface TickWrite {
  samples: SampleBatch[];
  blind: BlindSpot[];
  /** The evaluation, when the tick judged (a tick whose source has not answered a new step only records). */
  judgement: { judgement: Judgement; watchStatus: WatchStatus } | null;
  /** Outbox entries the evaluation calls for (alerts, lifecycle notices, resolves); written unclaimed. */
  deliveries: NewDelivery[];
}

/** `notification`: a message to a channel; `hook`: a rollback hook call. */
export const DELIVERY_KINDS = ['notification', 'hook'] as const;
export type DeliveryKind = (typeof DELIVERY_KINDS)[number];

/**
 * - pending: waiting for its next attempt (`nextAttemptAt`)
 * - sending: an attempt is in flight
 * - delivered: the receiver accepted it
 * - failed: the receiver refused it for good (e.g. HTTP 400); not retried
 * - expired: still failing when its deadline passed; given up
 * - muted: a silence matched; stored and shown, never sent
 * - held: waiting for the daily digest
 * - interrupted: a hook call was in flight when the guard died; never re-run automatically
 */
export const DELIVERY_STATUSES = ['pending', 'sending', 'delivered', 'failed', 'expired', 'muted', 'held', 'interrupted'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** What a deploy-facing delivery did, as the deploy's history shows it. */
export interface DeliveryAction {
  kind: ActionKind;
  target: string;
  request: unknown;
}

export interface DeliveryRecord {
  id: number;
  /** Unique across the store: a delivery with the same key is never created twice. */
  dedupKey: string;
  deployId: string | null;
  service: string | null;
  environment: string | null;
  kind: DeliveryKind;
  /** What happened: alert, resolve, deploy-started, rollback, digest, delivery-failed, ... */
  event: string;
  /** Channel name (or hook name) the delivery goes to. */
  channel: string;
  /** pagerduty | slack | email | log | digest | exec | http | none */
  channelType: string;
  severity: Severity | null;
  /** Deliveries with the same channel and thread are sent in id order. */
  thread: string | null;
  /** What is sent, as the notifier formatted it. Never holds a secret. */
  payload: unknown;
  status: DeliveryStatus;
  /** Attempts made so far. */
  attempts: number;
  /** Unix seconds. */
  nextAttemptAt: number;
  /** Unix seconds after which a failing delivery is given up. */
  deadlineAt: number;
  lastError: string | null;
  output: string | null;
  silenceId: number | null;
  /** Set when the delivery belongs to a deploy's history ("actions taken"); null for a channel-only message. */
  action: DeliveryAction | null;
  createdAt: number;
  updatedAt: number;
  finishedAt: number | null;
}

/** A delivery to write to the outbox; `action` (with a deployId) puts it in the deploy's history. */
export type NewDelivery = Pick<
  DeliveryRecord,
  | 'dedupKey'
  | 'deployId'
  | 'service'
  | 'environment'
  | 'kind'
  | 'event'
  | 'channel'
  | 'channelType'
  | 'severity'
  | 'thread'
  | 'payload'
  | 'silenceId'
  | 'deadlineAt'
  | 'action'
> & {
  status: 'pending' | 'muted' | 'held';
};

/**
 * What the attempt itself looked like, stored in its history: when it started (default: when it was recorded, i.e. a
 * duration of 0) and the receiver's HTTP status, when it answered over HTTP.
 */
export interface AttemptFacts {
  startedAt?: number;
  httpStatus?: number | null;
}

/** How an attempt ended, as recorded. */
export type DeliveryOutcome =
  | ({ status: 'delivered'; output: string | null } & AttemptFacts)
  | ({ status: 'retry'; nextAttemptAt: number; error: string; output: string | null } & AttemptFacts)
  | ({ status: 'failed' | 'expired'; error: string; output: string | null } & AttemptFacts)
  | { status: 'muted'; silenceId: number; output: string };

/**
 * How one attempt of a delivery ended: the outcome's status (`retry`: failed, tried again later), or `interrupted`
 * when the guard stopped while it was in flight (see `afterRestart`). A muted delivery makes no attempt.
 */
export const ATTEMPT_OUTCOMES = ['delivered', 'retry', 'failed', 'expired', 'interrupted'] as const;
export type AttemptOutcome = (typeof ATTEMPT_OUTCOMES)[number];

/**
 * Attempts kept per delivery: the history holds the latest ones and drops older ones in the same transaction
 * (`DeliveryRecord.attempts` still counts every attempt). A delivery is retried until its deadline, so without a
 * bound a long outage of a channel would grow the history without end.
 */
export const ATTEMPTS_KEPT = 20;

/** One attempt of a delivery, as its history shows it. */
export interface DeliveryAttempt {
  /** 1 for the first attempt of the delivery, 2 for the next, … (so dropped ones show as a gap before the first kept). */
  attempt: number;
  startedAt: number;
  finishedAt: number;
  /** finishedAt − startedAt, in milliseconds. */
  durationMs: number;
  outcome: AttemptOutcome;
  /** The receiver's HTTP status, when it answered over HTTP; null for exec hooks, email, and no answer. */
  httpStatus: number | null;
  error: string | null;
}

export const DEFAULT_DELIVERY_LIMIT = 100;
export const MAX_DELIVERY_LIMIT = 1000;

export interface DeliveryQuery {
  deployId?: string;
  status?: DeliveryStatus;
  channel?: string;
  event?: string;
  silenceId?: number;
  /** Default 100, max 1000; newest first. */
  limit?: number;
}

export interface SilenceRecord {
  id: number;
  service: string;
  /** null: every environment of the service. */
  environment: string | null;
  /** Unix seconds. */
  startsAt: number;
  endsAt: number;
  createdBy: string;
  reason: string;
  createdAt: number;
  expiredAt: number | null;
  expiredBy: string | null;
}

export type NewSilence = Pick<SilenceRecord, 'service' | 'environment' | 'startsAt' | 'endsAt' | 'createdBy' | 'reason'>;

export const RECOVERY_STATUSES = ['checking', 'recovered', 'not-recovered'] as const;
export type RecoveryStatus = (typeof RECOVERY_STATUSES)[number];

export interface RecoveryRecord {
  deployId: string;
  status: RecoveryStatus;
  /** Series time of the rollback. */
  rolledBackAt: number;
  /** Series time at which the check gives up and escalates. */
  windowEnd: number;
  /** Rules whose findings must clear. */
  rules: string[];
  /** Last series step checked, or null before the first. */
  checkedAt: number | null;
  summary: string | null;
  updatedAt: number;
}

export type NewRecovery = Pick<RecoveryRecord, 'deployId' | 'rolledBackAt' | 'windowEnd' | 'rules'>;

/** A verdict with its deploy, for the digest. */
export interface DecidedVerdict {
  deploy: Deploy;
  verdict: Verdict;
  severity: Severity | null;
  rollback: boolean;
  reason: string | null;
  decidedAt: number;
}

// SRE review records live in their own module (review-records.ts); the store imports every record from here.
export * from './review-records.js';

/** A metric source in an outage (src/watch/source-outages.ts): kept so that one outage is one alert across restarts. */
export interface SourceOutageRecord {
  source: string;
  /** When the outage began (Unix seconds, whole): it names the outage and its alert. */
  since: number;
  /** The latest failure recorded; the outage ends once the source has been quiet long enough after it. */
  lastFailure: number;
  /** Deploys whose watches were blind in it, in the order they joined. */
  deploys: string[];
}
