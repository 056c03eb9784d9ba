// The configured channels by name; a name that is not configured falls back to the log channel.
import type { Logger } from '../telemetry/logger.js';
import type { NotifierCapabilities } from './notify/capabilities.js';
import { LogNotifier } from './notify/log/index.js';
import { registeredKind } from './notify/registry.js';
import type { Notifier } from './notify/types.js';

/** Name of the built-in log channel that unconfigured names fall back to. */
export const FALLBACK_CHANNEL = 'log';

export class Channels {
  private readonly fallback: Notifier;

  constructor(
    private readonly configured: ReadonlyMap<string, Notifier>,
    logger: Logger,
  ) {
    this.fallback = configured.get(FALLBACK_CHANNEL) ?? new LogNotifier(FALLBACK_CHANNEL, logger);
  }

  /** The channel a routed name goes to: the configured one, else the log channel (`configured: false`). */
  resolve(name: string): { notifier: Notifier; configured: boolean } {
    const notifier = this.configured.get(name);
    return notifier ? { notifier, configured: true } : { notifier: this.fallback, configured: false };
  }

  /** The channel a stored delivery names (its resolved name), or undefined if it is no longer configured. */
  byName(name: string): Notifier | undefined {
    return this.configured.get(name) ?? (name === FALLBACK_CHANNEL ? this.fallback : undefined);
  }

  /**
   * What the kind `type` can do (e.g. of a stored delivery's `channelType`): as a configured channel of that kind
   * declares it, else as the registered kind does; undefined for any other type (hooks, the digest).
   */
  capabilitiesOf(type: string): NotifierCapabilities | undefined {
    for (const notifier of [...this.configured.values(), this.fallback]) if (notifier.type === type) return notifier.capabilities;
    return registeredKind(type)?.capabilities;
  }

  /** Configured channel names. */
  names(): string[] {
    return [...this.configured.keys()];
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.configured.values()].map((n) => n.close?.()));
  }
}
