// Maps wall-clock time to a watch's series time and back: identical for real sources, accelerated for the demo.
import type { Deploy } from '../judge/types.js';
import type { WatchRecord } from '../store/records.js';

type Timing = Pick<WatchRecord, 'timeScale' | 'interval' | 'windowEnd'>;

/** Series time "now" for a watch: the wall clock, or startedAt plus scaled elapsed time for an accelerated source. */
export function seriesNow(deploy: Deploy, watch: Timing, wallNow: number): number {
  if (watch.timeScale === 1) return wallNow;
  return deploy.startedAt + Math.max(0, wallNow - deploy.startedAt) * watch.timeScale;
}

/** Wall-clock time at which a series time is reached. */
export function wallTimeOf(deploy: Deploy, watch: Timing, seriesTime: number): number {
  if (watch.timeScale === 1) return seriesTime;
  return deploy.startedAt + (seriesTime - deploy.startedAt) / watch.timeScale;
}

/** The last whole evaluation step at or before `now`, capped at the window end; startedAt if none has passed. */
export function dueStep(deploy: Deploy, watch: Timing, now: number): number {
  const steps = Math.floor((now - deploy.startedAt) / watch.interval);
  return Math.min(watch.windowEnd, deploy.startedAt + Math.max(0, steps) * watch.interval);
}

/** The next evaluation step after `evaluatedAt`, or null once the window has been evaluated to its end. */
export function nextStep(deploy: Deploy, watch: Timing, evaluatedAt: number): number | null {
  if (evaluatedAt >= watch.windowEnd) return null;
  return Math.min(watch.windowEnd, evaluatedAt + watch.interval);
}
