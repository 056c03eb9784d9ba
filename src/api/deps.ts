// What the HTTP layer needs from the rest of the guard, injected by main.ts (createApp has no I/O of its own).
import type { Registry } from 'prom-client';
import type { Logger } from '../telemetry/logger.js';
import type { DeployListQuery, DeployOrigin, DeployView } from '../store/types.js';
import type { DeployInput } from './deploy-input.js';
import type { SilenceService } from '../actions/silences/service.js';
import type { NonceStore } from '../store/nonces-repo.js';

/** The use cases behind /v1/deploys and the webhooks. Implemented by watch/intake.ts. */
export interface DeployIntake {
  /**
   * Records a deploy and starts its watch. Idempotent on input.id: a repeat returns the stored view with
   * created=false and changes nothing.
   */
  ingest(input: DeployInput, origin: DeployOrigin): Promise<{ view: DeployView; created: boolean }>;
  // A repeat of an id with different facts throws an error with status 409 and `fields` (watch/deploy-conflict.ts).
  get(id: string): Promise<DeployView | null>;
  list(q: DeployListQuery): Promise<DeployView[]>;
  /** Ends a watch without a verdict (e.g. CI reports the rollout itself failed). Null if unknown id. */
  stop(id: string, reason: string): Promise<DeployView | null>;
}

export interface AuthSecrets {
  /** CI token: bearer token and HMAC key for X-Release-Guard-Signature. */
  token: string;
  adminToken: string | null;
  githubSecret: string | null;
  gitlabToken: string | null;
}

export interface AppDeps {
  auth: AuthSecrets;
  intake: DeployIntake;
  registry: Registry;
  logger: Logger;
  /** For /readyz: null when ready, else why not. */
  notReadyReason(): string | null;
  /** Behind /v1/silences (admin token); the routes are absent without it. */
  silences?: SilenceService;
  /** Used request signatures and webhook deliveries (stored, so replays are refused across restarts). Default: in memory. */
  nonces?: NonceStore;
  /** Wall clock in Unix seconds, for signature windows and `startedAt` bounds. Default: Date.now()/1000. */
  now?: () => number;
  /** How far ahead of the guard's clock a deploy's `startedAt` may be (config `intake.maxClockSkew`). Default 300. */
  maxClockSkewSeconds?: number;
  /** Replaces configured secrets in anything the API returns. Default: identity. */
  redact?: <T>(value: T) => T;
}
