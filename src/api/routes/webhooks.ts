// Routes for CI webhooks: GitHub (HMAC X-Hub-Signature-256) and GitLab (shared X-Gitlab-Token) deployment events.
import { Router, type RequestHandler, type Response } from 'express';
import type { DeployOrigin } from '../../store/records.js';
import { parseJsonBody, rawBodyOf, readRawBody } from '../body.js';
import type { AppDeps, DeployIntake } from '../deps.js';
import { sendError } from '../http-error.js';
import { respond } from '../respond.js';
import { DeployResponse, WebhookIgnoredResponse, WebhookOkResponse } from '../schemas/index.js';
import { secretsEqual, verifySha256Signature } from '../signature.js';
import { mapGitHubEvent } from '../webhooks/github.js';
import { mapGitLabEvent } from '../webhooks/gitlab.js';
import type { WebhookOutcome } from '../webhooks/outcome.js';

/** Carries out a mapped webhook and answers: 202 new deploy, 200 existing/stopped, 202 ignored, 400 invalid. */
export async function applyOutcome(res: Response, intake: DeployIntake, outcome: WebhookOutcome, origin: DeployOrigin): Promise<void> {
  switch (outcome.kind) {
    case 'ingest': {
      const { view, created } = await intake.ingest(outcome.input, origin);
      respond(res, DeployResponse, view, created ? 202 : 200);
      return;
    }
    case 'stop': {
      const view = await intake.stop(outcome.id, outcome.reason);
      if (view) respond(res, DeployResponse, view);
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
    if (secret === null) return sendError(res, 404, 'github webhooks are not configured; set RELEASE_GUARD_GITHUB_SECRET');
    const header = req.get('x-hub-signature-256');
    if (header === undefined) {
      return sendError(res, 401, 'unauthorized', 'missing X-Hub-Signature-256: set the GitHub webhook secret to the value of RELEASE_GUARD_GITHUB_SECRET');
    }
    if (!verifySha256Signature(secret, rawBodyOf(res), header)) {
      return sendError(res, 401, 'unauthorized', 'X-Hub-Signature-256 does not match the body: the GitHub webhook secret differs from RELEASE_GUARD_GITHUB_SECRET');
    }
    next();
  };
}

/** 404 when the token is not configured, 401 when X-Gitlab-Token is missing or wrong (timing-safe compare). */
function verifyGitLab(token: string | null): RequestHandler {
  return (req, res, next) => {
    if (token === null) return sendError(res, 404, 'gitlab webhooks are not configured; set RELEASE_GUARD_GITLAB_TOKEN');
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

/** POST /v1/webhooks/github and POST /v1/webhooks/gitlab. */
export function webhookRoutes(deps: AppDeps): Router {
  const router = Router();

  router.post('/v1/webhooks/github', readRawBody, verifyGitHub(deps.auth.githubSecret), parseJsonBody, async (req, res) => {
    const outcome = mapGitHubEvent(req.get('x-github-event'), req.body, req.get('x-github-delivery'));
    await applyOutcome(res, deps.intake, outcome, 'github');
  });

  router.post('/v1/webhooks/gitlab', readRawBody, verifyGitLab(deps.auth.gitlabToken), parseJsonBody, async (req, res) => {
    const outcome = mapGitLabEvent(req.get('x-gitlab-event'), req.body);
    await applyOutcome(res, deps.intake, outcome, 'gitlab');
  });

  return router;
}
