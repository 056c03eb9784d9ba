// The slack channel kind: Block Kit messages to an incoming webhook.
import type { NotifierKind } from '../kind.js';
import { readSecret } from '../secret.js';
import { SLACK_CAPABILITIES } from './blocks.js';
import { SlackConfig } from './schema.js';
import { SlackNotifier } from './slack.js';

export { SlackConfig, SlackPayload } from './schema.js';
export { SlackNotifier } from './slack.js';
export { slackEscape, slackMessage, SLACK_CAPABILITIES } from './blocks.js';

/** Registered as `type: slack`. */
export const slackNotifier: NotifierKind<typeof SlackConfig> = {
  type: 'slack',
  Config: SlackConfig,
  capabilities: SLACK_CAPABILITIES,
  create: (name, config, deps) => {
    const webhookUrl = readSecret(name, 'webhookUrl', config, deps);
    if (!URL.canParse(webhookUrl))
      throw new Error(`notifications.channels.${name}: the webhook URL read from ${config.webhookUrlEnv ?? config.webhookUrlFile} is not a URL`);
    return new SlackNotifier({ name, webhookUrl, timeout: config.timeout, fetch: deps.fetch });
  },
};
