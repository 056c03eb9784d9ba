// Stale deploy events: a deploy reported after its window closed is judged in retrospect, never acted on live.
import type { Judgement } from '../judge/types.js';
import type { DeployRecord, WatchRecord } from '../store/records.js';

/**
 * True when the deploy reached the guard after its monitoring window had closed (e.g. a redelivered 2019 GitHub
 * event): what happened then is history, so it is judged on what the source still has, and nothing is run.
 * Ages are wall-clock seconds; the window is series time (scaled for the accelerated demo source).
 */
export function isRetrospective(deploy: Pick<DeployRecord, 'startedAt' | 'receivedAt'>, watch: Pick<WatchRecord, 'timeScale'>, windowSeconds: number): boolean {
  return (deploy.receivedAt - deploy.startedAt) * watch.timeScale > windowSeconds;
}

/**
 * The judgement as it may be acted on for a retrospective deploy: never a rollback, and the reason says that the
 * verdict is retrospective and what the live guard would have done.
 */
export function retrospectiveJudgement(j: Judgement, deploy: Pick<DeployRecord, 'startedAt' | 'receivedAt'>): Judgement {
  const hours = ((deploy.receivedAt - deploy.startedAt) / 3600).toFixed(1);
  const would = j.rollback ? ` A live watch would have rolled back at series time ${j.rollbackAt}; nothing was run.` : ' Nothing was run.';
  const reason = `retrospective: the deploy was reported ${hours} h after it started, after its window closed; judged on the data the source still has.${would}${j.reason ? ` ${j.reason}` : ''}`;
  return { ...j, rollback: false, rollbackAt: null, reason };
}
