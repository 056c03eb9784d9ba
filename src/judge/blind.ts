// Blind spots become findings: the guard says it could not see a metric instead of guessing about it.
import type { BlindSpot, Finding } from './types.js';

/** Rule-name prefix of blind findings (they come from the sources, not from a rule file); one per metric: `source-blind:<metric>`. */
export const BLIND_RULE = 'source-blind';

/** The condition of a blind finding whose source answered with no data (not an error: the source could see). */
export const BLIND_NO_DATA = 'source returned no data';

/**
 * One `kind: 'blind'` P3 finding per metric for the blind spots at or before `upTo`, established at the
 * metric's first blind spot. Blind findings never roll back and never fail a verdict (DESIGN §5).
 */
export function blindFindings(blind: readonly BlindSpot[], upTo: number): Finding[] {
  const byMetric = new Map<string, BlindSpot[]>();
  const seen = blind.filter((b) => b.at <= upTo).sort((a, b) => a.at - b.at);
  for (const spot of seen) byMetric.set(spot.metric, [...(byMetric.get(spot.metric) ?? []), spot]);
  return [...byMetric.values()].map((spots) => blindFinding(spots));
}

function blindFinding(spots: readonly BlindSpot[]): Finding {
  const first = spots[0]!;
  const message = first.message || 'source error';
  const condition = first.kind === 'no-data' ? BLIND_NO_DATA : message;
  const steps = spots.length === 1 ? '1 step' : `${spots.length} steps`;
  const what = first.kind === 'no-data' ? 'returned no data' : `failed (${message})`;
  return {
    rule: `${BLIND_RULE}:${first.metric}`,
    metric: first.metric,
    severity: 'P3',
    at: first.at,
    observed: null,
    baseline: null,
    condition,
    kind: 'blind',
    summary: `${first.metric} unknown: the metric source ${what} at ${steps}`,
  };
}
