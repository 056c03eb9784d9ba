// Constant-time secret and HMAC-SHA256 signature checks shared by the CI auth and the GitHub/GitLab webhooks.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

const SIGNATURE = /^sha256=([0-9a-f]{64})$/i;

/**
 * Compares two secrets without leaking where they differ or how long the expected one is: both sides are
 * hashed first, so the buffers given to timingSafeEqual always have equal length.
 */
export function secretsEqual(given: string, expected: string): boolean {
  return timingSafeEqual(secretDigest(given), secretDigest(expected));
}

/** The digest `secretsEqual` compares: worked out once for a secret that is checked on every request. */
export function secretDigest(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

/** `sha256=<hex HMAC-SHA256 of body keyed with secret>`, the form GitHub and release-guard send. */
export function signSha256(secret: string, body: Buffer | string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/**
 * Checks a `sha256=<hex>` signature header against the raw body. False for a missing or malformed header.
 * The comparison is timing-safe over equal-length digests.
 */
export function verifySha256Signature(secret: string, body: Buffer | string, header: string | undefined): boolean {
  const match = header === undefined ? null : SIGNATURE.exec(header.trim());
  if (!match?.[1]) return false;
  const given = Buffer.from(match[1].toLowerCase(), 'hex');
  const expected = createHmac('sha256', secret).update(body).digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Header with the Unix seconds a signed request was made at; part of what is signed. */
export const TIMESTAMP_HEADER = 'x-release-guard-timestamp';

/** What a signed request is: the signature binds the time, the method, the path (with its query) and the body. */
export interface SignedRequestParts {
  /** Unix seconds (whole). */
  timestamp: number;
  /** Upper-case HTTP method, e.g. `POST`. */
  method: string;
  /** Path with query string as sent on the request line, e.g. `/v1/deploys?x=1`. */
  path: string;
  body: Buffer | string;
}

/**
 * The signed string `<timestamp>.<METHOD>.<path>.<raw body>`, as Slack's `v0:<ts>:<body>` and Stripe's
 * `<ts>.<body>` schemes do, plus method and path so a signature for one route cannot be used on another.
 */
export function requestSignatureBase(r: SignedRequestParts): Buffer {
  const head = Buffer.from(`${Math.trunc(r.timestamp)}.${r.method.toUpperCase()}.${r.path}.`, 'utf8');
  return Buffer.concat([head, typeof r.body === 'string' ? Buffer.from(r.body, 'utf8') : r.body]);
}

/** Headers for a signed release-guard request (CI clients, outgoing http hooks). */
export function signRequest(secret: string, r: SignedRequestParts): { 'X-Release-Guard-Timestamp': string; 'X-Release-Guard-Signature': string } {
  return {
    'X-Release-Guard-Timestamp': String(Math.trunc(r.timestamp)),
    'X-Release-Guard-Signature': signSha256(secret, requestSignatureBase(r)),
  };
}
