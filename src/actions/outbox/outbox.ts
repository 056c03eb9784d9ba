// The durable outbox: deliveries are stored before they are attempted, then sent by a worker that retries with
// backoff and jitter, honours Retry-After, gives up at the deadline (and reports it), and resumes after a restart.
import type { DeliveryOutcome, DeliveryRecord, NewDelivery } from '../../store/records.js';
import type { OutboxStore, SilenceStore } from '../../store/interfaces.js';
import type { Logger } from '../../telemetry/logger.js';
import type { SendResult } from '../notify/types.js';
import { MUTABLE_EVENTS, matchingSilence } from '../silences/match.js';
import { nextAttemptAt, retryDelay, type BackoffPolicy } from './backoff.js';
import type { DeliveryMetrics } from './metrics.js';

/** Sends one stored delivery once (a notifier or a hook behind it). Never throws for delivery trouble. */
export interface Dispatcher {
  send(d: DeliveryRecord, signal: AbortSignal): Promise<SendResult>;
  /** Seconds one attempt of this delivery may take. */
  timeoutFor(d: DeliveryRecord): number;
}

export interface OutboxDeps {
  store: OutboxStore & Pick<SilenceStore, 'listSilences'>;
  dispatcher: Dispatcher;
  policy: BackoffPolicy;
  logger: Logger;
  metrics: DeliveryMetrics;
  /** Wall clock, Unix seconds. */
  now(): number;
  /** In [0, 1); injectable for tests. Default Math.random. */
  random?(): number;
  /** Told once about each delivery that was given up (refused for good, or still failing at its deadline). */
  onGiveUp?(d: DeliveryRecord): Promise<void>;
  /** Deliveries claimed per pass. Default 50. */
  batch?: number;
}

/** Longest sleep between passes, so a clock jump or a missed wake-up heals itself. */
const MAX_SLEEP_S = 60;
/** When everything due belongs to busy or paused channels, look again after this long. */
const BUSY_RECHECK_S = 0.25;

export class Outbox {
  private timer: NodeJS.Timeout | null = null;
  private passing: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private readonly busy = new Set<string>();
  private readonly pausedUntil = new Map<string, number>();
  private readonly groups = new Set<Promise<void>>();
  private readonly stopping = new AbortController();

  private giveUp: ((d: DeliveryRecord) => Promise<void>) | undefined;

  constructor(private readonly deps: OutboxDeps) {
    this.giveUp = deps.onGiveUp;
  }

  /** Sets who is told about deliveries given up (the responder, which raises the guard's own alert). */
  onGiveUp(handler: (d: DeliveryRecord) => Promise<void>): void {
    this.giveUp = handler;
  }

  /** Writes deliveries (skipping dedup keys already stored) and wakes the worker. Returns the new ones. */
  async enqueue(entries: NewDelivery[]): Promise<DeliveryRecord[]> {
    if (entries.length === 0) return [];
    const created = await this.deps.store.enqueueDeliveries(entries, this.deps.now());
    if (created.some((d) => d.status === 'pending')) this.kick();
    return created;
  }

  /**
   * Writes deliveries already claimed and makes their first attempt inline (a rollback hook: the watcher waits for
   * it); retries are left to the worker. Returns each new delivery as its first attempt left it.
   */
  async enqueueAndSend(entries: NewDelivery[]): Promise<DeliveryRecord[]> {
    if (entries.length === 0) return [];
    const created = await this.deps.store.enqueueDeliveries(entries, this.deps.now(), { claim: true });
    const done: DeliveryRecord[] = [];
    for (const d of created) done.push(d.status === 'sending' ? await this.attempt(d) : d);
    this.kick();
    return done;
  }

  /** After a restart: requeues notifications that were in flight, marks hook calls in flight interrupted. */
  async start(): Promise<{ requeued: DeliveryRecord[]; interrupted: DeliveryRecord[] }> {
    const resumed = await this.deps.store.resumeDeliveries(this.deps.now());
    await this.resumed(resumed);
    return resumed;
  }

