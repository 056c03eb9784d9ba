// Sends a stored delivery through what it names: a configured channel, or a rollback hook.
import type { DeliveryRecord } from '../../store/records.js';
import type { Channels } from '../channels.js';
import { hookTimeout, sendHook, type HookSenderDeps } from '../hook-delivery.js';
import type { SendResult } from '../notify/types.js';
import type { Dispatcher } from './outbox.js';

export interface DispatchDeps extends HookSenderDeps {
  channels: Channels;
  /** Seconds per attempt for channels without their own `timeout`. */
  attemptTimeout: number;
}

export function createDispatcher(deps: DispatchDeps): Dispatcher {
  return {
    async send(d: DeliveryRecord, signal: AbortSignal): Promise<SendResult> {
      if (d.kind === 'hook') return sendHook(d, deps);
      const notifier = deps.channels.byName(d.channel);
      if (!notifier || notifier.type !== d.channelType) {
        return {
          ok: false,
          retryable: false,
          error: `channel "${d.channel}" (${d.channelType}) is no longer configured; add it back under notifications.channels to send what is waiting`,
          detail: null,
        };
      }
      return notifier.send(d.payload, signal);
    },
    timeoutFor(d: DeliveryRecord): number {
      if (d.kind === 'hook') return hookTimeout(d, deps);
      return deps.channels.byName(d.channel)?.timeout ?? deps.attemptTimeout;
    },
  };
}
