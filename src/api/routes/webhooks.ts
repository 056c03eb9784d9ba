// Routes for CI webhooks: GitHub (HMAC X-Hub-Signature-256) and GitLab (shared X-Gitlab-Token) deployment events.
import { Router, type RequestHandler, type Response } from 'express';
import type { DeployOrigin } from '../../store/records.js';
import { parseJsonBody, rawBodyOf, readRawBody } from '../body.js';
import type { AppDeps, DeployIntake } from '../deps.js';
import { sendError } from '../http-error.js';
import { respond } from '../respond.js';
import { DeployResponse, WebhookIgnoredResponse, WebhookOkResponse } from '../schemas/index.js';
import { secretsEqual, verifySha256Signature } from '../signature.js';
import { requireCiAuth } from '../auth.js';
import { mapGitHubEvent } from '../webhooks/github.js';
import { mapFluxEvent } from '../webhooks/flux.js';
import { mapGitLabEvent } from '../webhooks/gitlab.js';
import type { WebhookOutcome } from '../webhooks/outcome.js';
import { apiPolicy, type ApiPolicy } from '../policy.js';

/** How long a GitHub delivery GUID is remembered: GitHub offers redelivery of the past 3 days; we keep 7. */
export const GITHUB_DELIVERY_MEMORY_SECONDS = 7 * 86_400;
const DELIVERY_GUID = /^[A-Za-z0-9-]{1,64}$/;

/** Carries out a mapped webhook and answers: 202 new deploy, 200 existing/stopped, 202 ignored, 400 invalid. */
export async function applyOutcome(
  res: Response,
  intake: DeployIntake,
  outcome: WebhookOutcome,
  origin: DeployOrigin,
  redact: <T>(v: T) => T = (v) => v,
): Promise<void> {
  switch (outcome.kind) {
    case 'ingest': {
      const { view, created } = await intake.ingest(outcome.input, origin);
      respond(res, DeployResponse, redact(view), created ? 202 : 200);
      return;
    }
    case 'stop': {
      const view = await intake.stop(outcome.id, outcome.reason);
      if (view) respond(res, DeployResponse, redact(view));
      else respond(res, WebhookIgnoredResponse, { ignored: `no deploy with id ${outcome.id}; nothing to stop` }, 202);
      return;
    }
    case 'ignore':
      respond(res, WebhookIgnoredResponse, { ignored: outcome.reason }, 202);
      return;
    case 'ping':
      respond(res, WebhookOkResponse, { ok: true });
      return;
    case 'invalid':
      sendError(res, 400, outcome.error, undefined, { issues: outcome.issues });
      return;
  }
}

/** 404 when the secret is not configured, 401 when the signature is missing or wrong. */
function verifyGitHub(secret: string | null): RequestHandler {
  return (req, res, next) => {
    if (secret === null)
      return sendError(
        res,
        404,
        'not configured',
        'github webhooks are not configured on this guard: set RELEASE_GUARD_GITHUB_SECRET (or auth.githubSecretFile) and restart; see README.md#post-v1webhooksgithub--github-deployment-events',
      );
    const header = req.get('x-hub-signature-256');
    if (header === undefined) {
      return sendError(res, 401, 'unauthorized', 'missing X-Hub-Signature-256: set the GitHub webhook secret to the value of RELEASE_GUARD_GITHUB_SECRET');
    }
    if (!verifySha256Signature(secret, rawBodyOf(res), header)) {
      return sendError(
        res,
        401,
        'unauthorized',
        'X-Hub-Signature-256 does not match the body: the GitHub webhook secret differs from RELEASE_GUARD_GITHUB_SECRET',
      );
    }
    next();
  };
}

/** 404 when the token is not configured, 401 when X-Gitlab-Token is missing or wrong (timing-safe compare). */
function verifyGitLab(token: string | null): RequestHandler {
  return (req, res, next) => {
    if (token === null)
      return sendError(
        res,
        404,
        'not configured',
        'gitlab webhooks are not configured on this guard: set RELEASE_GUARD_GITLAB_TOKEN (or auth.gitlabTokenFile) and restart; see README.md#post-v1webhooksgitlab--gitlab-deployment-hooks',
      );
    const given = req.get('x-gitlab-token');
    if (given === undefined) {
      return sendError(res, 401, 'unauthorized', 'missing X-Gitlab-Token: set the GitLab webhook secret token to the value of RELEASE_GUARD_GITLAB_TOKEN');
    }
    if (!secretsEqual(given, token)) {
      return sendError(res, 401, 'unauthorized', 'X-Gitlab-Token is not valid: the GitLab webhook secret token differs from RELEASE_GUARD_GITLAB_TOKEN');
    }
    next();
  };
}

/** POST /v1/webhooks/github, /v1/webhooks/gitlab and /v1/webhooks/flux. */
export function webhookRoutes(deps: AppDeps, policy: ApiPolicy = apiPolicy(deps)): Router {
  const router = Router();
  const { nonces } = policy.signing;

  // A delivery GUID (X-GitHub-Delivery) is processed once: GitHub's redelivery reuses it. It is remembered only
  // after a 2xx/4xx answer, so a delivery that failed with a 5xx can be redelivered and processed.
  router.post('/v1/webhooks/github', readRawBody, verifyGitHub(deps.auth.githubSecret), parseJsonBody, async (req, res) => {
    const delivery = req.get('x-github-delivery');
    const key = delivery !== undefined && DELIVERY_GUID.test(delivery) ? `github-delivery:${delivery}` : null;
    if (key && (await nonces.seenNonce(key, policy.now()))) {
      res.status(200).json({ duplicate: `delivery ${delivery} was already processed; nothing changed` });
      return;
    }
    const outcome = mapGitHubEvent(req.get('x-github-event'), req.body, delivery, policy.deployInput);
    await applyOutcome(res, deps.intake, outcome, 'github', policy.redact);
    if (key && res.statusCode < 500) await nonces.rememberNonce(key, policy.now() + GITHUB_DELIVERY_MEMORY_SECONDS, policy.now());
  });

  router.post('/v1/webhooks/gitlab', readRawBody, verifyGitLab(deps.auth.gitlabToken), parseJsonBody, async (req, res) => {
    const outcome = mapGitLabEvent(req.get('x-gitlab-event'), req.body, policy.deployInput);
    await applyOutcome(res, deps.intake, outcome, 'gitlab', policy.redact);
  });

  // Flux generic-hmac signs the body with the CI token in X-Signature (no timestamp: a replayed event maps to the same
  // deterministic id, so it changes nothing); the generic provider can send a bearer token or a signed request.
  const ciAuth = requireCiAuth(deps.auth, policy.signing);
  const verifyFlux: RequestHandler = (req, res, next) => {
    const signature = req.get('x-signature');
    if (signature === undefined) return ciAuth(req, res, next);
    if (verifySha256Signature(deps.auth.token, rawBodyOf(res), signature)) return next();
    sendError(res, 401, 'unauthorized', "X-Signature does not match the body: the Flux provider secret's token must be the CI token (RELEASE_GUARD_TOKEN)");
  };
  router.post('/v1/webhooks/flux', readRawBody, verifyFlux, parseJsonBody, async (req, res) => {
    await applyOutcome(res, deps.intake, mapFluxEvent(req.body, policy.deployInput), 'api', policy.redact);
  });

  return router;
}
