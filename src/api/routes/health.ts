// Unauthenticated probes: liveness (/healthz), readiness (/readyz) and Prometheus metrics (/metrics).
import { Router } from 'express';
import type { AppDeps } from '../deps.js';
import { respond } from '../respond.js';
import { HealthResponse, ReadyResponse } from '../schemas/index.js';

/** GET /healthz, GET /readyz, GET /metrics. */
export function healthRoutes(deps: Pick<AppDeps, 'registry' | 'notReadyReason'>): Router {
  const router = Router();

  router.get('/healthz', (_req, res) => {
    respond(res, HealthResponse, { status: 'ok' });
  });

  router.get('/readyz', (_req, res) => {
    const reason = deps.notReadyReason();
    if (reason === null) respond(res, ReadyResponse, { status: 'ready' });
    else respond(res, ReadyResponse, { status: 'not ready', reason }, 503);
  });

  router.get('/metrics', async (_req, res) => {
    const body = await deps.registry.metrics();
    res.set('Content-Type', deps.registry.contentType).send(body);
  });

  return router;
}
