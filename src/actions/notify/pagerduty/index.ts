// The pagerduty channel kind: Events API v2 triggers, resolves and change events through @pagerduty/pdjs.
import { readFileSync } from 'node:fs';
import { Agent } from 'node:https';
import path from 'node:path';
import { rootCertificates } from 'node:tls';
import type { NotifierKind } from '../kind.js';
import type { Notifier } from '../types.js';
import { readSecret } from '../secret.js';
import { PAGERDUTY_CAPABILITIES } from './events.js';
import { PagerDutyConfig } from './schema.js';

export { PagerDutyConfig, PagerDutyPayload } from './schema.js';
// PagerDutyNotifier (./pagerduty.js) is not re-exported: it loads @pagerduty/pdjs, imported only when a channel uses it.
export { pagerDutyEvent, PAGERDUTY_SEVERITY, PAGERDUTY_CAPABILITIES, dedupKeyOf } from './events.js';

/** Registered as `type: pagerduty`. */
export const pagerDutyNotifier: NotifierKind<typeof PagerDutyConfig, Promise<Notifier>> = {
  type: 'pagerduty',
  Config: PagerDutyConfig,
  capabilities: PAGERDUTY_CAPABILITIES,
  create: async (name, config, deps) => {
    const routingKey = readSecret(name, 'routingKey', config, deps);
    let agent: Agent | undefined;
    if (config.caFile) {
      const file = path.resolve(deps.baseDir, config.caFile);
      let pem: string;
      try {
        pem = readFileSync(file, 'utf8');
      } catch (err) {
        throw new Error(`notifications.channels.${name}.caFile: cannot read ${file}; check the path`, { cause: err });
      }
      agent = new Agent({ ca: [...rootCertificates, pem] });
    }
    const { PagerDutyNotifier } = await import('./pagerduty.js');
    return new PagerDutyNotifier({ name, routingKey, server: config.server, agent, timeout: config.timeout });
  },
};
