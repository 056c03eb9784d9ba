// GET /v1/openapi.json: the OpenAPI 3.1 document of every route, generated from the schemas that validate them.
import { Router } from 'express';
import { z } from 'zod';
import { DeployInput } from '../deploy-input.js';
import type { AppDeps } from '../deps.js';
import { openApiDocument, type RouteDoc } from '../openapi/registry.js';
import { DeployDetailResponse, DeployListResponse, DeployResponse, SilenceDetailResponse, SilenceListResponse, SilenceResponse } from '../schemas/index.js';
import { requireViewer } from '../session.js';
import { SilenceInput } from '../../actions/silences/service.js';
import { DeployListParams } from './deploys.js';
import { reviewRouteDocs } from './review.js';
import { sessionRouteDocs } from './session.js';
import { tuningRouteDocs } from './tuning.js';
import { uiRouteDocs } from './ui.js';

const Json = z.record(z.string(), z.unknown());

/** Routes defined before the registry; their request schemas are the ones the routes validate with. */
export const coreRouteDocs: RouteDoc[] = [
  { method: 'get', path: '/healthz', summary: 'liveness', auth: 'none' },
  { method: 'get', path: '/readyz', summary: 'readiness (503 while resuming watches)', auth: 'none', errors: { 503: 'not ready' } },
  {
    method: 'get',
    path: '/metrics',
    summary: 'Prometheus metrics',
    auth: 'none',
    response: { mediaType: 'text/plain', description: 'Prometheus text format' },
  },
  {
    method: 'post',
    path: '/v1/deploys',
    summary: 'a deploy started (idempotent on id)',
    auth: 'ci',
    status: 202,
    body: DeployInput,
    response: DeployResponse,
    errors: { 400: 'field-level errors', 409: 'the id is known with other fields', 422: 'cannot watch deploy' },
  },
  {
    method: 'get',
    path: '/v1/deploys',
    summary: 'deploys, newest first, as summaries (no finding evidence or action payloads), a page at a time',
    auth: 'viewer',
    query: DeployListParams,
    response: DeployListResponse,
    errors: { 400: 'invalid query' },
  },
  {
    method: 'get',
    path: '/v1/deploys/:id',
    summary: 'a deploy: watch, verdict, findings, actions, SRE actions, feedback, deliveries',
    auth: 'viewer',
    response: DeployDetailResponse,
    errors: { 404: 'unknown deploy' },
  },
  { method: 'post', path: '/v1/webhooks/github', summary: 'GitHub deployment / deployment_status events', auth: 'github' },
  { method: 'post', path: '/v1/webhooks/gitlab', summary: 'GitLab deployment events', auth: 'gitlab' },
  { method: 'post', path: '/v1/webhooks/flux', summary: 'Flux notification-controller events (generic-hmac or bearer CI token)', auth: 'ci' },
  {
    method: 'post',
    path: '/v1/silences',
    summary: 'mute alerts of a service for a time range',
    auth: 'admin',
    status: 201,
    body: SilenceInput,
    response: SilenceResponse,
  },
  { method: 'get', path: '/v1/silences', summary: 'list silences', auth: 'admin', response: SilenceListResponse },
  { method: 'get', path: '/v1/silences/:id', summary: 'one silence', auth: 'admin', response: SilenceDetailResponse, errors: { 404: 'unknown silence' } },
  {
    method: 'post',
    path: '/v1/silences/:id/expire',
    summary: 'end a silence now',
    auth: 'admin',
    body: z.object({ by: z.string() }),
    response: SilenceResponse,
  },
  { method: 'get', path: '/v1/openapi.json', summary: 'this document', auth: 'viewer', response: Json },
];

/** Every documented route; a test checks the app has no route missing from it. */
export const ALL_ROUTE_DOCS: readonly RouteDoc[] = [...coreRouteDocs, ...reviewRouteDocs, ...tuningRouteDocs, ...sessionRouteDocs, ...uiRouteDocs];

export function openApiRoutes(deps: AppDeps, version: string): Router {
  const router = Router();
  // Generated on first use, not at start-up: it walks every schema (tens of ms the daemon need not wait for).
  let doc: Record<string, unknown> | null = null;
  router.get('/v1/openapi.json', requireViewer(deps.auth), (_req, res) => {
    doc ??= openApiDocument(ALL_ROUTE_DOCS, version);
    res.json(doc);
  });
  return router;
}
