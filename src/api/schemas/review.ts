// Response schemas of the review additions to GET /v1/deploys/:id: SRE actions, feedback and the deploy's deliveries
// (DeliveryBody is the outbox row schema of silence.ts).
import { z } from 'zod';
import { FEEDBACK_LABELS, REVIEW_ACTIONS } from '../../store/records.js';
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

/** GET /v1/deploys/:id: the deploy, plus its review history when the review service is configured. */
export const DeployDetailResponse = DeployResponse.extend({
  reviewActions: z.array(ReviewActionBody).optional(),
  feedback: z.array(FeedbackBody).optional(),
  deliveries: z.array(DeliveryBody).optional(),
});
export type DeployDetailResponse = z.infer<typeof DeployDetailResponse>;
