// What the HTTP layer needs from the rest of the guard, injected by main.ts (createApp has no I/O of its own).
import type { Registry } from 'prom-client';
import type { Logger } from '../telemetry/logger.js';
import type { SilenceService } from '../actions/silences/service.js';
import type { BacktestReader } from '../review/backtest.js';
import type { ReviewService } from '../review/review-service.js';
import type { LoadedRules } from '../rules/index.js';
import type { NonceStore, Store } from '../store/interfaces.js';
import type { DeployIntake } from '../watch/intake.js';

export type { DeployIntake };

export interface AuthSecrets {
  /** CI token: bearer token and HMAC key for X-Release-Guard-Signature. */
  token: string;
  adminToken: string | null;
  /** Read-only token for the review UI and GET routes (optional; the CI and admin tokens also read). */
  viewerToken?: string | null;
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
  /** Wall clock in Unix seconds, for signature windows, `startedAt` bounds and session expiry. Default: Date.now()/1000. */
  now?: () => number;
  /** How far ahead of the guard's clock a deploy's `startedAt` may be (config `intake.maxClockSkew`). Default 300. */
  maxClockSkewSeconds?: number;
  /** Replaces configured secrets in anything the API returns. Default: identity. */
  redact?: <T>(value: T) => T;
  /** SRE actions and feedback (admin) and the deployment log; the routes are absent without it. */
  review?: ReviewService;
  /** Effective rules, rule quality and backtest; the routes are absent without it. */
  tuning?: TuningDeps;
  /** Folder of the built review UI (index.html, assets/); /ui is absent without it. */
  uiDir?: string;
}

/** What the tuning routes read. */
export interface TuningDeps {
  /** The rules in force (reloadable). */
  rules(): LoadedRules;
  store: BacktestReader & Pick<Store, 'findingFacts'>;
  now(): number;
}
