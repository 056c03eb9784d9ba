// The log channel kind: writes the notice to the guard's log. Every unconfigured channel name falls back to it.
import { z } from 'zod';
import type { Logger } from '../../../telemetry/logger.js';
import { noEscape } from '../../templates/engine.js';
import type { NotifierCapabilities } from '../capabilities.js';
import type { NotifierKind } from '../kind.js';
import type { Notice, Notifier, SendResult } from '../types.js';

export const LogConfig = z
  .object({
    type: z.literal('log'),
    /** Level to log at; default: error for P0/P1, warn for P2, info otherwise. */
    level: z.enum(['error', 'warn', 'info']).optional(),
  })
  .strict();
export type LogConfig = z.infer<typeof LogConfig>;

export const LogPayload = z
  .object({
    level: z.enum(['error', 'warn', 'info']),
    title: z.string(),
    text: z.string(),
    deploy: z.string().nullable(),
    event: z.string(),
    links: z.array(z.string()),
  })
  .strict();
export type LogPayload = z.infer<typeof LogPayload>;

/** The log: plain text, one thread per deploy, nothing to resolve. */
export const LOG_CAPABILITIES: NotifierCapabilities = { escapeText: noEscape, html: false, threadBy: 'deploy', resolvable: false };

/** Logs notices; `note` (e.g. "page is not configured") is added to every line. Never fails. */
export class LogNotifier implements Notifier {
  readonly type = 'log';
  readonly capabilities = LOG_CAPABILITIES;

  constructor(
    readonly name: string,
    private readonly logger: Logger,
    private readonly level?: LogConfig['level'],
  ) {}

  format(notice: Notice): LogPayload {
    const level = this.level ?? (notice.severity === 'P0' || notice.severity === 'P1' ? 'error' : notice.severity === 'P2' ? 'warn' : 'info');
    return { level, title: notice.title, text: notice.text, deploy: notice.deploy?.id ?? null, event: notice.event, links: notice.links.map((l) => l.href) };
  }

  async send(payload: unknown): Promise<SendResult> {
    const parsed = LogPayload.safeParse(payload);
    if (!parsed.success) return { ok: false, retryable: false, error: `log channel "${this.name}": the stored payload is not a log entry`, detail: null };
    const p = parsed.data;
    this.logger[p.level]({ channel: this.name, event: p.event, deploy: p.deploy, links: p.links, text: p.text }, p.title);
    return { ok: true, detail: 'logged' };
  }
}

/** Registered as `type: log`. */
export const logNotifier: NotifierKind<typeof LogConfig> = {
  type: 'log',
  Config: LogConfig,
  capabilities: LOG_CAPABILITIES,
  create: (name, config, deps) => new LogNotifier(name, deps.logger, config.level),
};
