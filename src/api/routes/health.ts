// Unauthenticated probes: liveness (/healthz), readiness (/readyz) and Prometheus metrics (/metrics).
import { Router } from 'express';
import type { AppDeps } from '../deps.js';

/** GET /healthz, GET /readyz, GET /metrics. */
export function healthRoutes(deps: Pick<AppDeps, 'registry' | 'notReadyReason'>): Router {
  const router = Router();

  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get('/readyz', (_req, res) => {
    const reason = deps.notReadyReason();
    if (reason === null) res.json({ status: 'ready' });
    else res.status(503).json({ status: 'not ready', reason });
  });

  router.get('/metrics', async (_req, res) => {
    const body = await deps.registry.metrics();
    res.set('Content-Type', deps.registry.contentType).send(body);
  });

  return router;
}