  /** Reports hook calls that were interrupted (here or at a replica that died) and sends what was requeued. */
  async resumed(r: { requeued: DeliveryRecord[]; interrupted: DeliveryRecord[] }): Promise<void> {
    for (const d of r.interrupted) {
      this.deps.logger.error(
        { delivery: d.id, deploy: d.deployId, hook: d.channel },
        `rollback hook ${d.channel} for ${d.deployId} was running when its guard stopped; it is NOT re-run: check its effect by hand`,
      );
      await this.reportGiveUp(d);
    }
    this.kick();
  }

  /** Runs a pass as soon as possible. */
  kick(): void {
    this.wake(0);
  }

  /** Stops the worker: aborts sends in flight (they stay pending) and waits for them. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.stopping.abort(new Error('the guard is shutting down'));
    await this.passing;
    await Promise.allSettled([...this.groups]);
  }

  /** Resolves when no pass and no send is in flight (for tests and orderly shutdown). */
  async idle(): Promise<void> {
    while (this.passing || this.groups.size > 0) {
      await this.passing;
      await Promise.allSettled([...this.groups]);
    }
  }

  private wake(seconds: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.pass(), Math.max(0, Math.min(seconds, MAX_SLEEP_S)) * 1000);
    // Deliveries are durable: a pending one never needs to keep the process alive.
    this.timer.unref();
  }

  /** Claims due deliveries of channels not busy or paused and starts one sender per channel. */
  private pass(): Promise<void> {
    if (this.passing) {
      this.again = true;
      return this.passing;
    }
    this.passing = this.claimAndSend()
      .catch((err: unknown) => this.deps.logger.error({ err }, 'outbox pass failed; retrying in 5s'))
      .finally(() => {
        this.passing = null;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
    return this.passing;
  }

  private async claimAndSend(): Promise<void> {
    if (this.stopped) return;
    const now = this.deps.now();
    const excludeChannels = [...this.busy, ...[...this.pausedUntil].filter(([, until]) => until > now).map(([c]) => c)];
    const claimed = await this.deps.store.claimDeliveries({ now, limit: this.deps.batch ?? 50, excludeChannels });
    const byChannel = new Map<string, DeliveryRecord[]>();
    for (const d of claimed) byChannel.set(d.channel, [...(byChannel.get(d.channel) ?? []), d]);
    for (const [channel, list] of byChannel) {
      this.busy.add(channel);
      const group: Promise<void> = this.sendAll(channel, list).finally(() => {
        this.busy.delete(channel);
        this.groups.delete(group);
        this.kick();
      });
      this.groups.add(group);
    }
    const next = await this.deps.store.nextDeliveryAt();
    // Due deliveries of a busy channel wait for its sender, which kicks when done: no need to spin meanwhile.
    if (next !== null) this.wake(Math.max(next - this.deps.now(), claimed.length === 0 ? BUSY_RECHECK_S : 0));
    else this.wake(MAX_SLEEP_S);
  }

  /** Sends one channel's deliveries in order; once the channel asks to slow down, the rest wait too. */
  private async sendAll(channel: string, list: DeliveryRecord[]): Promise<void> {
    for (const d of list) {
      const paused = this.pausedUntil.get(channel) ?? 0;
      if (this.stopped || paused > this.deps.now()) await this.deps.store.releaseDelivery(d.id, Math.max(paused, this.deps.now()), this.deps.now());
      else await this.attempt(d).catch((err: unknown) => this.deps.logger.error({ err, delivery: d.id }, `delivery ${d.id} could not be recorded`));
    }
  }

  /** One attempt through the pipeline: silence check → send (with timeout) → record, back off or give up. */
  private async attempt(d: DeliveryRecord): Promise<DeliveryRecord> {
    const muted = await this.silenced(d);
    if (muted) return muted;
    if (this.deps.store.holdsDelivery && !(await this.deps.store.holdsDelivery(d.id))) {
      this.deps.logger.warn(
        { delivery: d.id, deploy: d.deployId, channel: d.channel },
        `delivery ${d.id} (${d.event} to ${d.channel}) NOT sent: this replica lost its claim on it (paused past its lease?); another replica carries it`,
      );
      return d;
    }
    const startedAt = this.deps.now();
    const result = await this.send(d);
    const now = this.deps.now();
    if (!result.ok && this.stopped) {
      await this.deps.store.releaseDelivery(d.id, now, now);
      return { ...d, status: 'pending' };
    }
    const outcome = { ...this.outcomeOf(d, result, now), startedAt, httpStatus: result.httpStatus ?? null };
    const record = await this.deps.store.finishDelivery(d.id, outcome, now);
    this.report(record, result);
    if (record.status === 'failed' || record.status === 'expired') await this.reportGiveUp(record);
    return record;
  }

  private async reportGiveUp(d: DeliveryRecord): Promise<void> {
    await this.giveUp?.(d).catch((err: unknown) => this.deps.logger.error({ err, delivery: d.id }, `could not report that delivery ${d.id} was given up`));
  }

  private async silenced(d: DeliveryRecord): Promise<DeliveryRecord | null> {
    if (d.kind !== 'notification' || !MUTABLE_EVENTS.has(d.event) || d.service === null) return null;
    const now = this.deps.now();
    const silence = matchingSilence(await this.deps.store.listSilences({ now }), d.service, d.environment, now);
    if (!silence) return null;
    const record = await this.deps.store.finishDelivery(
      d.id,
      { status: 'muted', silenceId: silence.id, output: `muted by silence ${silence.id} (${silence.createdBy}: ${silence.reason})` },
      now,
    );
    this.deps.metrics.deliveries.inc({ type: d.channelType, event: d.event, outcome: 'muted' });
    return record;
  }

  private async send(d: DeliveryRecord): Promise<SendResult> {
    const timeout = AbortSignal.timeout(this.deps.dispatcher.timeoutFor(d) * 1000);
    const signal = AbortSignal.any([timeout, this.stopping.signal]);
    try {
      return await this.deps.dispatcher.send(d, signal);
    } catch (err) {
      this.deps.logger.error({ err, delivery: d.id }, `sending delivery ${d.id} threw; treating it as a retryable failure`);
      return { ok: false, retryable: true, error: `${d.channelType} channel "${d.channel}": unexpected error: ${(err as Error).message}`, detail: null };
    }
  }

  private outcomeOf(d: DeliveryRecord, r: SendResult, now: number): DeliveryOutcome {
    if (r.ok) return { status: 'delivered', output: r.detail };
    if (!r.retryable) return { status: 'failed', error: r.error, output: r.detail };
    const delay = retryDelay(d.attempts + 1, this.deps.policy, (this.deps.random ?? Math.random)(), r.retryAfterSeconds);
    const next = nextAttemptAt(now, d.deadlineAt, delay);
    if (next === 'give-up') {
      const error = `${r.error}; gave up after ${d.attempts + 1} attempt(s): still failing at the deadline ${new Date(d.deadlineAt * 1000).toISOString()}`;
      return { status: 'expired', error, output: r.detail };
    }
    if (r.retryAfterSeconds !== undefined) this.pausedUntil.set(d.channel, next);
    return { status: 'retry', nextAttemptAt: next, error: r.error, output: r.detail };
  }

  private report(d: DeliveryRecord, r: SendResult): void {
    const { logger, metrics } = this.deps;
    metrics.attempts.inc({ type: d.channelType, result: r.ok ? 'ok' : r.retryable ? 'retryable' : 'permanent' });
    const where = { delivery: d.id, deploy: d.deployId, channel: d.channel, type: d.channelType, event: d.event, attempts: d.attempts };
    if (d.status === 'pending') {
      logger.warn(
        { ...where, error: d.lastError, retryAt: d.nextAttemptAt },
        `${d.event} to ${d.channel} failed (attempt ${d.attempts}); retrying in ${Math.round(d.nextAttemptAt - this.deps.now())}s`,
      );
      return;
    }
    metrics.deliveries.inc({ type: d.channelType, event: d.event, outcome: d.status });
    if (d.status === 'delivered') logger.info(where, `${d.event} delivered to ${d.channel} (${d.channelType}) after ${d.attempts} attempt(s)`);
    else
      logger.error(
        { ...where, error: d.lastError },
        `${d.event} to ${d.channel} ${d.status === 'expired' ? 'given up at its deadline' : 'refused for good'}: ${d.lastError}`,
      );
  }
}
