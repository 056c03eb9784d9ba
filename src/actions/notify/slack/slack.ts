// Posts to a Slack incoming webhook with fetch (so Retry-After stays visible), one webhook per channel.
// https://api.slack.com/messaging/webhooks — 200 "ok"; plain-text errors: 400 invalid_payload, 403 action_prohibited,
// 404 channel_not_found, 410 channel_is_archived, 500 rollup_error; 429 with Retry-After beyond ~1 message/s.
import { httpFailure, redact, requestProblem, type Notice, type Notifier, type SendResult } from '../types.js';
import { SLACK_CAPABILITIES, slackMessage } from './blocks.js';
import { SlackPayload } from './schema.js';

export interface SlackOptions {
  name: string;
  webhookUrl: string;
  timeout?: number;
  fetch?: typeof fetch;
}

export class SlackNotifier implements Notifier {
  readonly type = 'slack';
  readonly capabilities = SLACK_CAPABILITIES;
  readonly name: string;
  readonly timeout: number | undefined;
  private readonly where: string;

  constructor(private readonly opts: SlackOptions) {
    this.name = opts.name;
    this.timeout = opts.timeout;
    this.where = `slack channel "${opts.name}"`;
  }

  format(notice: Notice): SlackPayload {
    return slackMessage(notice);
  }

  async send(payload: unknown, signal: AbortSignal): Promise<SendResult> {
    const parsed = SlackPayload.safeParse(payload);
    if (!parsed.success)
      return {
        ok: false,
        retryable: false,
        error: `${this.where}: the stored payload is not a Slack message (${parsed.error.issues[0]?.message})`,
        detail: null,
      };
    const doFetch = this.opts.fetch ?? fetch;
    try {
      const res = await doFetch(this.opts.webhookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(parsed.data),
        signal,
      });
      const body = (await res.text()).trim();
      if (res.status === 200) return { ok: true, detail: `HTTP 200 ${body.slice(0, 100)}`, httpStatus: 200 };
      return this.clean(httpFailure(this.where, res.status, body, res.headers.get('retry-after')));
    } catch (err) {
      return this.clean({ ok: false, retryable: true, error: `${this.where}: ${requestProblem(err)}`, detail: null });
    }
  }

  /** The webhook URL is the secret: it must not reach a stored error (fetch errors may quote it). */
  private clean(r: SendResult): SendResult {
    const secrets = [this.opts.webhookUrl, new URL(this.opts.webhookUrl).pathname];
    return r.ok ? r : { ...r, error: redact(r.error, secrets), detail: r.detail === null ? null : redact(r.detail, secrets) };
  }
}
