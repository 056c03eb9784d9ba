// Noise control over a rule's steps: `for` / N-of-M persistence, warm-up grace, and hysteresis on clearing.
import { formatDuration } from '../rules/duration.js';
import type { Rule } from '../rules/schema.js';
import type { StepOutcome } from './step-check.js';

type Breach = Extract<StepOutcome, { kind: 'breach' }>;

/** A rule's state over the steps it was judged at. */
export interface Track {
  /** First time the finding was established, with the step's evidence. */
  established: { at: number; outcome: Breach; persistence: string } | null;
  /** When the finding last cleared (after `clearAfter` clear steps), null if it holds at the last step. */
  clearedAt: number | null;
}

/**
 * Runs the persistence rules over (step, outcome) pairs in time order.
 * - `for`: the breach must hold at every step from its first breaching step t0 through t, with t - t0 >= for;
 *   a gap or a clear step resets the streak.
 * - `breaches: N of M`: at least N breaching steps among the last M (gaps count as not breaching).
 * - warm-up: steps at or before startedAt + warmup are not judged at all (a restart's JIT, cold caches and
 *   connection pools settle there); the first streak starts after it. The lookback of the first judged steps
 *   still reaches into the warm-up, so a regression that is there from the start shows at once.
 * - hysteresis: an established finding clears only after `clearAfter` consecutive clear steps (gaps neither
 *   clear nor reset), and is re-established by persistence again; `at` stays the first establishment.
 */
export function track(rule: Rule, startedAt: number, steps: ReadonlyArray<{ t: number; outcome: StepOutcome }>): Track {
  let streakStart: number | null = null;
  const recent: boolean[] = [];
  let active = false;
  let clearRun = 0;
  let established: Track['established'] = null;
  let clearedAt: number | null = null;
  for (const { t, outcome } of steps) {
    if (t - startedAt <= rule.warmup) continue;
    const breach = outcome.kind === 'breach';
    if (breach) streakStart ??= t;
    else streakStart = null;
    recent.push(breach);
    if (rule.breaches && recent.length > rule.breaches.of) recent.shift();
    if (active) {
      if (outcome.kind === 'clear') clearRun++;
      else if (breach) clearRun = 0;
      if (clearRun >= rule.clearAfter) {
        active = false;
        clearedAt = t;
      }
      continue;
    }
    if (!breach) continue;
    const persistence = persisted(rule, t, streakStart!, recent);
    if (persistence === null) continue;
    active = true;
    clearRun = 0;
    clearedAt = null;
    established ??= { at: t, outcome, persistence };
  }
  return { established, clearedAt };
}

function persisted(rule: Rule, t: number, streakStart: number, recent: readonly boolean[]): string | null {
  if (rule.breaches) {
    const count = recent.filter(Boolean).length;
    return count >= rule.breaches.count ? `${count} of the last ${recent.length} steps` : null;
  }
  return t - streakStart >= rule.for ? (t === streakStart ? 'breached at one step' : `held ${formatDuration(t - streakStart)} at every step`) : null;
}
