// What the HTTP layer needs from the rest of the guard, injected by main.ts (createApp has no I/O of its own).
import type { Registry } from 'prom-client';
import type { Logger } from '../telemetry/logger.js';
import type { SilenceService } from '../actions/silences/service.js';
import type { DeployIntake } from '../watch/intake.js';
import type { NonceStore } from '../store/interfaces.js';

export type { DeployIntake };

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
