// Constant-time secret and HMAC-SHA256 signature checks shared by the CI auth and the GitHub/GitLab webhooks.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

const SIGNATURE = /^sha256=([0-9a-f]{64})$/i;

/**
 * Compares two secrets without leaking where they differ or how long the expected one is: both sides are
 * hashed first, so the buffers given to timingSafeEqual always have equal length.
 */
export function secretsEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
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
