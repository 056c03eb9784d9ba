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
  let state = initialTrackState();
  for (const { t, outcome } of steps) state = advanceTrack(state, rule, startedAt, t, outcome);
  return { established: state.established, clearedAt: state.clearedAt };
}

/** Everything persistence carries from one step to the next (immutable: advanceTrack returns a new state). */
export interface TrackState extends Track {
  streakStart: number | null;
  /** Breach flags of the last M judged steps (N-of-M rules only; empty for the others). */
  recent: readonly boolean[];
  active: boolean;
  clearRun: number;
}

const INITIAL: TrackState = Object.freeze({ streakStart: null, recent: Object.freeze([]), active: false, clearRun: 0, established: null, clearedAt: null });

/** The state before any step (one shared object: states are never changed, only replaced). */
export function initialTrackState(): TrackState {
  return INITIAL;
}

/**
 * The state after one more step (see track for the rules); the state itself when the step changes nothing (a clear
 * or gap step of a rule that holds no streak), so the incremental judge's thousands of quiet rules share few objects.
 */
export function advanceTrack(state: TrackState, rule: Rule, startedAt: number, t: number, outcome: StepOutcome): TrackState {
  if (t - startedAt <= rule.warmup) return state;
  const breach = outcome.kind === 'breach';
  const streakStart = breach ? (state.streakStart ?? t) : null;
  // Only N-of-M rules read the flags: the others keep none, so a long window costs nothing per step.
  const recent = rule.breaches ? [...state.recent, breach].slice(-rule.breaches.of) : state.recent;
  const { established } = state;
  let { active, clearRun, clearedAt } = state;
  if (active) {
    if (outcome.kind === 'clear') clearRun++;
    else if (breach) clearRun = 0;
    if (clearRun >= rule.clearAfter) {
      active = false;
      clearedAt = t;
    }
    return { streakStart, recent, active, clearRun, established, clearedAt };
  }
  if (!breach) return state.streakStart === null && recent === state.recent ? state : { streakStart, recent, active, clearRun, established, clearedAt };
  const persistence = persisted(rule, t, streakStart!, recent);
  if (persistence === null) return { streakStart, recent, active, clearRun, established, clearedAt };
  return { streakStart, recent, active: true, clearRun: 0, established: established ?? { at: t, outcome, persistence }, clearedAt: null };
}

function persisted(rule: Rule, t: number, streakStart: number, recent: readonly boolean[]): string | null {
  if (rule.breaches) {
    const count = recent.filter(Boolean).length;
    return count >= rule.breaches.count ? `${count} of the last ${recent.length} steps` : null;
  }
  return t - streakStart >= rule.for ? (t === streakStart ? 'breached at one step' : `held ${formatDuration(t - streakStart)} at every step`) : null;
}
