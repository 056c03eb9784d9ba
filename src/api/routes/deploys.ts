// Routes for /v1/deploys: CI reports a deploy (idempotent on id), people and tools read deploys back.
import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import { z } from 'zod';
import { listLimit, MAX_LIST_LIMIT, WATCH_STATUSES, type DeployListQuery } from '../../store/records.js';
import { requireCiAuth } from '../auth.js';
import { parseJsonBody, readRawBody } from '../body.js';
import { DEPLOY_INPUT_FIELDS, type DeployInput } from '../deploy-input.js';
import type { AppDeps } from '../deps.js';
import { sendError } from '../http-error.js';
import { toApiIssues } from '../issues.js';
import { decodeListCursor, encodeListCursor } from '../list-cursor.js';
import { respond, respondShared } from '../respond.js';
import { DeployDetailResponse, DeployListResponse, DeployResponse } from '../schemas/index.js';
import { apiPolicy, reservedIdProblem, type ApiPolicy } from '../policy.js';
import { requireViewer } from '../session.js';

/** `?service=` (empty) means "no filter", not "service named ''". */
const emptyAsAbsent = (v: unknown) => (v === '' ? undefined : v);
const queryText = z.preprocess(emptyAsAbsent, z.string({ error: 'must be given once, as text' }).max(128, 'must be at most 128 characters').optional());

/** Query of GET /v1/deploys. */
export const DeployListParams = z
  .object({
    service: queryText,
    environment: queryText,
    status: z.preprocess(emptyAsAbsent, z.enum(WATCH_STATUSES, { error: `must be one of ${WATCH_STATUSES.join(', ')}` }).optional()),
    limit: z.preprocess(
      emptyAsAbsent,
      z.coerce
        .number({ error: 'must be a number' })
        .int('must be a whole number')
        .min(1, 'must be at least 1')
        .max(MAX_LIST_LIMIT, `must be at most ${MAX_LIST_LIMIT}`)
        .optional(),
    ),
    before: queryText.describe('deprecated: the id of the last deploy of the previous page; prefer cursor'),
    cursor: z
      .preprocess(emptyAsAbsent, z.string({ error: 'must be given once, as text' }).optional())
      .describe('the `next` value of the previous page, unchanged')
      .transform((text, ctx) => {
        if (text === undefined) return undefined;
        const position = decodeListCursor(text);
        if (position === null)
          ctx.addIssue({
            code: 'custom',
            message: 'is not a cursor of this guard: pass the `next` value of the previous page unchanged, or leave cursor out for the first page',
            input: text,
          });
        return position ?? undefined;
      }),
  })
  .strict()
  .refine((q) => q.before === undefined || q.cursor === undefined, {
    path: ['cursor'],
    message: 'give either cursor or before, not both (before is the older form of the same thing)',
  });

/** This request's URL with the cursor of the next page (and no `before`, which the cursor replaces). */
function nextPageUrl(originalUrl: string, cursor: string): string {
  const url = new URL(originalUrl, 'http://guard.invalid');
  url.searchParams.delete('before');
  url.searchParams.set('cursor', cursor);
  return `${url.pathname}${url.search}`;
}

/** The id a deploy gets when CI sends none: `d-` and a random UUID (such deploys are not idempotent). */
export function newDeployId(): string {
  return `d-${randomUUID()}`;
}

/** POST /v1/deploys, GET /v1/deploys (summaries, a page at a time), GET /v1/deploys/:id (the whole view). */
export function deployRoutes(deps: AppDeps, policy: ApiPolicy = apiPolicy(deps)): Router {
  const router = Router();
  const auth = requireCiAuth(deps.auth, policy.signing);
  const read = requireViewer(deps.auth, deps.now);

  router.post('/v1/deploys', readRawBody, auth, parseJsonBody, async (req, res) => {
    const parsed = policy.deployInput.safeParse(req.body);
    if (!parsed.success) {
      sendError(res, 400, 'invalid deploy', undefined, { issues: toApiIssues(parsed.error, DEPLOY_INPUT_FIELDS) });
      return;
    }
    const reserved = parsed.data.id === undefined ? null : reservedIdProblem(parsed.data.id);
    if (reserved) return sendError(res, 400, 'invalid deploy', undefined, { issues: [{ path: 'id', message: reserved }] });
    const input: DeployInput = { ...parsed.data, id: parsed.data.id ?? newDeployId() };
    const { view, created } = await deps.intake.ingest(input, 'api');
    respond(res, DeployResponse, policy.redact(view), created ? 202 : 200);
  });

  router.get('/v1/deploys', readRawBody, read, async (req, res) => {
    const parsed = DeployListParams.safeParse(req.query);
    if (!parsed.success) {
      sendError(res, 400, 'invalid query', undefined, { issues: toApiIssues(parsed.error, Object.keys(DeployListParams.shape)) });
      return;
    }
    const { cursor, ...filters } = parsed.data;
    const query: DeployListQuery = cursor ? { ...filters, after: cursor } : filters;
    const page = await deps.intake.list(query);
    // A full page may have a next one; the cursor is the last deploy's position (an empty last page can follow).
    const last = page.length === listLimit(query.limit) ? page.at(-1) : undefined;
    const next = last ? encodeListCursor(last.deploy) : null;
    if (next) res.set('Link', `<${nextPageUrl(req.originalUrl, next)}>; rel="next"`);
    // The store answers the same frozen page until something is committed; the redactor the same value when it holds
    // no secret. Such a page is checked and serialized once.
    const deploys = policy.redact(page);
    respondShared(res, DeployListResponse, deploys, JSON.stringify(next), () => ({ deploys, next }));
  });

  router.get('/v1/deploys/:id', readRawBody, read, async (req, res) => {
    const id = String(req.params.id);
    const view = await deps.intake.get(id);
    if (!view) {
      sendError(res, 404, 'not found', `no deploy with id ${id}`);
      return;
    }
    const extras = deps.review ? await deps.review.extras(id) : {};
    respond(res, DeployDetailResponse, policy.redact({ ...view, ...extras }));
  });

  return router;
}
