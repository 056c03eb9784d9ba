// What a CI webhook asks of the guard once mapped: start a watch, stop one, or nothing (with the reason).
import type { DeployInput } from '../deploy-input.js';
import type { ApiIssue } from '../issues.js';

/** The result of mapping one webhook delivery; pure data, applied by routes/webhooks.ts. */
export type WebhookOutcome =
  | { kind: 'ingest'; input: DeployInput }
  | { kind: 'stop'; id: string; reason: string }
  | { kind: 'ignore'; reason: string }
  | { kind: 'ping' }
  /** The payload does not have the shape we read, or maps to an invalid deploy. */
  | { kind: 'invalid'; error: string; issues: ApiIssue[] };
