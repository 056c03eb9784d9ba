// The HTTP API (DESIGN §6) as an express app built from injected dependencies; main.ts listens, not this file.
import express from 'express';
import type { AppDeps } from './deps.js';
import { errorHandler, notFoundHandler } from './http-error.js';
import { countHttpRequests } from './http-metrics.js';
import { apiPolicy } from './policy.js';
import { assignRequestId } from './request-id.js';
import { deployRoutes } from './routes/deploys.js';
import { healthRoutes } from './routes/health.js';
import { silenceRoutes } from './routes/silences.js';
import { webhookRoutes } from './routes/webhooks.js';

/**
 * Builds the API: probes and /metrics (no auth), /v1/deploys (CI token: bearer or HMAC), GitHub and GitLab
 * webhooks (their own secrets). Unknown routes answer 404 JSON; unexpected errors 500 with a request id.
 */
export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use(assignRequestId);
  app.use(countHttpRequests(deps.registry));
  app.use(healthRoutes(deps));
  const policy = apiPolicy(deps);
  app.use(deployRoutes(deps, policy));
  app.use(webhookRoutes(deps, policy));
  if (deps.silences) app.use(silenceRoutes(deps.silences, deps.auth));
  app.use(notFoundHandler);
  app.use(errorHandler(deps.logger));
  return app;
}
