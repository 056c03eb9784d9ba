// Prometheus metrics of the outbox, registered on the daemon's injected Registry.
import { Counter, type Registry } from 'prom-client';

export interface DeliveryMetrics {
  /** Finished deliveries: delivered, failed (refused), expired (deadline), muted. */
  deliveries: Counter<'type' | 'event' | 'outcome'>;
  /** Every attempt: ok, retryable, permanent. */
  attempts: Counter<'type' | 'result'>;
}

export function createDeliveryMetrics(registry: Registry): DeliveryMetrics {
  const registers = [registry];
  return {
    deliveries: new Counter({
      name: 'release_guard_deliveries_total',
      help: 'Notifications and hook calls finished, by channel type, event and outcome',
      labelNames: ['type', 'event', 'outcome'],
      registers,
    }),
    attempts: new Counter({
      name: 'release_guard_delivery_attempts_total',
      help: 'Delivery attempts by channel type and result (ok, retryable, permanent)',
      labelNames: ['type', 'result'],
      registers,
    }),
  };
}
