// Response schemas of SRE review: the review additions to GET /v1/deploys/:id (SRE actions, feedback, the deploy's
// deliveries — DeliveryBody is the outbox row schema of silence.ts — and the recovery check), the answers of
// POST /v1/deploys/:id/actions and /feedback, and the chart data of GET /v1/deploys/:id/charts.
import { z } from 'zod';
import type { DeployCharts } from '../../review/chart-types.js';
import { FEEDBACK_LABELS, RECOVERY_STATUSES, REVIEW_ACTIONS } from '../../store/records.js';
import { DeployResponse } from './deploy.js';
import { DeliveryBody } from './silence.js';

const UnixSeconds = z.number().describe('Unix seconds');

export const ReviewActionBody = z.object({
  id: z.number().int(),
  deployId: z.string(),
  action: z.enum(REVIEW_ACTIONS),
  actor: z.string(),
  reason: z.string(),
  outcome: z.string().nullable(),
  createdAt: UnixSeconds,
});
export type ReviewActionBody = z.infer<typeof ReviewActionBody>;

export const FeedbackBody = z.object({
  id: z.number().int(),
  deployId: z.string(),
  label: z.enum(FEEDBACK_LABELS),
  rule: z.string().nullable(),
  note: z.string(),
  actor: z.string(),
  createdAt: UnixSeconds,
});
export type FeedbackBody = z.infer<typeof FeedbackBody>;

/** The check after a rollback that the findings behind it clear (watch/recovery.ts). */
export const RecoveryBody = z.object({
  deployId: z.string(),
  status: z.enum(RECOVERY_STATUSES),
  rolledBackAt: UnixSeconds.describe('series time of the rollback'),
  windowEnd: UnixSeconds.describe('series time at which the check gives up and escalates'),
  rules: z.array(z.string()).describe('rules whose findings must clear'),
  checkedAt: UnixSeconds.nullable(),
  summary: z.string().nullable(),
  updatedAt: UnixSeconds,
});
export type RecoveryBody = z.infer<typeof RecoveryBody>;

/** GET /v1/deploys/:id: the deploy, plus its review history when the review service is configured. */
export const DeployDetailResponse = DeployResponse.extend({
  reviewActions: z.array(ReviewActionBody).optional(),
  feedback: z.array(FeedbackBody).optional(),
  deliveries: z.array(DeliveryBody).optional(),
  recovery: RecoveryBody.nullable().optional(),
});
export type DeployDetailResponse = z.infer<typeof DeployDetailResponse>;

/** POST /v1/deploys/:id/actions (201). */
export const ReviewActionResponse = z.object({ action: ReviewActionBody });
export type ReviewActionResponse = z.infer<typeof ReviewActionResponse>;

/** POST /v1/deploys/:id/feedback (201). */
export const FeedbackResponse = z.object({ feedback: FeedbackBody });
export type FeedbackResponse = z.infer<typeof FeedbackResponse>;

const Points = z.array(z.tuple([z.number(), z.number()]));

/** GET /v1/deploys/:id/charts: the shape of review/chart-types.ts (checked at compile time by `satisfies`). */
export const ChartsResponse = z.object({
  startedAt: UnixSeconds,
  windowEnd: UnixSeconds.nullable(),
  rollbackAt: UnixSeconds.nullable(),
  metrics: z.array(
    z.object({
      metric: z.string(),
      points: Points,
      control: Points,
      band: z.object({ median: z.number(), lo: z.number(), hi: z.number(), from: UnixSeconds, to: UnixSeconds }).nullable(),
      thresholds: z.array(z.object({ rule: z.string(), condition: z.string(), value: z.number() })),
      established: z.array(z.object({ rule: z.string(), at: UnixSeconds, severity: z.string() })),
    }),
  ),
}) satisfies z.ZodType<DeployCharts>;
