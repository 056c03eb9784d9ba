// Routes for /v1/deploys: CI reports a deploy (idempotent on id), people and tools read deploys back.
import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import { z } from 'zod';
import { MAX_LIST_LIMIT, WATCH_STATUSES, type DeployListQuery } from '../../store/records.js';
import { requireCiAuth } from '../auth.js';
import { parseJsonBody, readRawBody } from '../body.js';
import { DEPLOY_INPUT_FIELDS, type DeployInput } from '../deploy-input.js';
import type { AppDeps } from '../deps.js';
import { sendError } from '../http-error.js';
import { toApiIssues } from '../issues.js';
import { respond } from '../respond.js';
import { DeployListResponse, DeployResponse } from '../schemas/index.js';
import { apiPolicy, reservedIdProblem, type ApiPolicy } from '../policy.js';

/** `?service=` (empty) means "no filter", not "service named ''". */
const emptyAsAbsent = (v: unknown) => (v === '' ? undefined : v);
const queryText = z.preprocess(emptyAsAbsent, z.string({ error: 'must be given once, as text' }).max(128, 'must be at most 128 characters').optional());

/** Query of GET /v1/deploys. */
export const DeployListParams = z
  .object({
    service: queryText,
    environment: queryText,
    status: z.preprocess(emptyAsAbsent, z.enum(WATCH_STATUSES, { error: `must be one of ${WATCH_STATUSES.join(', ')}` }).optional()),
    limit: z.preprocess(emptyAsAbsent, z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1').max(MAX_LIST_LIMIT, `must be at most ${MAX_LIST_LIMIT}`).optional()),
    before: queryText,
  })
  .strict();

/** The id a deploy gets when CI sends none: `d-` and a random UUID (such deploys are not idempotent). */
export function newDeployId(): string {
  return `d-${randomUUID()}`;
}

/** POST /v1/deploys, GET /v1/deploys, GET /v1/deploys/:id. */
export function deployRoutes(deps: AppDeps, policy: ApiPolicy = apiPolicy(deps)): Router {
  const router = Router();
  const auth = requireCiAuth(deps.auth, policy.signing);

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

  router.get('/v1/deploys', readRawBody, auth, async (req, res) => {
    const parsed = DeployListParams.safeParse(req.query);
    if (!parsed.success) {
      sendError(res, 400, 'invalid query', undefined, { issues: toApiIssues(parsed.error, Object.keys(DeployListParams.shape)) });
      return;
    }
    const query: DeployListQuery = parsed.data;
    respond(res, DeployListResponse, { deploys: policy.redact(await deps.intake.list(query)) });
  });

  router.get('/v1/deploys/:id', readRawBody, auth, async (req, res) => {
    const id = String(req.params.id);
    const view = await deps.intake.get(id);
    if (!view) {
      sendError(res, 404, 'not found', `no deploy with id ${id}`);
      return;
    }
    respond(res, DeployResponse, policy.redact(view));
  });

  return router;
}
