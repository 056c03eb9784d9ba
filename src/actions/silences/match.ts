// Which silence, if any, mutes a notification about a service/environment at a moment.
import type { SilenceRecord } from '../../store/records.js';

/** Whether a silence is in force at `now`: started, not ended, not expired. */
export function silenceActive(s: SilenceRecord, now: number): boolean {
  return s.startsAt <= now && now < s.endsAt && (s.expiredAt === null || now < s.expiredAt);
}

/** The oldest silence in force at `now` matching the service and environment (null environment: all), or null. */
export function matchingSilence(silences: readonly SilenceRecord[], service: string | null, environment: string | null, now: number): SilenceRecord | null {
  if (service === null) return null;
  const matches = silences.filter((s) => silenceActive(s, now) && s.service === service && (s.environment === null || s.environment === environment));
  return matches.sort((a, b) => a.id - b.id)[0] ?? null;
}

/** Events a silence mutes. Resolves, reports of failed deliveries and the digest always go out; hooks always run. */
export const MUTABLE_EVENTS: ReadonlySet<string> = new Set([
  'alert',
  'not-recovered',
  'deploy-started',
  'deploy-passed',
  'deploy-rolling-back',
  'deploy-failed',
  'deploy-inconclusive',
  'recovered',
]);
