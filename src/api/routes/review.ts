// Routes for SRE review of a deploy: actions (admin), feedback (admin) and the deployment log (viewer).
import { Router } from 'express';
import { z } from 'zod';
import { deployLog } from '../../review/deploy-log.js';
import { ReviewError, type ReviewService } from '../../review/review-service.js';
import { FEEDBACK_LABELS, REVIEW_ACTIONS } from '../../store/records.js';
import { parseJsonBody, readRawBody } from '../body.js';
import type { AppDeps } from '../deps.js';
import { sendError } from '../http-error.js';
import { toApiIssues } from '../issues.js';
import type { RouteDoc } from '../openapi/registry.js';
import { respond } from '../respond.js';
import { ChartsResponse, FeedbackResponse, ReviewActionResponse } from '../schemas/index.js';
import { principal, requireAdmin, requireViewer } from '../session.js';

// Control characters are refused on purpose: these values are shown in pages, logs and Markdown.
/* eslint-disable no-control-regex */
const Actor = z
  .string()
  .trim()
  .min(1)
  .max(128)
  .regex(/^[^\u0000-\u001f\u007f]*$/, 'must not contain control characters');
const Text = (max: number) =>
  z
    .string()
    .trim()
    .max(max, `must be at most ${max} characters`)
    .regex(/^[^\u0000-\u0008\u000b-\u001f\u007f]*$/, 'must not contain control characters');
/* eslint-enable no-control-regex */

/** Body of POST /v1/deploys/:id/actions. */
export const ActionInput = z
  .object({
    action: z.enum(REVIEW_ACTIONS, { error: `must be one of ${REVIEW_ACTIONS.join(', ')}` }),
    reason: Text(1000).min(1, 'say why: it is recorded and shown in the timeline'),
    /** Who acts; default the name given at login. */
    by: Actor.optional(),
    /** extend only: seconds to add to the watch window (default 600). */
    seconds: z.number().int().min(60).max(86_400).optional(),
  })
  .strict();

/** Body of POST /v1/deploys/:id/feedback. */
export const FeedbackInput = z
  .object({
    label: z.enum(FEEDBACK_LABELS, { error: `must be one of ${FEEDBACK_LABELS.join(', ')}` }),
    /** The rule that fired wrongly (required for false-alarm). */
    rule: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]*$/, 'a rule name (kebab-case)')
      .max(128)
      .optional(),
    note: Text(2000).default(''),
    by: Actor.optional(),
  })
  .strict();

export const reviewRouteDocs: RouteDoc[] = [
  {
    method: 'post',
    path: '/v1/deploys/:id/actions',
    summary: 'SRE action: acknowledge, rollback (exactly-once hook path), stop, extend, note',
    auth: 'admin',
    status: 201,
    body: ActionInput,
    response: ReviewActionResponse,
    errors: { 400: 'invalid body', 403: 'not the admin token', 404: 'unknown deploy', 409: 'the watch is not open' },
  },
  {
    method: 'post',
    path: '/v1/deploys/:id/feedback',
    summary: "SRE's label of the verdict",
    auth: 'admin',
    status: 201,
    body: FeedbackInput,
    response: FeedbackResponse,
    errors: { 400: 'invalid body', 403: 'not the admin token', 404: 'unknown deploy' },
  },
  {
    method: 'get',
    path: '/v1/deploys/:id/charts',
    summary: "each judged metric's points, baseline band, thresholds, established times and rollback",
    auth: 'viewer',
    response: ChartsResponse,
    errors: { 404: 'unknown deploy' },
  },
  {
    method: 'get',
    path: '/v1/deploys/:id/log.md',
    summary: 'the deployment log (seeds template) filled from the record',
    auth: 'viewer',
    response: { mediaType: 'text/markdown', description: 'Markdown' },
    errors: { 404: 'unknown deploy' },
  },
];

function reviewFailed(res: Parameters<typeof sendError>[0], err: unknown): boolean {
  if (!(err instanceof ReviewError)) return false;
  sendError(res, err.status, err.status === 404 ? 'not found' : err.status === 409 ? 'conflict' : 'invalid request', err.message);
  return true;
}

export function reviewRoutes(deps: AppDeps, review: ReviewService): Router {
  const router = Router();
  const admin = requireAdmin(deps.auth);
  const viewer = requireViewer(deps.auth);

  router.post('/v1/deploys/:id/actions', readRawBody, admin, parseJsonBody, async (req, res) => {
    const parsed = ActionInput.safeParse(req.body);
    if (!parsed.success) return sendError(res, 400, 'invalid action', undefined, { issues: toApiIssues(parsed.error, Object.keys(ActionInput.shape)) });
    const { by, ...rest } = parsed.data;
    try {
      const action = await review.act(String(req.params.id), { ...rest, actor: by ?? principal(res)?.name ?? 'admin' });
      respond(res, ReviewActionResponse, { action }, 201);
    } catch (err) {
      if (!reviewFailed(res, err)) throw err;
    }
  });

  router.post('/v1/deploys/:id/feedback', readRawBody, admin, parseJsonBody, async (req, res) => {
    const parsed = FeedbackInput.safeParse(req.body);
    if (!parsed.success) return sendError(res, 400, 'invalid feedback', undefined, { issues: toApiIssues(parsed.error, Object.keys(FeedbackInput.shape)) });
    const { by, ...rest } = parsed.data;
    try {
      const feedback = await review.feedback(String(req.params.id), { ...rest, actor: by ?? principal(res)?.name ?? 'admin' });
      respond(res, FeedbackResponse, { feedback }, 201);
    } catch (err) {
      if (!reviewFailed(res, err)) throw err;
    }
  });

  router.get('/v1/deploys/:id/charts', readRawBody, viewer, async (req, res) => {
    const charts = await review.charts(String(req.params.id));
    if (!charts) return sendError(res, 404, 'not found', `no deploy with id ${String(req.params.id)}`);
    respond(res, ChartsResponse, charts);
  });

  router.get('/v1/deploys/:id/log.md', readRawBody, viewer, async (req, res) => {
    const id = String(req.params.id);
    const view = await deps.intake.get(id);
    if (!view) return sendError(res, 404, 'not found', `no deploy with id ${id}`);
    const extras = await review.extras(id);
    res.type('text/markdown; charset=utf-8').send(deployLog({ view, reviewActions: extras.reviewActions, feedback: extras.feedback }));
  });

  return router;
}
