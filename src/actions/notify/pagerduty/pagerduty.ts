// Sends Events API v2 events through @pagerduty/pdjs over HTTPS; retries and deadlines stay in the outbox.
// https://developer.pagerduty.com/docs/events-api-v2/trigger-events — 202 success; 400 invalid event (never
// retried); 429 and 5xx retried with backoff. pdjs always speaks https://<server>/v2/enqueue, retries a 429 three
// times itself (ignoring Retry-After) and its request timeout does not abort: we pass our own AbortSignal, turn
// its timer off and shorten its 429 pause, so a rate-limited attempt ends quickly and the outbox backs off.
import type { Agent } from 'node:https';
import { change, event } from '@pagerduty/pdjs';
import { httpFailure, redact, requestProblem, type Notice, type Notifier, type SendResult } from '../types.js';
import { PAGERDUTY_CAPABILITIES, pagerDutyEvent } from './events.js';
import { PagerDutyPayload } from './schema.js';

/** pdjs waits this long before each of its own 429 retries. */
const PDJS_429_PAUSE_MS = 200;

export interface PagerDutyOptions {
  name: string;
  routingKey: string;
  /** host[:port] */
  server: string;
  /** Carries extra trusted CAs; default: Node's global agent. */
  agent?: Agent;
  timeout?: number;
}

interface PdResponse {
  status: number;
  data: unknown;
  headers: { get(name: string): string | null };
}

export class PagerDutyNotifier implements Notifier {
  readonly type = 'pagerduty';
  readonly capabilities = PAGERDUTY_CAPABILITIES;
  readonly name: string;
  readonly timeout: number | undefined;
  private readonly where: string;

  constructor(private readonly opts: PagerDutyOptions) {
    this.name = opts.name;
    this.timeout = opts.timeout;
    this.where = `pagerduty channel "${opts.name}" (${opts.server})`;
  }

  format(notice: Notice): PagerDutyPayload {
    return pagerDutyEvent(notice);
  }

  async send(payload: unknown, signal: AbortSignal): Promise<SendResult> {
    const parsed = PagerDutyPayload.safeParse(payload);
    if (!parsed.success)
      return {
        ok: false,
        retryable: false,
        error: `${this.where}: the stored payload is not a PagerDuty event (${parsed.error.issues[0]?.message})`,
        detail: null,
      };
    const { kind, ...body } = parsed.data;
    const request = {
      data: { ...body, routing_key: this.opts.routingKey },
      server: this.opts.server,
      signal,
      requestTimeout: 0,
      retryTimeout: PDJS_429_PAUSE_MS,
      ...(this.opts.agent ? { agent: this.opts.agent } : {}),
    };
    try {
      // pdjs types `data` as a trigger payload only; change events and resolves are valid Events API v2 bodies too.
      const res = (await (kind === 'change' ? change : event)(request as unknown as Parameters<typeof event>[0])) as unknown as PdResponse;
      if (res.status === 202) return { ok: true, detail: `HTTP 202 ${JSON.stringify(res.data).slice(0, 200)}`, httpStatus: 202 };
      return this.clean(httpFailure(this.where, res.status, answerText(res.data), res.headers.get('retry-after')));
    } catch (err) {
      const problem =
        (err as { type?: string }).type === 'invalid-json' ? 'answered with a body that is not JSON (a proxy or an outage page?)' : requestProblem(err);
      return this.clean({ ok: false, retryable: true, error: `${this.where}: ${problem}`, detail: null });
    }
  }

  private clean(r: SendResult): SendResult {
    const secrets = [this.opts.routingKey];
    return r.ok ? r : { ...r, error: redact(r.error, secrets), detail: r.detail === null ? null : redact(r.detail, secrets) };
  }
}

/** PagerDuty's error body in one line: message and errors. */
function answerText(data: unknown): string {
  if (data && typeof data === 'object') {
    const d = data as { message?: unknown; errors?: unknown };
    const errors = Array.isArray(d.errors) ? `: ${d.errors.map(String).join('; ')}` : '';
    if (typeof d.message === 'string') return `${d.message}${errors}`;
  }
  return JSON.stringify(data ?? '');
}
