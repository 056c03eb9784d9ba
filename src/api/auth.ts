// Authentication middleware: a bearer token or an HMAC-SHA256 signature of the raw body (DESIGN §6).
import type { RequestHandler, Response } from 'express';
import { rawBodyOf } from './body.js';
import type { AuthSecrets } from './deps.js';
import { sendError } from './http-error.js';
import { secretsEqual, verifySha256Signature } from './signature.js';

/** Header carrying `sha256=<hex HMAC-SHA256 of the raw body, keyed with the CI token>`. */
export const SIGNATURE_HEADER = 'x-release-guard-signature';

const MISSING = 'missing credentials: send Authorization: Bearer <token> or X-Release-Guard-Signature: sha256=<hmac>';

export interface AuthOptions {
  /** Tokens accepted as `Authorization: Bearer <token>`. */
  bearerTokens: string[];
  /** Key for X-Release-Guard-Signature, or null when signatures are not accepted on these routes. */
  hmacKey: string | null;
}

function unauthorized(res: Response, message: string): void {
  res.set('WWW-Authenticate', 'Bearer realm="release-guard"');
  sendError(res, 401, 'unauthorized', message);
}

/** True when any token matches; every token is compared so timing does not tell which one did. */
function bearerMatches(given: string, tokens: string[]): boolean {
  let ok = false;
  for (const token of tokens) ok = secretsEqual(given, token) || ok;
  return ok;
}

/**
 * Accepts a request with a valid bearer token or a valid body signature (must run after readRawBody).
 * 401 otherwise, saying which credential failed and never echoing or hinting at the secret.
 */
export function requireAuth(opts: AuthOptions): RequestHandler {
  return (req, res, next) => {
    const authorization = req.get('authorization');
    const signature = opts.hmacKey === null ? undefined : req.get(SIGNATURE_HEADER);
    if (authorization === undefined && signature === undefined) return unauthorized(res, MISSING);

    const bearer = authorization === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (bearer?.[1] && bearerMatches(bearer[1], opts.bearerTokens)) return next();
    if (signature !== undefined && opts.hmacKey !== null && verifySha256Signature(opts.hmacKey, rawBodyOf(res), signature)) return next();

    const problems: string[] = [];
    if (authorization !== undefined) {
      problems.push(bearer ? 'the bearer token is not valid' : 'the Authorization header must have the form "Bearer <token>"');
    }
    if (signature !== undefined) {
      problems.push('X-Release-Guard-Signature does not match the body (expected sha256=<hex HMAC-SHA256 of the exact raw body, keyed with the CI token>)');
    }
    unauthorized(res, `invalid credentials: ${problems.join('; ')}`);
  };
}

/** CI routes (/v1/deploys): the CI token as bearer or HMAC key; the admin token is accepted as a bearer too. */
export function requireCiAuth(secrets: AuthSecrets): RequestHandler {
  const bearerTokens = secrets.adminToken ? [secrets.token, secrets.adminToken] : [secrets.token];
  return requireAuth({ bearerTokens, hmacKey: secrets.token });
}

/** Admin routes (SRE actions): the admin token only; 403 when none is configured. */
export function requireAdminAuth(secrets: AuthSecrets): RequestHandler {
  if (!secrets.adminToken) {
    return (_req, res) => sendError(res, 403, 'forbidden', 'admin actions are disabled: set RELEASE_GUARD_ADMIN_TOKEN');
  }
  return requireAuth({ bearerTokens: [secrets.adminToken], hmacKey: null });
}
