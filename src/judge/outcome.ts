// What a rule saw at one step: the outcome kinds the step checks give and persistence reads.
import type { BaselineSample } from './baseline.js';
import type { TestEvidence } from './types.js';

/** What a rule saw at a step. A gap (no point in the step's interval) is neither a breach nor a clear step. */
export type StepOutcome =
  | {
      kind: 'breach';
      observed: number | null;
      baseline: BaselineSample | null;
      test: TestEvidence | null;
      points: number;
      slope?: number;
      note?: string;
      summary?: string;
    }
  | { kind: 'clear' }
  | { kind: 'gap' };

/**
 * The outcomes without data, one object each for every check (most steps are clear; nothing changes an outcome): one
 * shape, so the code that reads outcomes meets one kind of clear and gap object, not a new one per check.
 */
export const CLEAR: Readonly<{ kind: 'clear' }> = Object.freeze({ kind: 'clear' });
export const GAP: Readonly<{ kind: 'gap' }> = Object.freeze({ kind: 'gap' });

/** A breach: what the step observed, against what, with which test. */
export type Breach = Extract<StepOutcome, { kind: 'breach' }>;

/**
 * A breach with every key present (undefined where it does not apply), whichever check found it: one shape for all
 * breaches, as for the clear and gap objects above.
 */
export function breachOutcome(b: Omit<Breach, 'kind'>): Breach {
  return { kind: 'breach', observed: b.observed, baseline: b.baseline, test: b.test, points: b.points, slope: b.slope, note: b.note, summary: b.summary };
}
