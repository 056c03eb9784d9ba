// Authentication middleware: a bearer token, or a signed request (timestamp, method, path, body) seen once (DESIGN §6).
import { timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import type { NonceStore } from '../store/interfaces.js';
import { memoryNonceStore } from '../store/memory-nonces.js';
import { rawBodyOf } from './body.js';
import type { AuthSecrets } from './deps.js';
import { sendError } from './http-error.js';
import { requestSignatureBase, secretDigest, TIMESTAMP_HEADER, verifySha256Signature } from './signature.js';

/** Header carrying `sha256=<hex HMAC-SHA256 of "<ts>.<METHOD>.<path>.<raw body>", keyed with the CI token>`. */
export const SIGNATURE_HEADER = 'x-release-guard-signature';

/** How far a signed request's timestamp may be from the guard's clock, either way: 5 minutes, as Slack and Stripe. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

const MISSING = 'missing credentials: send Authorization: Bearer <token>, or X-Release-Guard-Timestamp and X-Release-Guard-Signature: sha256=<hmac>';
const SIGNED_FORM = 'sha256=<hex HMAC-SHA256 of "<timestamp>.<METHOD>.<path?query>.<raw body>", keyed with the CI token>';

/** How signed requests are checked: the clock they are compared with and where used signatures are remembered. */
export interface SigningOptions {
  /** Used signatures, remembered for the tolerance window (stored, so a replay is refused after a restart too). */
  nonces: NonceStore;
  /** Wall clock, Unix seconds. */
  now(): number;
  toleranceSeconds?: number;
}

export interface AuthOptions {
  /** Tokens accepted as `Authorization: Bearer <token>`. */
  bearerTokens: string[];
  /** Key for X-Release-Guard-Signature, or null when signatures are not accepted on these routes. */
  hmacKey: string | null;
  signing?: SigningOptions;
}

type SignatureCheck = { ok: true } | { ok: false; problem: string };

/**
 * Checks a signed request: timestamp within the tolerance, signature over timestamp, method, path with query and
 * raw body, and never seen before within the window (the signature is remembered only once it verifies).
 */
async function checkSignature(req: Request, res: Response, key: string, signature: string, signing: SigningOptions): Promise<SignatureCheck> {
  const tolerance = signing.toleranceSeconds ?? SIGNATURE_TOLERANCE_SECONDS;
  const stamp = req.get(TIMESTAMP_HEADER);
  if (stamp === undefined)
    return { ok: false, problem: `X-Release-Guard-Timestamp is missing: a signature covers the Unix seconds it was made at (${SIGNED_FORM})` };
  if (!/^\d{1,12}$/.test(stamp.trim())) return { ok: false, problem: 'X-Release-Guard-Timestamp must be whole Unix seconds' };
  const timestamp = Number(stamp.trim());
  const now = signing.now();
  if (Math.abs(now - timestamp) > tolerance) {
    return {
      ok: false,
      problem: `X-Release-Guard-Timestamp is ${Math.round(now - timestamp)} s from the guard's clock; signed requests are accepted for ±${tolerance} s (check the client's clock, and sign each request when it is sent)`,
    };
  }
  const base = requestSignatureBase({ timestamp, method: req.method, path: req.originalUrl, body: rawBodyOf(res) });
  if (!verifySha256Signature(key, base, signature))
    return { ok: false, problem: `X-Release-Guard-Signature does not match the request (expected ${SIGNED_FORM})` };
  const digest = signature.trim().toLowerCase();
  if (!(await signing.nonces.rememberNonce(`signature:${digest}`, timestamp + tolerance + 1, now))) {
    return { ok: false, problem: 'this signature was already used: a signed request is accepted once; sign every request anew' };
  }
  return { ok: true };
}

function unauthorized(res: Response, message: string): void {
  res.set('WWW-Authenticate', 'Bearer realm="release-guard"');
  sendError(res, 401, 'unauthorized', message);
}

/** True when any token (by its secretDigest) matches; every one is compared so timing does not tell which one did. */
function bearerMatches(given: string, digests: readonly Buffer[]): boolean {
  const digest = secretDigest(given);
  let ok = false;
  for (const expected of digests) ok = timingSafeEqual(digest, expected) || ok;
  return ok;
}

/**
 * Accepts a request with a valid bearer token or a valid, fresh, unused signed request (must run after
 * readRawBody). 401 otherwise, saying which credential failed and never echoing or hinting at the secret.
 */
export function requireAuth(opts: AuthOptions): RequestHandler {
  const signing = opts.signing ?? { nonces: memoryNonceStore(), now: () => Date.now() / 1000 };
  const digests = opts.bearerTokens.map(secretDigest);
  return async (req, res, next) => {
    const authorization = req.get('authorization');
    const signature = opts.hmacKey === null ? undefined : req.get(SIGNATURE_HEADER);
    if (authorization === undefined && signature === undefined) return unauthorized(res, MISSING);

    const bearer = authorization === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (bearer?.[1] && bearerMatches(bearer[1], digests)) return next();
    const signed = signature !== undefined && opts.hmacKey !== null ? await checkSignature(req, res, opts.hmacKey, signature, signing) : null;
    if (signed?.ok) return next();

    const problems: string[] = [];
    if (authorization !== undefined) {
      problems.push(bearer ? 'the bearer token is not valid' : 'the Authorization header must have the form "Bearer <token>"');
    }
    if (signed && !signed.ok) problems.push(signed.problem);
    unauthorized(res, `invalid credentials: ${problems.join('; ')}`);
  };
}

/** CI routes (/v1/deploys): the CI token as bearer or signing key; the admin token is accepted as a bearer too. */
export function requireCiAuth(secrets: AuthSecrets, signing?: SigningOptions): RequestHandler {
  const bearerTokens = secrets.adminToken ? [secrets.token, secrets.adminToken] : [secrets.token];
  return requireAuth({ bearerTokens, hmacKey: secrets.token, signing });
}

/** Admin routes (SRE actions): the admin token only; 403 when none is configured. */
export function requireAdminAuth(secrets: AuthSecrets): RequestHandler {
  if (!secrets.adminToken) {
    return (_req, res) => sendError(res, 403, 'forbidden', 'admin actions are disabled: set RELEASE_GUARD_ADMIN_TOKEN');
  }
  return requireAuth({ bearerTokens: [secrets.adminToken], hmacKey: null });
}
