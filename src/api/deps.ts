// What the HTTP layer needs from the rest of the guard, injected by main.ts (createApp has no I/O of its own).
import type { Registry } from 'prom-client';
import type { Logger } from '../telemetry/logger.js';
import type { DeployListQuery, DeployOrigin, DeployView } from '../store/records.js';
import type { DeployInput } from './deploy-input.js';
import type { SilenceService } from '../actions/silences/service.js';

/** The use cases behind /v1/deploys and the webhooks. Implemented by watch/intake.ts. */
export interface DeployIntake {
  /**
   * Records a deploy and starts its watch. Idempotent on input.id: a repeat returns the stored view with
   * created=false and changes nothing.
   */
  ingest(input: DeployInput, origin: DeployOrigin): Promise<{ view: DeployView; created: boolean }>;
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
}
