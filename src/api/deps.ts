// What the HTTP layer needs from the rest of the guard, injected by main.ts (createApp has no I/O of its own).
import type { Registry } from 'prom-client';
import type { Logger } from '../telemetry/logger.js';
import type { SilenceService } from '../actions/silences/service.js';
import type { DeployIntake } from '../watch/intake.js';

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
}
