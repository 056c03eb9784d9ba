// The outbox's domain rules as pure functions every backend shares: a delivery's action view, the restart rule.
import type { ActionRecord, ActionStatus, DeliveryAttempt, DeliveryKind, DeliveryRecord, DeliveryStatus } from './records.js';

/** How a delivery's status shows in its deploy's history. */
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

/**
 * The deploy-facing view of a delivery ("actions taken") with its kept attempts, or null when it belongs to no
 * deploy's history.
 */
export function actionOf(d: DeliveryRecord, attempts: DeliveryAttempt[]): ActionRecord | null {
  if (d.action === null || d.deployId === null) return null;
  const retrying = d.status === 'pending' && d.attempts > 0 && d.lastError !== null;
  const error = retrying ? `attempt ${d.attempts} failed, retrying: ${d.lastError}` : d.status === 'delivered' || d.status === 'muted' ? null : d.lastError;
  return {
    id: d.id,
    deployId: d.deployId,
    kind: d.action.kind,
    target: d.action.target,
    dedupKey: d.dedupKey,
    status: actionStatusOf(d.status),
    request: d.action.request,
    output: d.output,
    error,
    createdAt: d.createdAt,
    finishedAt: d.finishedAt,
    attempts,
  };
}

/**
 * The restart rule: what a delivery left `sending` by a stopped guard becomes. A notification is sent again (the
 * receiver may see it twice; PagerDuty dedups by incident key); a hook call is never re-run, because it may have acted.
 */
export function afterRestart(kind: DeliveryKind): 'pending' | 'interrupted' {
  return kind === 'notification' ? 'pending' : 'interrupted';
}

/** The error recorded on a hook call interrupted by a restart. */
export const INTERRUPTED_HOOK_ERROR =
  'the guard stopped while this hook was running; it is not re-run automatically (it may or may not have acted): check its effect by hand';

/** The error recorded in the history of a notification attempt cut off by a restart (it is sent again). */
export const INTERRUPTED_NOTIFICATION_ERROR = 'the guard stopped while this was being sent; it is sent again (the receiver may see it twice)';

/** The output recorded on held digest items when a digest that includes them is committed. */
export function digestOutput(digestDedupKey: string): string {
  return `included in the digest ${digestDedupKey}`;
}
