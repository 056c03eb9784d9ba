// Who is asking: a bearer token (viewer, CI or admin) or a signed HttpOnly session cookie obtained with one.
import { createHmac } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { requireCiAuth } from './auth.js';
import type { AuthSecrets } from './deps.js';
import { sendError } from './http-error.js';
import { secretsEqual } from './signature.js';

export type Role = 'viewer' | 'admin';
export const SESSION_COOKIE = 'rg_session';
/** A session lasts 12 hours (one on-call shift); log in again after. */
export const SESSION_SECONDS = 12 * 3600;

export interface Principal {
  role: Role;
  /** Who, as given at login (or "admin" / "viewer" for a bare bearer token). */
  name: string;
  via: 'bearer' | 'session';
  expiresAt: number | null;
}

/** The key sessions are signed with: derived from every token, so rotating any token ends every session. */
function sessionKey(s: AuthSecrets): Buffer {
  return createHmac('sha256', 'release-guard session v1')
    .update([s.token, s.adminToken ?? '', s.viewerToken ?? ''].join('\0'))
    .digest();
}

/** The role a token grants, or null. */
export function roleOfToken(s: AuthSecrets, token: string): Role | null {
  let role: Role | null = null;
  if (s.adminToken && secretsEqual(token, s.adminToken)) role = 'admin';
  if (secretsEqual(token, s.token)) role ??= 'viewer';
  if (s.viewerToken && secretsEqual(token, s.viewerToken)) role ??= 'viewer';
  return role;
}

/** `<base64url JSON>.<hex HMAC>` of {role, name, expiresAt}. */
export function signSession(s: AuthSecrets, p: { role: Role; name: string; expiresAt: number }): string {
  const body = Buffer.from(JSON.stringify({ r: p.role, n: p.name, e: p.expiresAt })).toString('base64url');
  return `${body}.${createHmac('sha256', sessionKey(s)).update(body).digest('hex')}`;
}

/** The session a cookie value carries, or null if unsigned, tampered with or expired. */
export function verifySession(s: AuthSecrets, value: string, now: number): Principal | null {
  const [body, mac, ...rest] = value.split('.');
  if (!body || !mac || rest.length > 0) return null;
  if (!secretsEqual(mac, createHmac('sha256', sessionKey(s)).update(body).digest('hex'))) return null;
  try {
    const p = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as { r?: unknown; n?: unknown; e?: unknown };
    if ((p.r !== 'viewer' && p.r !== 'admin') || typeof p.n !== 'string' || typeof p.e !== 'number' || p.e <= now) return null;
    return { role: p.r, name: p.n, via: 'session', expiresAt: p.e };
  } catch {
    return null;
  }
}

function cookieValue(req: Request, name: string): string | null {
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return null;
}

/** The caller, from a bearer token or the session cookie; null when neither is valid. */
export function principalOf(req: Request, s: AuthSecrets, now: number): Principal | null {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '');
  if (bearer?.[1]) {
    const role = roleOfToken(s, bearer[1]);
    return role ? { role, name: role, via: 'bearer', expiresAt: null } : null;
  }
  const cookie = cookieValue(req, SESSION_COOKIE);
  return cookie ? verifySession(s, cookie, now) : null;
}

export function setSessionCookie(req: Request, res: Response, value: string, maxAgeSeconds: number): void {
  res.cookie(SESSION_COOKIE, value, { httpOnly: true, sameSite: 'strict', secure: req.secure, path: '/', maxAge: maxAgeSeconds * 1000 });
}

export function clearSessionCookie(req: Request, res: Response): void {
  res.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'strict', secure: req.secure, path: '/' });
}

/** A cookie-authenticated write must come from this host's own pages (defence in depth behind SameSite=Strict). */
function crossSite(req: Request): boolean {
  const origin = req.get('origin');
  if (!origin || origin === 'null') return req.get('sec-fetch-site') === 'cross-site';
  try {
    return new URL(origin).host !== req.get('host');
  } catch {
    return true;
  }
}

/**
 * Read routes: a viewer, CI or admin bearer token, or a session cookie; anything else falls through to the CI
 * check (HMAC-signed reads and its precise 401 messages). The principal lands in res.locals.principal.
 */
export function requireViewer(s: AuthSecrets, now: () => number = () => Date.now() / 1000): RequestHandler {
  const ci = requireCiAuth(s);
  return (req, res, next) => {
    const p = principalOf(req, s, now());
    if (p) {
      res.locals.principal = p;
      return next();
    }
    ci(req, res, next);
  };
}

/** Admin routes: the admin token as bearer, or an admin session (same-site only); 403 for a viewer. */
export function requireAdmin(s: AuthSecrets, now: () => number = () => Date.now() / 1000): RequestHandler {
  return (req, res, next) => {
    if (!s.adminToken) return sendError(res, 403, 'forbidden', 'admin actions are disabled: set RELEASE_GUARD_ADMIN_TOKEN');
    const p = principalOf(req, s, now());
    if (!p) {
      res.set('WWW-Authenticate', 'Bearer realm="release-guard"');
      return sendError(res, 401, 'unauthorized', 'send Authorization: Bearer <admin token>, or log in to the UI with the admin token');
    }
    if (p.role !== 'admin')
      return sendError(res, 403, 'forbidden', 'this needs the admin token (RELEASE_GUARD_ADMIN_TOKEN); the token or session used is read-only');
    if (p.via === 'session' && crossSite(req)) return sendError(res, 403, 'forbidden', "cross-site request refused: act from the guard's own pages");
    res.locals.principal = p;
    next();
  };
}

/** The principal the auth middleware stored. */
export function principal(res: Response): Principal | null {
  return (res.locals.principal as Principal | undefined) ?? null;
}
