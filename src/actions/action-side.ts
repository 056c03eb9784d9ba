// The action side as main.ts starts and stops it: templates, channels, outbox worker, responder, daily digest.
import path from 'node:path';
import type { Registry } from 'prom-client';
import type { Deploy } from '../judge/types.js';
import type { LoadedRules } from '../rules/load.js';
import { RULE_DEFAULTS } from '../rules/schema.js';
import type { Hook } from '../rules/schema.js';
import type { DeliveryRecord } from '../store/records.js';
import type { Store } from '../store/interfaces.js';
import type { Logger } from '../telemetry/logger.js';
import type { GuardMetrics } from '../telemetry/metrics.js';
import { assembleDelivery, unconfiguredNames } from './delivery.js';
import type { HookDeps } from './hooks/index.js';
import type { NotificationsConfig } from './notify/config.js';
import { scheduleDigest, sendDigest, type DigestSchedule } from './notify/digest/index.js';
import { Responder } from './responder.js';
import { Templates } from './templates/templates.js';

export interface ActionSideOptions {
  store: Store;
  logger: Logger;
  registry: Registry;
  metrics: GuardMetrics;
  notifications: NotificationsConfig;
  /** Where channel secrets (…Env) are read. */
  env: Readonly<Record<string, string | undefined>>;
  /** Folder relative paths in the config resolve against. */
  baseDir: string;
  hooksFor(deploy: Deploy): Hook[];
  verdictUrl(deployId: string): string;
  guardUrl(): string;
  /** Channels for the guard's own alerts. */
  guardRoute?(): readonly string[];
  /** Wall clock, Unix seconds. */
  now(): number;
  /** Environment and redaction for rollback hooks (default: process.env, no redaction). */
  hookDeps?: HookDeps;
}

export interface ActionSide {
  responder: Responder;
  /** Resumes the outbox (requeues notifications in flight at the last stop) and schedules the digest. */
  start(): Promise<{ requeued: number; interrupted: number }>;
  /** Reports hooks interrupted and sends notifications requeued at a replica that died (see LeaseKeeper). */
  resumed(r: { requeued: DeliveryRecord[]; interrupted: DeliveryRecord[] }): Promise<void>;
  /** Warns about channel names the rules and config route to that are not configured. */
  checkRouting(rules: LoadedRules): string[];
  /** Runs the digest now (as if scheduled at `at`); for tests and operators. */
  sendDigest(at?: Date): Promise<number>;
  stop(): Promise<void>;
}

/** Builds everything; throws (naming channel and setting) for unreadable secrets or invalid templates. */
export async function createActionSide(o: ActionSideOptions): Promise<ActionSide> {
  const n = o.notifications;
  const templates = await Templates.load(n.templatesDir ? path.resolve(o.baseDir, n.templatesDir) : undefined);
  const delivery = await assembleDelivery({
    store: o.store,
    logger: o.logger,
    registry: o.registry,
    notifications: n,
    notifierDeps: { env: o.env, baseDir: o.baseDir },
    hooksFor: o.hooksFor,
    hookDeps: o.hookDeps,
    templates,
    guardUrl: o.guardUrl,
    now: o.now,
  });
  const responder = new Responder({
    store: o.store,
    logger: o.logger,
    metrics: o.metrics,
    verdictUrl: o.verdictUrl,
    now: o.now,
    delivery,
    guardRoute: o.guardRoute,
  });
  const digestDeps = {
    store: o.store,
    outbox: delivery.outbox,
    channels: delivery.channels,
    templates,
    config: n.digest,
    deadline: n.delivery.deadline,
    verdictUrl: o.verdictUrl,
    guardUrl: o.guardUrl,
    now: o.now,
  };
  let schedule: DigestSchedule | null = null;
  return {
    responder,
    async start() {
      const resumed = await delivery.outbox.start();
      schedule = scheduleDigest(n.digest, (at) => sendDigest(digestDeps, at), o.logger);
      o.logger.info(
        { channels: delivery.channels.names(), nextDigest: schedule.next()?.toISOString() ?? null, requeued: resumed.requeued.length },
        'notifications ready',
      );
      return { requeued: resumed.requeued.length, interrupted: resumed.interrupted.length };
    },
    resumed: (r) => delivery.outbox.resumed(r),
    checkRouting(rules) {
      const routed = [...n.lifecycle, ...n.digest.to, ...Object.values(RULE_DEFAULTS.severities).flatMap((s) => s.alert)];
      for (const f of rules.files) for (const s of Object.values(f.file.severities ?? {})) routed.push(...(s?.alert ?? []));
      const missing = unconfiguredNames(routed, delivery.channels);
      if (missing.length > 0)
        o.logger.warn(
          { channels: missing },
          `channels ${missing.join(', ')} are not configured under notifications.channels: what is routed to them goes to the log`,
        );
      return missing;
    },
    sendDigest: async (at = new Date()) => (await sendDigest(digestDeps, at)).length,
    async stop() {
      await schedule?.stop();
      await delivery.outbox.stop();
      await delivery.channels.close();
    },
  };
}
