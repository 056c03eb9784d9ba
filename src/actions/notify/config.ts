// The `notifications:` section of the config: channels by name, lifecycle routing, the digest, templates, retries.
import { validate as validCron } from 'node-cron';
import { z } from 'zod';
import { Duration } from '../../rules/duration.js';
import { ChannelConfig } from './registry.js';

/** The channel name P3 findings are routed to by default: they are held for the daily digest, not sent. */
export const DIGEST_CHANNEL = 'digest';

const ChannelName = z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'channel names are lower-case letters, digits, - and _');

export const DeliveryPolicy = z
  .object({
    /** A failing notification is retried until this long after it was raised, then given up (and reported). */
    deadline: Duration.default(3600),
    /** The same for rollback hook calls. */
    hookDeadline: Duration.default(900),
    /** First retry delay; doubles per attempt, with jitter, up to maxBackoff. */
    minBackoff: Duration.default(5),
    maxBackoff: Duration.default(300),
    /** How long one attempt may take (channels may set their own `timeout`). */
    attemptTimeout: Duration.default(30),
    /** Channels told when a delivery is given up; default: every configured channel except the failing one. */
    giveUpTo: z.array(ChannelName).optional(),
  })
  .strict()
  .refine((p) => p.maxBackoff >= p.minBackoff, { path: ['maxBackoff'], message: 'maxBackoff must be at least minBackoff' });
export type DeliveryPolicy = z.infer<typeof DeliveryPolicy>;

function validTimeZone(tz: string): boolean {
  // The default needs no check: the first Intl.DateTimeFormat with a time zone loads the zone data (slow at start-up).
  if (tz === 'UTC') return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export const DigestConfig = z
  .object({
    /** When the daily digest goes out (cron: minute hour day month weekday), default 09:00. */
    cron: z
      .string()
      .default('0 9 * * *')
      .refine((c) => validCron(c), { message: 'not a cron expression; write it like "0 9 * * *" (09:00 every day)' }),
    /** IANA time zone the cron is read in, e.g. Europe/Berlin. */
    timezone: z.string().default('UTC').refine(validTimeZone, { message: 'not a time zone; use an IANA name such as UTC or Europe/Berlin' }),
    /** Channels the digest is sent to. */
    to: z.array(ChannelName).min(1).default(['email']),
  })
  .strict();
export type DigestConfig = z.infer<typeof DigestConfig>;

export const NotificationsConfig = z
  .object({
    /** Channels by name; rule files route severities to these names (`severities.P1.alert: [slack, page]`). */
    channels: z.record(ChannelName, ChannelConfig).default({}),
    /** Channels for deploy lifecycle messages (deploying, successful, rolling back, recovered). */
    lifecycle: z.array(ChannelName).default(['slack']),
    /**
     * Channels for the guard's own alerts (a metric source blind during a deploy, the store unwritable, a rule
     * reload refused); sent at once, never held for the digest. Default: the P2 channels of default.yaml.
     */
    guardAlerts: z.array(ChannelName).min(1).optional(),
    // prefault: an absent section is parsed as {}, so the defaults above are the only ones.
    digest: DigestConfig.prefault({}),
    /** Folder of template files overriding the built-in message texts. */
    templatesDir: z.string().min(1).optional(),
    delivery: DeliveryPolicy.prefault({}),
  })
  .strict()
  .superRefine((n, ctx) => {
    if (DIGEST_CHANNEL in n.channels) {
      ctx.addIssue({
        code: 'custom',
        path: ['channels', DIGEST_CHANNEL],
        message: `"${DIGEST_CHANNEL}" is reserved: alerts routed to it are held for the daily digest; name the channel differently and list it in notifications.digest.to`,
      });
    }
  });
export type NotificationsConfig = z.infer<typeof NotificationsConfig>;
