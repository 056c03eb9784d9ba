// The notifier plug-in contract: every channel kind (pagerduty, slack, email, log) formats a notice and sends it.
import type { Finding, Severity } from '../../judge/types.js';
import type { NotifierCapabilities } from './capabilities.js';

/** What happened, i.e. which template renders the notice. */
export const NOTICE_EVENTS = [
  'alert',
  'resolve',
  'deploy-started',
  'deploy-passed',
  'deploy-rolling-back',
  'deploy-failed',
  'deploy-inconclusive',
  'recovered',
  'not-recovered',
  'delivery-failed',
  /** The guard's own trouble: a source blind during a deploy, the store unwritable, a rule reload refused. */
  'guard-alert',
  'digest',
] as const;
export type NoticeEvent = (typeof NOTICE_EVENTS)[number];

/** The deploy lifecycle events (Slack by default); PagerDuty gets them as change events, never as pages. */
export const LIFECYCLE_EVENTS: readonly NoticeEvent[] = [
  'deploy-started',
  'deploy-passed',
  'deploy-rolling-back',
  'deploy-failed',
  'deploy-inconclusive',
  'recovered',
];

export interface NoticeLink {
  href: string;
  text: string;
}

/** The deploy a notice is about, as shown to people. */
export interface NoticeDeploy {
  id: string;
  service: string;
  environment: string;
  version: string;
  previousVersion: string | null;
  commit: string | null;
}

/** One message, rendered from a template for one channel type, plus the facts a notifier may lay out. */
export interface Notice {
  event: NoticeEvent;
  severity: Severity | null;
  /** One line: Slack fallback text, email subject, PagerDuty summary. */
  title: string;
  /** The body as text, values escaped with the kind's `escapeText` (Slack mrkdwn for slack channels). */
  text: string;
  /** The body as HTML for kinds with the `html` capability (email); empty otherwise. */
  html: string;
  deploy: NoticeDeploy | null;
  findings: Finding[];
  links: NoticeLink[];
  /** Stable per deploy and rule: PagerDuty's dedup_key, so a resolve closes the incident its trigger opened. */
  incidentKey: string | null;
  /** Unix seconds when the guard raised it. */
  at: number;
  /** Evidence for machines (PagerDuty custom_details). */
  details: Record<string, unknown>;
}

/**
 * The answer of one send. Delivery trouble is a value: `retryable` says whether trying again may work (network
 * errors, timeouts, 429, 5xx) or not (the receiver refused the message for good, e.g. 400); `retryAfterSeconds`
 * passes on the receiver's Retry-After; `httpStatus` is the receiver's answer when the kind sends over HTTP (the
 * delivery's attempt history shows it). Messages never contain a secret.
 */
export type SendResult =
  | { ok: true; detail: string; httpStatus?: number }
  | { ok: false; retryable: boolean; error: string; detail: string | null; retryAfterSeconds?: number; httpStatus?: number };

/**
 * One configured channel. Contract:
 * - `format` is pure: the payload it returns is stored in the outbox as JSON and sent later, possibly by another
 *   process after a restart, so it holds everything needed to send except secrets.
 * - `send` sends a stored payload once, never retries (the outbox does), and never throws for delivery trouble.
 *   It stops when `signal` aborts (the outbox's per-attempt timeout).
 */
export interface Notifier {
  /** The registered kind, e.g. "slack". */
  readonly type: string;
  /** The configured name, e.g. "alerts". */
  readonly name: string;
  /** What its kind can do; templates, compose and the responder read this, never `type`. */
  readonly capabilities: NotifierCapabilities;
  /** Seconds one attempt may take; default: notifications.delivery.attemptTimeout. */
  readonly timeout?: number | undefined;
  format(notice: Notice): unknown;
  send(payload: unknown, signal: AbortSignal): Promise<SendResult>;
  close?(): Promise<void>;
}

/** Failure of one send, shared by the HTTP notifiers: 429 and 5xx and no answer are retryable, other 4xx are not. */
export function httpFailure(where: string, status: number, body: string, retryAfter: string | null): SendResult {
  const retryable = status === 429 || status >= 500;
  const seconds = retryAfter === null ? undefined : retryAfterSeconds(retryAfter);
  const advice = retryable ? 'will retry' : 'not retrying: fix the channel config or the template';
  return {
    ok: false,
    retryable,
    error: `${where} answered HTTP ${status}${body ? ` ${JSON.stringify(body.slice(0, 300))}` : ''} (${advice})`,
    detail: `HTTP ${status}`,
    httpStatus: status,
    ...(seconds === undefined ? {} : { retryAfterSeconds: seconds }),
  };
}

/** Retry-After as seconds: a number of seconds or an HTTP date; undefined if unreadable. */
export function retryAfterSeconds(value: string, nowMs: number = Date.now()): number | undefined {
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, (at - nowMs) / 1000);
}

/** Why a request got no answer, for an error message: timeout, refused, TLS, ... */
export function requestProblem(err: unknown): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) return 'no answer before the attempt timed out';
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : null;
  const message = err instanceof Error ? err.message : String(err);
  return `request failed: ${cause ? `${message} (${cause})` : message}`;
}

/** Replaces each secret wherever it appears in a text. */
export function redact(text: string, secrets: readonly string[]): string {
  return secrets.filter((s) => s.length >= 4).reduce((acc, s) => acc.split(s).join('[redacted]'), text);
}
