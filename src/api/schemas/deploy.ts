// Response schemas of /v1/deploys and the deploy webhooks: what the API promises, separate from the store's records.
import { z } from 'zod';
import { BaselineKind } from '../../rules/schema.js';
import { SEVERITIES } from '../../judge/types.js';
import {
  ACTION_KINDS,
  ACTION_STATUSES,
  ATTEMPT_OUTCOMES,
  ATTEMPTS_KEPT,
  DEPLOY_ORIGINS,
  FINDING_KINDS,
  VERDICTS,
  WATCH_STATUSES,
} from '../../store/records.js';

const UnixSeconds = z.number().describe('Unix seconds');
const StringMap = z.record(z.string(), z.string());

export const DeployBody = z.object({
  id: z.string(),
  service: z.string(),
  environment: z.string(),
  version: z.string(),
  previousVersion: z.string().nullable().optional(),
  commit: z.string().nullable().optional(),
  startedAt: UnixSeconds,
  labels: StringMap.optional(),
  links: StringMap.optional(),
  origin: z.enum(DEPLOY_ORIGINS),
  receivedAt: UnixSeconds,
});
export type DeployBody = z.infer<typeof DeployBody>;

export const WatchBody = z.object({
  deployId: z.string(),
  status: z.enum(WATCH_STATUSES),
  source: z.string(),
  timeScale: z.number(),
  windowEnd: UnixSeconds,
  interval: z.number().describe('seconds of series time between evaluations'),
  evaluatedAt: UnixSeconds.nullable(),
  supersededBy: z.string().nullable(),
  reason: z.string().nullable(),
  updatedAt: UnixSeconds,
});
export type WatchBody = z.infer<typeof WatchBody>;

export const VerdictBody = z.object({
  deployId: z.string(),
  verdict: z.enum(VERDICTS),
  severity: z.enum(SEVERITIES).nullable(),
  rollback: z.boolean(),
  rollbackAt: UnixSeconds.nullable(),
  reason: z.string().nullable(),
  decidedAt: UnixSeconds,
});
export type VerdictBody = z.infer<typeof VerdictBody>;

/**
 * The judge's arithmetic behind a finding (judge/types.ts FindingEvidence). Fields the judge adds must be added here
 * too, or the API drops them: test/api/response-schemas.test.ts fails when a judged view does not round-trip.
 */
export const FindingEvidenceBody = z.object({
  baseline: z
    .object({
      kind: BaselineKind,
      fellBackFrom: BaselineKind.nullable(),
      median: z.number(),
      pooledRate: z.number().optional(),
      spread: z.number(),
      count: z.number(),
      from: UnixSeconds,
      to: UnixSeconds,
      periodsUsed: z.number().optional(),
      slopePerHour: z.number().optional(),
    })
    .nullable(),
  test: z
    .discriminatedUnion('test', [
      z.object({
        test: z.literal('mann-whitney'),
        alternative: z.enum(['greater', 'less', 'two-sided']),
        u: z.number(),
        z: z.number(),
        pValue: z.number(),
        n: z.number(),
        baselineN: z.number(),
      }),
      z.object({
        test: z.enum(['conditional-binomial', 'poisson']),
        errors: z.number(),
        requests: z.number(),
        baselineErrors: z.number().nullable(),
        baselineRequests: z.number().nullable(),
        expected: z.number(),
        pValue: z.number(),
        dispersion: z.number().optional(),
      }),
      z.object({
        test: z.literal('requests'),
        requests: z.number(),
        steps: z.number(),
        expected: z.number(),
        dispersion: z.number().nullable(),
        pValue: z.number(),
      }),
      z.object({
        test: z.literal('silent-steps'),
        silent: z.number(),
        steps: z.number(),
        baselineSilent: z.number(),
        baselineSteps: z.number(),
        pValue: z.number(),
      }),
      z.object({
        test: z.literal('sequential-counts'),
        errors: z.number(),
        requests: z.number(),
        baselineRate: z.number(),
        rateBound: z.number(),
        dispersion: z.number(),
        eValue: z.number(),
        threshold: z.number(),
        pValue: z.number(),
      }),
      z.object({
        test: z.literal('sequential-shift'),
        alternative: z.enum(['greater', 'less', 'two-sided']),
        n: z.number(),
        baselineN: z.number(),
        eValue: z.number(),
        threshold: z.number(),
        pValue: z.number(),
      }),
    ])
    .nullable(),
  alpha: z.number().nullable(),
  lookback: z.number(),
  points: z.number(),
  slope: z.number().optional(),
  persistence: z.string(),
  note: z.string().optional(),
});

