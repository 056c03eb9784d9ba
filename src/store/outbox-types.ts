// Records and store methods of the delivery outbox, silences, rollback recovery checks and the digest (migration 2).
import type { Deploy, Severity, Verdict } from '../judge/types.js';
import type { ActionKind } from './types.js';

/** `notification`: a message to a channel; `hook`: a rollback hook call. */
export type DeliveryKind = 'notification' | 'hook';

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
export type DeliveryStatus = 'pending' | 'sending' | 'delivered' | 'failed' | 'expired' | 'muted' | 'held' | 'interrupted';

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
  /** pagerduty | slack | email | log | digest | exec | http */
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
  /** The deploy-facing record of this delivery in `actions`, if it belongs to a deploy. */
  actionId: number | null;
  createdAt: number;
  updatedAt: number;
  finishedAt: number | null;
}

/** A delivery to write to the outbox; `action` also records it among the deploy's actions. */
export type NewDelivery = Pick<
  DeliveryRecord,
  'dedupKey' | 'deployId' | 'service' | 'environment' | 'kind' | 'event' | 'channel' | 'channelType' | 'severity' | 'thread' | 'payload' | 'silenceId' | 'deadlineAt'
> & {
  status: 'pending' | 'muted' | 'held';
  action: { kind: ActionKind; target: string; request: unknown } | null;
};

/** How an attempt ended, as recorded. */
export type DeliveryOutcome =
  | { status: 'delivered'; output: string | null }
  | { status: 'retry'; nextAttemptAt: number; error: string; output: string | null }
  | { status: 'failed' | 'expired'; error: string; output: string | null }
  | { status: 'muted'; silenceId: number; output: string };

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

export type RecoveryStatus = 'checking' | 'recovered' | 'not-recovered';

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

/** A verdict with its deploy, for the digest. */
export interface DecidedVerdict {
  deploy: Deploy;
  verdict: Verdict;
  severity: Severity | null;
  rollback: boolean;
  reason: string | null;
  decidedAt: number;
}

/** What the outbox, silences, recovery checks and the digest need from the store. */
export interface OutboxStore {
  /**
   * Writes deliveries (and their action records) in one transaction. An entry whose dedup key (or whose action's
   * dedup key) is already stored is skipped. Returns the deliveries this call created. With `claim`, the pending
   * ones are created already claimed (`sending`), for a caller that attempts them at once.
   */
  enqueueDeliveries(entries: NewDelivery[], now: number, opts?: { claim?: boolean }): Promise<DeliveryRecord[]>;
  /**
   * Moves due `pending` deliveries to `sending` and returns them, oldest first: those with nextAttemptAt <= now,
   * not in `excludeChannels`, and with no earlier unfinished delivery in the same channel and thread. With `ids`,
   * only those (due or not).
   */
  claimDeliveries(q: { now: number; limit: number; ids?: number[]; excludeChannels?: string[] }): Promise<DeliveryRecord[]>;
  /** Puts a claimed delivery back to `pending` without counting an attempt (e.g. its channel is rate limited). */
  releaseDelivery(id: number, nextAttemptAt: number, now: number): Promise<void>;
  /** Records an attempt's outcome (and mirrors it on the action record). */
  finishDelivery(id: number, outcome: DeliveryOutcome, now: number): Promise<DeliveryRecord>;
  /**
   * After a restart: `sending` notifications go back to `pending` (the receiver may see them twice; PagerDuty
   * dedups), `sending` hooks become `interrupted` (never re-run). Returns both lists.
   */
  resumeDeliveries(now: number): Promise<{ requeued: DeliveryRecord[]; interrupted: DeliveryRecord[] }>;
  /**
   * Shared stores only (replicas): whether this replica still holds its claim on a delivery in flight, asked just
   * before sending it; a claim lost to another replica (this one was paused past its lease) is not sent.
   */
  holdsDelivery?(id: number): Promise<boolean>;
  /** The earliest nextAttemptAt of a pending delivery, or null when none is pending. */
  nextDeliveryAt(): Promise<number | null>;
  listDeliveries(q: DeliveryQuery): Promise<DeliveryRecord[]>;
  /**
   * Writes the digest deliveries and marks the held items they include as delivered, in one transaction. If the
   * digest's dedup keys exist already, nothing changes and [] is returned.
   */
  commitDigest(entries: NewDelivery[], itemIds: number[], now: number): Promise<DeliveryRecord[]>;
  /** Verdicts decided in [from, to), oldest first. */
  verdictsBetween(from: number, to: number): Promise<DecidedVerdict[]>;

  createSilence(s: NewSilence, now: number): Promise<SilenceRecord>;
  getSilence(id: number): Promise<SilenceRecord | null>;
  /** Silences not expired and not ended at `now` (active or starting later); with `all`, every silence. Newest first. */
  listSilences(q: { now: number; all?: boolean; service?: string }): Promise<SilenceRecord[]>;
  /** Ends a silence now; null if unknown. An already expired silence is returned unchanged. */
  expireSilence(id: number, by: string, now: number): Promise<SilenceRecord | null>;

  /** Starts a recovery check; returns false (and changes nothing) if the deploy already has one. */
  beginRecovery(r: Omit<RecoveryRecord, 'updatedAt' | 'checkedAt' | 'summary' | 'status'>, now: number): Promise<boolean>;
  getRecovery(deployId: string): Promise<RecoveryRecord | null>;
  updateRecovery(deployId: string, change: Pick<RecoveryRecord, 'status' | 'checkedAt' | 'summary'>, now: number): Promise<void>;
  /** Recovery checks still `checking`. */
  activeRecoveries(): Promise<RecoveryRecord[]>;
}
