// Configuration of an email channel (`type: email`, SMTP through nodemailer) and the payload stored for it.
import { z } from 'zod';
import { Duration } from '../../../rules/duration.js';
import { SECRET_IN_CONFIG, oneSecretSource } from '../secret.js';

const Address = z.string().min(3).regex(/@/, 'must be an email address, e.g. oncall@example.com or "On-call <oncall@example.com>"');

export const EmailTls = z
  .object({
    /** Refuse servers whose certificate does not verify (turn off only for a test server). */
    rejectUnauthorized: z.boolean().default(true),
    /** PEM file of extra CA certificates to trust. */
    caFile: z.string().min(1).optional(),
    /** Name to verify the certificate against when it differs from host. */
    servername: z.string().optional(),
    minVersion: z.enum(['TLSv1.2', 'TLSv1.3']).default('TLSv1.2'),
  })
  .strict();
export type EmailTls = z.infer<typeof EmailTls>;

export const EmailConfig = z
  .object({
    type: z.literal('email'),
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535).default(587),
    /** true: TLS from the first byte (port 465); false: plain, upgraded with STARTTLS when offered. */
    secure: z.boolean().default(false),
    /** Fail unless the server upgrades with STARTTLS (recommended on 587). */
    requireTLS: z.boolean().default(false),
    /** Never use STARTTLS (only for a local test server). */
    ignoreTLS: z.boolean().default(false),
    tls: EmailTls.optional(),
    /** SMTP user; with it, the password comes from passwordEnv or passwordFile. */
    user: z.string().optional(),
    passwordEnv: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name')
      .optional(),
    passwordFile: z.string().min(1).optional(),
    password: z.never({ error: SECRET_IN_CONFIG }).optional(),
    from: Address,
    to: z.array(Address).min(1, 'name at least one recipient'),
    cc: z.array(Address).optional(),
    /** Per-attempt timeout; default notifications.delivery.attemptTimeout. */
    timeout: Duration.optional(),
  })
  .strict()
  .superRefine(oneSecretSource('password', false))
  .superRefine((c, ctx) => {
    const hasPassword = c.passwordEnv !== undefined || c.passwordFile !== undefined;
    if (hasPassword && !c.user) ctx.addIssue({ code: 'custom', path: ['user'], message: 'a password needs a user' });
    if (c.user && !hasPassword) ctx.addIssue({ code: 'custom', path: ['passwordEnv'], message: 'user is set: also set passwordEnv or passwordFile' });
    if (c.requireTLS && c.ignoreTLS) ctx.addIssue({ code: 'custom', path: ['ignoreTLS'], message: 'requireTLS and ignoreTLS contradict each other' });
  });
export type EmailConfig = z.infer<typeof EmailConfig>;

/** The message stored in the outbox: recipients are resolved at send time from the channel config. */
export const EmailPayload = z.object({ subject: z.string(), text: z.string(), html: z.string(), messageId: z.string() }).strict();
export type EmailPayload = z.infer<typeof EmailPayload>;
