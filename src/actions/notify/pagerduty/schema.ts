// Configuration of a PagerDuty channel (`type: pagerduty`, Events API v2) and the payload stored for it.
import { z } from 'zod';
import { Duration } from '../../../rules/duration.js';
import { SECRET_IN_CONFIG, oneSecretSource } from '../secret.js';

export const PagerDutyConfig = z
  .object({
    type: z.literal('pagerduty'),
    /** Environment variable holding the integration's routing key. */
    routingKeyEnv: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name')
      .optional(),
    /** File holding the routing key. */
    routingKeyFile: z.string().min(1).optional(),
    routingKey: z.never({ error: SECRET_IN_CONFIG }).optional(),
    /** Events API host[:port]; always spoken to over HTTPS. */
    server: z
      .string()
      .regex(/^[A-Za-z0-9.-]+(:\d{1,5})?$/, 'must be host or host:port, without https:// or a path (the Events API is always https://<server>/v2/enqueue)')
      .default('events.pagerduty.com'),
    /** PEM file of extra CA certificates to trust (a TLS-inspecting proxy, a test server). */
    caFile: z.string().min(1).optional(),
    /** Per-attempt timeout; default notifications.delivery.attemptTimeout. */
    timeout: Duration.optional(),
  })
  .strict()
  .superRefine(oneSecretSource('routingKey', true));
export type PagerDutyConfig = z.infer<typeof PagerDutyConfig>;

const Link = z.object({ href: z.string(), text: z.string() }).strict();

/** An Events API v2 event without its routing key (added at send time, never stored). */
export const PagerDutyPayload = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('alert'),
      event_action: z.enum(['trigger', 'resolve']),
      dedup_key: z.string().min(1).max(255),
      payload: z
        .object({
          summary: z.string().max(1024),
          source: z.string(),
          severity: z.enum(['critical', 'error', 'warning', 'info']),
          timestamp: z.string(),
          component: z.string().optional(),
          group: z.string().optional(),
          class: z.string().optional(),
          custom_details: z.record(z.string(), z.unknown()),
        })
        .strict()
        .optional(),
      links: z.array(Link).optional(),
      client: z.string().optional(),
      client_url: z.string().optional(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('change'),
      payload: z
        .object({ summary: z.string().max(1024), source: z.string(), timestamp: z.string(), custom_details: z.record(z.string(), z.unknown()) })
        .strict(),
      links: z.array(Link),
    })
    .strict(),
]);
export type PagerDutyPayload = z.infer<typeof PagerDutyPayload>;
