// The request policy the routes share: one clock, one store of used signatures, the deploy schema and redaction.
import { memoryNonceStore } from '../store/memory-nonces.js';
import type { SigningOptions } from './auth.js';
import { deployInputSchema, type DeployInputSchema } from './deploy-input.js';
import type { AppDeps } from './deps.js';

export interface ApiPolicy {
  signing: SigningOptions;
  /** DeployInput bounded by the guard's clock and the configured clock skew. */
  deployInput: DeployInputSchema;
  now(): number;
  redact<T>(value: T): T;
}

/** Id prefixes that belong to the webhook origins: the CI token may not create `github-…` or `gitlab-…` deploys. */
export const RESERVED_ID_PREFIXES: Readonly<Record<string, string>> = { 'github-': 'the GitHub webhook', 'gitlab-': 'the GitLab webhook' };

/** Why an API-supplied id is not allowed, or null. */
export function reservedIdProblem(id: string): string | null {
  const prefix = Object.keys(RESERVED_ID_PREFIXES).find((p) => id.toLowerCase().startsWith(p));
  if (prefix === undefined) return null;
  return `ids starting with "${prefix}" are reserved for deploys from ${RESERVED_ID_PREFIXES[prefix]}; choose another id (e.g. "ci-${id}")`;
}

/** Fills the defaults of the optional AppDeps once, so every route shares the same clock and nonce store. */
export function apiPolicy(deps: AppDeps): ApiPolicy {
  const now = deps.now ?? (() => Date.now() / 1000);
  return {
    signing: { nonces: deps.nonces ?? memoryNonceStore(), now },
    deployInput: deployInputSchema(now, deps.maxClockSkewSeconds),
    now,
    redact: deps.redact ?? (<T>(v: T) => v),
  };
}
