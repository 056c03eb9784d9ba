// Sends a notice as a plain-text + HTML email over SMTP with nodemailer (TLS per the channel config).
// https://nodemailer.com/smtp/ — SMTP 4xx replies and connection trouble are transient (retried); 5xx are not.
import { createHash } from 'node:crypto';
import type { Transporter } from 'nodemailer';
import { noEscape } from '../../templates/engine.js';
import type { NotifierCapabilities } from '../capabilities.js';
import { redact, type Notice, type Notifier, type SendResult } from '../types.js';
import { EmailPayload } from './schema.js';

export interface EmailOptions {
  name: string;
  transport: Transporter;
  from: string;
  to: string[];
  cc?: string[];
  timeout?: number;
  /** Hidden from every error (the SMTP password). */
  secrets: string[];
}

/** Email: a plain-text body and an HTML body (values HTML-escaped), one thread per deploy, nothing to resolve. */
export const EMAIL_CAPABILITIES: NotifierCapabilities = { escapeText: noEscape, html: true, threadBy: 'deploy', resolvable: false };

/** nodemailer error codes that mean "try again later". */
const TRANSIENT_CODES = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ETLS', 'ECONNRESET']);

export class EmailNotifier implements Notifier {
  readonly type = 'email';
  readonly capabilities = EMAIL_CAPABILITIES;
  readonly name: string;
  readonly timeout: number | undefined;
  private readonly where: string;

  constructor(private readonly opts: EmailOptions) {
    this.name = opts.name;
    this.timeout = opts.timeout;
    this.where = `email channel "${opts.name}"`;
  }

  format(notice: Notice): EmailPayload {
    const links = notice.links.map((l) => `${l.text}: ${l.href}`).join('\n');
    const text = links ? `${notice.text}\n\n${links}\n` : `${notice.text}\n`;
    // A Message-ID derived from the notice: a mail client shows a re-sent copy as the same message.
    const id = createHash('sha256')
      .update(`${notice.event}|${notice.incidentKey ?? ''}|${notice.deploy?.id ?? ''}|${notice.at}|${notice.title}`)
      .digest('hex')
      .slice(0, 32);
    return { subject: notice.title, text, html: notice.html, messageId: `<${id}@release-guard>` };
  }

  async send(payload: unknown, signal: AbortSignal): Promise<SendResult> {
    const parsed = EmailPayload.safeParse(payload);
    if (!parsed.success)
      return { ok: false, retryable: false, error: `${this.where}: the stored payload is not an email (${parsed.error.issues[0]?.message})`, detail: null };
    const mail = {
      from: this.opts.from,
      to: this.opts.to,
      cc: this.opts.cc,
      subject: parsed.data.subject,
      text: parsed.data.text,
      html: parsed.data.html || undefined,
      messageId: parsed.data.messageId,
    };
    const aborted = new Promise<never>((_, reject) => {
      if (signal.aborted) reject(signal.reason);
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
    try {
      const info = (await Promise.race([this.opts.transport.sendMail(mail), aborted])) as { response?: string; accepted?: unknown[]; rejected?: unknown[] };
      const rejected = info.rejected?.length ?? 0;
      if (rejected > 0 && (info.accepted?.length ?? 0) === 0)
        return this.fail(false, `every recipient was rejected: ${String(info.rejected)}`, info.response ?? null);
      return { ok: true, detail: `${info.response ?? 'sent'}${rejected > 0 ? ` (rejected: ${String(info.rejected)})` : ''}` };
    } catch (err) {
      return this.classify(err);
    }
  }

  async close(): Promise<void> {
    this.opts.transport.close();
  }

  private classify(err: unknown): SendResult {
    const e = err as { name?: string; code?: string; responseCode?: number; response?: string; message?: string };
    if (e.name === 'TimeoutError' || e.name === 'AbortError') return this.fail(true, 'no answer before the attempt timed out', null);
    if (typeof e.responseCode === 'number') {
      const transient = e.responseCode >= 400 && e.responseCode < 500;
      return this.fail(transient, `SMTP server answered ${e.responseCode}: ${e.response ?? e.message ?? ''}`, `SMTP ${e.responseCode}`);
    }
    if (e.code === 'EAUTH') return this.fail(false, `authentication failed (${e.message ?? ''}); check user and password`, null);
    const transient = e.code === undefined || TRANSIENT_CODES.has(e.code);
    return this.fail(transient, `${e.code ?? 'error'}: ${e.message ?? String(err)}`, null);
  }

  private fail(retryable: boolean, problem: string, detail: string | null): SendResult {
    const error = `${this.where}: ${problem} (${retryable ? 'will retry' : 'not retrying: fix the channel config'})`;
    return { ok: false, retryable, error: redact(error, this.opts.secrets), detail: detail === null ? null : redact(detail, this.opts.secrets) };
  }
}
