// The email channel kind: SMTP with nodemailer, plain-text and HTML bodies, TLS options.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { rootCertificates } from 'node:tls';
import type { NotifierKind } from '../kind.js';
import type { Notifier } from '../types.js';
import { readSecret } from '../secret.js';
import { EMAIL_CAPABILITIES, EmailNotifier } from './email.js';
import { EmailConfig } from './schema.js';

export { EmailConfig, EmailPayload } from './schema.js';
export { EmailNotifier, EMAIL_CAPABILITIES } from './email.js';

const DEFAULT_TIMEOUT_S = 30;

/** Registered as `type: email`. */
export const emailNotifier: NotifierKind<typeof EmailConfig, Promise<Notifier>> = {
  type: 'email',
  Config: EmailConfig,
  capabilities: EMAIL_CAPABILITIES,
  create: async (name, config, deps) => {
    const password = config.user ? readSecret(name, 'password', config, deps) : null;
    const tls = config.tls;
    let ca: string[] | undefined;
    if (tls?.caFile) {
      const file = path.resolve(deps.baseDir, tls.caFile);
      try {
        ca = [...rootCertificates, readFileSync(file, 'utf8')];
      } catch (err) {
        throw new Error(`notifications.channels.${name}.tls.caFile: cannot read ${file}; check the path`, { cause: err });
      }
    }
    const timeoutMs = (config.timeout ?? DEFAULT_TIMEOUT_S) * 1000;
    const { default: nodemailer } = await import('nodemailer');
    const transport = nodemailer.createTransport({
      host: config.host,
      port: config.port,
      secure: config.secure,
      requireTLS: config.requireTLS,
      ignoreTLS: config.ignoreTLS,
      ...(config.user && password ? { auth: { user: config.user, pass: password } } : {}),
      tls: {
        rejectUnauthorized: tls?.rejectUnauthorized ?? true,
        minVersion: tls?.minVersion ?? 'TLSv1.2',
        ...(ca ? { ca } : {}),
        ...(tls?.servername ? { servername: tls.servername } : {}),
      },
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
    });
    return new EmailNotifier({
      name,
      transport,
      from: config.from,
      to: config.to,
      cc: config.cc,
      timeout: config.timeout,
      secrets: password ? [password] : [],
    });
  },
};
