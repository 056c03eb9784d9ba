// UI sessions: log in with a token (→ signed HttpOnly SameSite=Strict cookie with an expiry), who am I, log out.
import { Router } from 'express';
import { z } from 'zod';
import { parseJsonBody, readRawBody } from '../body.js';
import type { AppDeps } from '../deps.js';
import { sendError } from '../http-error.js';
import { toApiIssues } from '../issues.js';
import type { RouteDoc } from '../openapi/registry.js';
import { respond } from '../respond.js';
import { LogoutResponse, SessionResponse } from '../schemas/index.js';
import { clearSessionCookie, principalOf, roleOfToken, SESSION_SECONDS, setSessionCookie, signSession } from '../session.js';

export const LoginInput = z
  .object({
    token: z.string().min(1, 'paste a viewer, CI or admin token').max(512),
    /** Shown as "who" on actions and feedback. */
    name: z
      .string()
      .trim()
      .min(1)
      .max(64)
      // eslint-disable-next-line no-control-regex -- a plain name: no control characters
      .regex(/^[^\u0000-\u001f\u007f<>]*$/, 'a plain name')
      .optional(),
  })
  .strict();

export const sessionRouteDocs: RouteDoc[] = [
  {
    method: 'post',
    path: '/v1/session',
    summary: 'log in with a token: sets the rg_session cookie',
    auth: 'none',
    body: LoginInput,
    response: SessionResponse,
    errors: { 401: 'unknown token' },
  },
  { method: 'get', path: '/v1/session', summary: 'who the session or token is', auth: 'viewer', response: SessionResponse },
  { method: 'delete', path: '/v1/session', summary: 'log out: clears the cookie', auth: 'none', response: LogoutResponse },
];

export function sessionRoutes(deps: AppDeps, now: () => number): Router {
  const router = Router();

  router.post('/v1/session', readRawBody, parseJsonBody, (req, res) => {
    const parsed = LoginInput.safeParse(req.body);
    if (!parsed.success) return sendError(res, 400, 'invalid login', undefined, { issues: toApiIssues(parsed.error, ['token', 'name']) });
    const role = roleOfToken(deps.auth, parsed.data.token);
    if (!role) return sendError(res, 401, 'unauthorized', 'that token is not a viewer, CI or admin token of this guard');
    const expiresAt = Math.floor(now()) + SESSION_SECONDS;
    const name = parsed.data.name ?? role;
    setSessionCookie(req, res, signSession(deps.auth, { role, name, expiresAt }), SESSION_SECONDS);
    deps.logger.info({ role, name }, 'UI login');
    respond(res, SessionResponse, { role, name, expiresAt });
  });

  router.get('/v1/session', (req, res) => {
    const p = principalOf(req, deps.auth, now());
    if (!p) return sendError(res, 401, 'unauthorized', 'not logged in: POST /v1/session with a token');
    respond(res, SessionResponse, { role: p.role, name: p.name, expiresAt: p.expiresAt });
  });

  router.delete('/v1/session', (req, res) => {
    clearSessionCookie(req, res);
    respond(res, LogoutResponse, { ok: true });
  });

  return router;
}
