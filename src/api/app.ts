// The HTTP API (DESIGN §6) as an express app built from injected dependencies; main.ts listens, not this file.
import express from 'express';
import helmet from 'helmet';
import type { AppDeps } from './deps.js';
import { errorHandler, notFoundHandler } from './http-error.js';
import { countHttpRequests } from './http-metrics.js';
import { apiPolicy } from './policy.js';
import { assignRequestId } from './request-id.js';
import { deployRoutes } from './routes/deploys.js';
import { healthRoutes } from './routes/health.js';
import { silenceRoutes } from './routes/silences.js';
import { storeUnwritableHandler } from './store-unwritable.js';
import { webhookRoutes } from './routes/webhooks.js';
import { openApiRoutes } from './routes/openapi.js';
import { reviewRoutes } from './routes/review.js';
import { sessionRoutes } from './routes/session.js';
import { tuningRoutes } from './routes/tuning.js';
import { uiRoutes } from './routes/ui.js';

/** No inline script or style, nothing from another host: the UI is one bundled script and one stylesheet. */
const CSP = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  fontSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  upgradeInsecureRequests: null,
};

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
  app.use(helmet({ contentSecurityPolicy: { directives: CSP } }));
  app.use(healthRoutes(deps));
  const policy = apiPolicy(deps);
  app.use(deployRoutes(deps, policy));
  app.use(webhookRoutes(deps, policy));
  if (deps.silences) app.use(silenceRoutes(deps.silences, deps.auth));
  if (deps.review) app.use(reviewRoutes(deps, deps.review));
  if (deps.tuning) app.use(tuningRoutes(deps, deps.tuning));
  app.use(sessionRoutes(deps, deps.now ?? (() => Date.now() / 1000)));
  app.use(openApiRoutes(deps, '0.1.0'));
  if (deps.uiDir) app.use(uiRoutes(deps, deps.uiDir));
  app.use(notFoundHandler);
  app.use(storeUnwritableHandler);
  app.use(errorHandler(deps.logger));
  return app;
}
