// Row shapes of the deliveries, silences and recoveries tables, and their conversion to records.
import type { Severity } from '../judge/types.js';
import type { DeliveryKind, DeliveryRecord, DeliveryStatus, RecoveryRecord, RecoveryStatus, SilenceRecord } from './outbox-types.js';
import type { ActionStatus } from './types.js';

export interface DeliveryRow {
  id: number;
  dedup_key: string;
  deploy_id: string | null;
  action_id: number | null;
  service: string | null;
  environment: string | null;
  kind: string;
  event: string;
  channel: string;
  channel_type: string;
  severity: string | null;
  thread: string | null;
  payload: string;
  status: string;
  attempts: number;
  next_attempt_at: number;
  deadline_at: number;
  last_error: string | null;
  output: string | null;
  silence_id: number | null;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
}

export interface SilenceRow {
  id: number;
  service: string;
  environment: string | null;
  starts_at: number;
  ends_at: number;
  created_by: string;
  reason: string;
  created_at: number;
  expired_at: number | null;
  expired_by: string | null;
}

export interface RecoveryRow {
  deploy_id: string;
  status: string;
  rolled_back_at: number;
  window_end: number;
  rules: string;
  checked_at: number | null;
  summary: string | null;
  updated_at: number;
}

// The CHECK constraints in migration 2 guarantee the enum columns, so the casts below are safe.

export function toDelivery(r: DeliveryRow): DeliveryRecord {
  return {
    id: r.id,
    dedupKey: r.dedup_key,
    deployId: r.deploy_id,
    service: r.service,
    environment: r.environment,
    kind: r.kind as DeliveryKind,
    event: r.event,
    channel: r.channel,
    channelType: r.channel_type,
    severity: r.severity as Severity | null,
    thread: r.thread,
    payload: JSON.parse(r.payload) as unknown,
    status: r.status as DeliveryStatus,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    deadlineAt: r.deadline_at,
    lastError: r.last_error,
    output: r.output,
    silenceId: r.silence_id,
    actionId: r.action_id,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    finishedAt: r.finished_at,
  };
}

export function toSilence(r: SilenceRow): SilenceRecord {
  return {
    id: r.id,
    service: r.service,
    environment: r.environment,
    startsAt: r.starts_at,
    endsAt: r.ends_at,
    createdBy: r.created_by,
    reason: r.reason,
    createdAt: r.created_at,
    expiredAt: r.expired_at,
    expiredBy: r.expired_by,
  };
}

export function toRecovery(r: RecoveryRow): RecoveryRecord {
  return {
    deployId: r.deploy_id,
    status: r.status as RecoveryStatus,
    rolledBackAt: r.rolled_back_at,
    windowEnd: r.window_end,
    rules: JSON.parse(r.rules) as string[],
    checkedAt: r.checked_at,
    summary: r.summary,
    updatedAt: r.updated_at,
  };
}

/** How a delivery's status shows on its deploy's action record. */
export function actionStatusOf(status: DeliveryStatus): ActionStatus {
  switch (status) {
    case 'pending':
    case 'held':
      return 'pending';
    case 'sending':
      return 'running';
    case 'delivered':
      return 'succeeded';
    case 'failed':
    case 'expired':
      return 'failed';
    case 'muted':
      return 'muted';
    case 'interrupted':
      return 'interrupted';
  }
}