export const FindingBody = z.object({
  rule: z.string(),
  metric: z.string(),
  severity: z.enum(SEVERITIES),
  at: UnixSeconds,
  observed: z.number().nullable(),
  baseline: z.number().nullable(),
  condition: z.string(),
  kind: z.enum(FINDING_KINDS),
  summary: z.string(),
  clearedAt: UnixSeconds.nullable().optional(),
  shadow: z.boolean().optional().describe('a finding of a mode: shadow rule: shown, never acted on'),
  evidence: FindingEvidenceBody.optional(),
});
export type FindingBody = z.infer<typeof FindingBody>;

/** One attempt of a delivery (the latest ATTEMPTS_KEPT are kept). */
export const DeliveryAttemptBody = z.object({
  attempt: z.number().int().describe('1 for the first attempt of the delivery, 2 for the next, …'),
  startedAt: UnixSeconds,
  finishedAt: UnixSeconds,
  durationMs: z.number(),
  outcome: z.enum(ATTEMPT_OUTCOMES).describe('retry: failed and tried again later; interrupted: the guard stopped while it was in flight'),
  httpStatus: z.number().int().nullable().describe("the receiver's HTTP status; null for exec hooks, email and no answer"),
  error: z.string().nullable(),
});
export type DeliveryAttemptBody = z.infer<typeof DeliveryAttemptBody>;

export const ActionBody = z.object({
  id: z.number().int(),
  deployId: z.string(),
  kind: z.enum(ACTION_KINDS),
  target: z.string().describe('hook name or alert channel'),
  dedupKey: z.string(),
  status: z.enum(ACTION_STATUSES),
  request: z.unknown(),
  output: z.string().nullable(),
  error: z.string().nullable(),
  createdAt: UnixSeconds,
  finishedAt: UnixSeconds.nullable(),
  attempts: z.array(DeliveryAttemptBody).describe(`the latest attempts (at most ${ATTEMPTS_KEPT}), oldest first`),
});
export type ActionBody = z.infer<typeof ActionBody>;

/** GET /v1/deploys/:id, and POST /v1/deploys (202 created, 200 already known). */
export const DeployResponse = z.object({
  deploy: DeployBody,
  watch: WatchBody.nullable(),
  verdict: VerdictBody.nullable(),
  findings: z.array(FindingBody),
  actions: z.array(ActionBody),
});
export type DeployResponse = z.infer<typeof DeployResponse>;

/** A finding in a list: everything but its evidence (GET /v1/deploys/:id has that). */
export const FindingSummaryBody = FindingBody.omit({ evidence: true });
export type FindingSummaryBody = z.infer<typeof FindingSummaryBody>;

/** An action in a list: what, where and how it went (the request, output and error are on GET /v1/deploys/:id). */
export const ActionSummaryBody = ActionBody.pick({ id: true, kind: true, target: true, status: true, createdAt: true, finishedAt: true });
export type ActionSummaryBody = z.infer<typeof ActionSummaryBody>;

/** One deploy of GET /v1/deploys: the fields of the detail view, with findings and actions as summaries. */
export const DeploySummaryBody = z.object({
  deploy: DeployBody,
  watch: WatchBody.nullable(),
  verdict: VerdictBody.nullable(),
  findings: z.array(FindingSummaryBody),
  actions: z.array(ActionSummaryBody),
});
export type DeploySummaryBody = z.infer<typeof DeploySummaryBody>;

/** GET /v1/deploys: a page, newest first, and the cursor of the next one. */
export const DeployListResponse = z.object({
  deploys: z.array(DeploySummaryBody),
  next: z.string().nullable().describe('pass as ?cursor= for the next page (also in the Link header, rel="next"); null on the last page'),
});
export type DeployListResponse = z.infer<typeof DeployListResponse>;

/** A webhook event that needs nothing done (202), or was handled without a deploy to show (200). */
export const WebhookIgnoredResponse = z.object({ ignored: z.string() });
export const WebhookOkResponse = z.object({ ok: z.literal(true) });
