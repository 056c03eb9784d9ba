// Assembles the delivery side from the config: channels, templates, the outbox and its dispatcher.
import type { Registry } from 'prom-client';
import type { Deploy } from '../judge/types.js';
import type { Hook } from '../rules/schema.js';
import type { OutboxStore, SilenceStore } from '../store/interfaces.js';
import type { Logger } from '../telemetry/logger.js';
import { Channels } from './channels.js';
import type { HookDeps } from './hooks/index.js';
import { DIGEST_CHANNEL, type DeliveryPolicy, type NotificationsConfig } from './notify/config.js';
import type { NotifierDeps } from './notify/kind.js';
import { createNotifier } from './notify/registry.js';
import type { Notifier } from './notify/types.js';
import { createDispatcher } from './outbox/dispatch.js';
import { createDeliveryMetrics } from './outbox/metrics.js';
import { Outbox } from './outbox/outbox.js';
import { Templates } from './templates/templates.js';

/** What the responder needs to turn decisions into deliveries. */
export interface DeliveryRuntime {
  outbox: Outbox;
  channels: Channels;
  templates: Templates;
  policy: DeliveryPolicy;
  /** Channels for deploy lifecycle messages. */
  lifecycle: readonly string[];
  /** Base URL people reach the guard at (links). */
  guardUrl(): string;
}

export interface DeliverySetup {
  store: OutboxStore & Pick<SilenceStore, 'listSilences'>;
  logger: Logger;
  registry: Registry;
  notifications: NotificationsConfig;
  /** Where channel secrets are read from. */
  notifierDeps: Omit<NotifierDeps, 'logger'>;
  /** The rollback hooks that apply to a deploy now (looked up at send time, so secrets are never stored). */
  hooksFor(deploy: Deploy): Hook[];
  hookDeps?: HookDeps;
  templates?: Templates;
  guardUrl(): string;
  /** Wall clock, Unix seconds. */
  now(): number;
  random?(): number;
}

/**
 * Builds every configured channel (rejects, naming the channel, when a secret cannot be read), the outbox and
 * its dispatcher. A channel kind's library is loaded here, only when a channel of that kind is configured.
 * The outbox is not started: call `outbox.start()` once the store is open.
 */
export async function assembleDelivery(setup: DeliverySetup): Promise<DeliveryRuntime> {
  const notifiers = new Map<string, Notifier>();
  const problems: string[] = [];
  for (const [name, config] of Object.entries(setup.notifications.channels)) {
    try {
      notifiers.set(name, await createNotifier(name, config, { ...setup.notifierDeps, logger: setup.logger }));
    } catch (err) {
      problems.push((err as Error).message);
    }
  }
  if (problems.length > 0) {
    // A configuration problem like any other: the CLI prints it once, without a stack trace.
    const err = new Error(`cannot set up notification channels:\n  - ${problems.join('\n  - ')}`);
    err.name = 'ConfigError';
    throw err;
  }
  return deliveryWith(setup, notifiers);
}

/** The delivery side over channels already built (assembleDelivery builds them from the config). */
export function deliveryWith(setup: DeliverySetup, notifiers: ReadonlyMap<string, Notifier>): DeliveryRuntime {
  const { notifications: n, logger } = setup;
  const channels = new Channels(notifiers, logger);
  const dispatcher = createDispatcher({ channels, attemptTimeout: n.delivery.attemptTimeout, hooksFor: setup.hooksFor, hookDeps: setup.hookDeps });
  const outbox = new Outbox({
    store: setup.store,
    dispatcher,
    policy: n.delivery,
    logger,
    metrics: createDeliveryMetrics(setup.registry),
    now: setup.now,
    random: setup.random,
  });
  return { outbox, channels, templates: setup.templates ?? Templates.builtIn(), policy: n.delivery, lifecycle: n.lifecycle, guardUrl: setup.guardUrl };
}

/** Channel names the rules or config route to that are not configured (they go to the log channel). */
export function unconfiguredNames(routed: Iterable<string>, channels: Channels): string[] {
  const configured = new Set(channels.names());
  return [...new Set(routed)].filter((name) => name !== DIGEST_CHANNEL && !configured.has(name)).sort();
}
