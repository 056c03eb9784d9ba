// Configuration of a Slack channel (`type: slack`) and the payload stored for it in the outbox.
import { z } from 'zod';
import { Duration } from '../../../rules/duration.js';
import { SECRET_IN_CONFIG, oneSecretSource } from '../secret.js';

export const SlackConfig = z
  .object({
    type: z.literal('slack'),
    /** Environment variable holding the incoming-webhook URL (the URL is the secret). */
    webhookUrlEnv: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name')
      .optional(),
    /** File holding the incoming-webhook URL. */
    webhookUrlFile: z.string().min(1).optional(),
    webhookUrl: z.never({ error: SECRET_IN_CONFIG }).optional(),
    /** The Slack channel the webhook posts to, for people reading the config (the webhook decides). */
    channel: z.string().optional(),
    /** Per-attempt timeout; default notifications.delivery.attemptTimeout. */
    timeout: Duration.optional(),
  })
  .strict()
  .superRefine(oneSecretSource('webhookUrl', true));
export type SlackConfig = z.infer<typeof SlackConfig>;

/** What is posted: Block Kit blocks plus the `text` fallback for notifications. */
export const SlackPayload = z.object({ text: z.string(), blocks: z.array(z.record(z.string(), z.unknown())) }).strict();
export type SlackPayload = z.infer<typeof SlackPayload>;
