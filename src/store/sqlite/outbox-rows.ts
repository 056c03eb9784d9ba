// Row shapes of the deliveries, silences and recoveries tables, and their conversion to records.
import type { Severity } from '../../judge/types.js';
import type { ActionKind, DeliveryKind, DeliveryRecord, DeliveryStatus, RecoveryRecord, RecoveryStatus, SilenceRecord } from '../records.js';

export interface DeliveryRow {
  id: number;
  dedup_key: string;
  deploy_id: string | null;
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
  action_kind: string | null;
  action_target: string | null;
  /** JSON, or null. */
  action_request: string | null;
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

// The CHECK constraints (generated from the consts in ../records.ts) guarantee the enum columns, so the casts below are safe.

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
    action:
      r.action_kind === null
        ? null
        : {
            kind: r.action_kind as ActionKind,
            target: r.action_target ?? '',
            request: r.action_request === null ? null : (JSON.parse(r.action_request) as unknown),
          },
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
