// Routes for /v1/silences (admin token): SREs mute a service's alerts for a time range, list, show and expire them.
import { Router } from 'express';
import { z } from 'zod';
import { SilenceError, SilenceInput, type SilenceService } from '../../actions/silences/service.js';
import { requireAdminAuth } from '../auth.js';
import { parseJsonBody, readRawBody } from '../body.js';
import type { AuthSecrets } from '../deps.js';
import { sendError } from '../http-error.js';
import { toApiIssues } from '../issues.js';
import { respond } from '../respond.js';
import { SilenceDetailResponse, SilenceListResponse, SilenceResponse } from '../schemas/index.js';

const ExpireInput = z.object({ by: z.string().min(1).max(128) }).strict();
const ListParams = z
  .object({
    all: z.enum(['true', 'false'], { error: 'must be true or false' }).optional(),
    service: z.string().min(1).max(128).optional(),
  })
  .strict();

/** POST /v1/silences, GET /v1/silences, GET /v1/silences/:id, POST /v1/silences/:id/expire. */
export function silenceRoutes(silences: SilenceService, secrets: AuthSecrets): Router {
  const router = Router();
  const auth = requireAdminAuth(secrets);
  const idOf = (raw: unknown): number | null => (typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : null);

  router.post('/v1/silences', readRawBody, auth, parseJsonBody, async (req, res) => {
    const parsed = SilenceInput.safeParse(req.body);
    if (!parsed.success) {
      sendError(res, 400, 'invalid silence', undefined, {
        issues: toApiIssues(parsed.error, ['service', 'environment', 'startsAt', 'endsAt', 'duration', 'createdBy', 'reason']),
      });
      return;
    }
    try {
      respond(res, SilenceResponse, { silence: await silences.create(parsed.data) }, 201);
    } catch (err) {
      if (err instanceof SilenceError) return sendError(res, 400, 'invalid silence', err.message);
      throw err;
    }
  });

  router.get('/v1/silences', readRawBody, auth, async (req, res) => {
    const parsed = ListParams.safeParse(req.query);
    if (!parsed.success) return sendError(res, 400, 'invalid query', undefined, { issues: toApiIssues(parsed.error, ['all', 'service']) });
    respond(res, SilenceListResponse, { silences: await silences.list({ all: parsed.data.all === 'true', service: parsed.data.service }) });
  });

  router.get('/v1/silences/:id', readRawBody, auth, async (req, res) => {
    const id = idOf(req.params.id);
    const found = id === null ? null : await silences.get(id);
    if (!found) return sendError(res, 404, 'not found', `no silence with id ${String(req.params.id)}; list them with GET /v1/silences?all=true`);
    respond(res, SilenceDetailResponse, found);
  });

  router.post('/v1/silences/:id/expire', readRawBody, auth, parseJsonBody, async (req, res) => {
    const parsed = ExpireInput.safeParse(req.body);
    if (!parsed.success) return sendError(res, 400, 'invalid request', undefined, { issues: toApiIssues(parsed.error, ['by']) });
    const id = idOf(req.params.id);
    const silence = id === null ? null : await silences.expire(id, parsed.data.by);
    if (!silence) return sendError(res, 404, 'not found', `no silence with id ${String(req.params.id)}`);
    respond(res, SilenceResponse, { silence });
  });

  return router;
}
