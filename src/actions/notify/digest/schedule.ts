// Schedules the daily digest with node-cron at the configured time and time zone.
import { schedule, type ScheduledTask } from 'node-cron';
import type { Logger } from '../../../telemetry/logger.js';
import type { DigestConfig } from '../config.js';

export interface DigestSchedule {
  /** When the next digest goes out, or null. */
  next(): Date | null;
  stop(): Promise<void>;
}

/** Runs `send(scheduledAt)` on `config.cron` in `config.timezone`; a failed run is logged (its items wait for the next). */
export function scheduleDigest(config: DigestConfig, send: (runAt: Date) => Promise<unknown>, logger: Logger): DigestSchedule {
  const task: ScheduledTask = schedule(
    config.cron,
    async (ctx) => {
      try {
        await send(ctx.date);
      } catch (err) {
        logger.error({ err }, `the daily digest could not be written; its items stay held for the next run (${config.cron} ${config.timezone})`);
      }
    },
    { timezone: config.timezone, name: 'release-guard-digest', noOverlap: true },
  );
  return {
    next: () => task.getNextRun(),
    stop: async () => {
      await task.destroy();
    },
  };
}
