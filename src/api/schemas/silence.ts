// Response schemas of /v1/silences.
import { z } from 'zod';
import { SEVERITIES } from '../../judge/types.js';
import { DELIVERY_KINDS, DELIVERY_STATUSES } from '../../store/records.js';

const UnixSeconds = z.number().describe('Unix seconds');

export const SilenceBody = z.object({
  id: z.number().int(),
  service: z.string(),
  environment: z.string().nullable().describe('null: every environment of the service'),
  startsAt: UnixSeconds,
  endsAt: UnixSeconds,
  createdBy: z.string(),
  reason: z.string(),
  createdAt: UnixSeconds,
  expiredAt: UnixSeconds.nullable(),
  expiredBy: z.string().nullable(),
  state: z.enum(['pending', 'active', 'expired']),
  muted: z.number().int().describe('deliveries this silence muted'),
});
export type SilenceBody = z.infer<typeof SilenceBody>;

/** A delivery as GET /v1/silences/:id lists what it muted (the payload is what the notifier formatted; no secrets). */
export const DeliveryBody = z.object({
  id: z.number().int(),
  dedupKey: z.string(),
  deployId: z.string().nullable(),
  service: z.string().nullable(),
  environment: z.string().nullable(),
  kind: z.enum(DELIVERY_KINDS),
  event: z.string(),
  channel: z.string(),
  channelType: z.string(),
  severity: z.enum(SEVERITIES).nullable(),
  thread: z.string().nullable(),
  payload: z.unknown(),
  status: z.enum(DELIVERY_STATUSES),
  attempts: z.number().int(),
  nextAttemptAt: UnixSeconds,
  deadlineAt: UnixSeconds,
  lastError: z.string().nullable(),
  output: z.string().nullable(),
  silenceId: z.number().int().nullable(),
  action: z.object({ kind: z.string(), target: z.string(), request: z.unknown() }).nullable(),
  createdAt: UnixSeconds,
  updatedAt: UnixSeconds,
  finishedAt: UnixSeconds.nullable(),
});

/** POST /v1/silences (201), POST /v1/silences/:id/expire. */
export const SilenceResponse = z.object({ silence: SilenceBody });
/** GET /v1/silences. */
export const SilenceListResponse = z.object({ silences: z.array(SilenceBody) });
/** GET /v1/silences/:id. */
export const SilenceDetailResponse = z.object({ silence: SilenceBody, mutedDeliveries: z.array(DeliveryBody) });
