// The scripted release stories of the demo source, chosen per deploy by its `demo` label.
import type { Deploy } from '../../judge/types.js';
import type { DemoMetric, ServiceProfile } from './healthy.js';

/** The deploy label that picks a behaviour: `labels: { demo: "broken-errors" }`. */
export const DEMO_LABEL = 'demo';

/** Every behaviour with what it does after `deploy.startedAt` (printed by the README and `release-guard demo`). */
export const DEMO_BEHAVIOURS = {
  healthy: 'nothing changes; the guard should pass the deploy (the default)',
  'broken-errors': 'error_rate jumps to ~8% from 2 minutes after the deploy',
  outage: 'error_rate ~60% and health 0 from 1 minute after the deploy',
  slow: 'latency_p95 ×3.5 from 3 minutes after the deploy',
  'latency-drift': 'latency_p95 drifts up to +30% over the first 5 minutes, then stays there',
  'cpu-hog': 'cpu climbs to ~85% over the first 5 minutes, then stays there',
  'memory-leak': 'memory starts at 70% and climbs ~1.5% per minute (capped at 99%)',
  blip: 'one single error_rate spike (~15%) at minute 4, then normal; a good guard must NOT roll back',
  'flaky-source': 'metrics stay healthy but queries ending 5–8 minutes after the deploy fail (retryable)',
  crash: 'the release serves nothing from 1 minute after the deploy: throughput 0, no error_rate, latency_p95 or health points, cpu idle',
  vanish: 'every series of the deploy stops 2 minutes after the deploy (the scrape target is gone); the source answers normally',
} as const;
export type DemoBehaviour = keyof typeof DEMO_BEHAVIOURS;

/** `labels: { "demo-rollback": "no-effect" }`: the guard's rollback does not heal the deploy (to see the escalation). */
export const DEMO_ROLLBACK_LABEL = 'demo-rollback';

/** Queries ending in [5 min, 8 min) after the deploy fail under `flaky-source`. */
const FLAKY_FROM = 300;
const FLAKY_UNTIL = 480;
const BLIP_AT = 240;

/** One point's inputs to a behaviour. Effects only run for points after `startedAt` in the `deploy` scope. */
export interface EffectInput {
  metric: DemoMetric;
  /** The healthy value at this point. */
  value: number;
  /** Seconds since deploy.startedAt, > 0. */
  since: number;
  /** Query resolution in seconds (a blip must land on exactly one point at any step). */
  step: number;
  profile: ServiceProfile;
  /** Extra noise in [-1, 1] for this point, independent of the healthy noise. */
  jitter: number;
}

/** The point's value, or null for no point at all (nothing to measure, or nobody reporting). */
type Effect = (i: EffectInput) => number | null;

const CRASH_AT = 60;
const VANISH_AT = 120;

/** 0 → 1 linearly over `seconds`, then 1. */
const ramp = (since: number, seconds: number): number => Math.min(1, since / seconds);

const EFFECTS: Record<DemoBehaviour, Effect> = {
  healthy: (i) => i.value,
  'broken-errors': (i) => (i.metric === 'error_rate' && i.since >= 120 ? 0.08 * (1 + 0.1 * i.jitter) : i.value),
  outage: (i) => {
    if (i.since < 60) return i.value;
    if (i.metric === 'error_rate') return 0.6 * (1 + 0.05 * i.jitter);
    return i.metric === 'health' ? 0 : i.value;
  },
  slow: (i) => (i.metric === 'latency_p95' && i.since >= 180 ? i.value * 3.5 : i.value),
  'latency-drift': (i) => (i.metric === 'latency_p95' ? i.value * (1 + 0.3 * ramp(i.since, 300)) : i.value),
  'cpu-hog': (i) => (i.metric === 'cpu' ? i.value + (0.85 - i.profile.cpu) * ramp(i.since, 300) : i.value),
  'memory-leak': (i) => (i.metric === 'memory' ? Math.min(0.99, 0.7 + (0.015 * i.since) / 60 + 0.003 * i.jitter) : i.value),
  blip: (i) => {
    const isBlipPoint = i.since >= BLIP_AT && i.since - i.step < BLIP_AT;
    return i.metric === 'error_rate' && isBlipPoint ? 0.15 * (1 + 0.05 * i.jitter) : i.value;
  },
  'flaky-source': (i) => i.value,
  crash: (i) => {
    if (i.since < CRASH_AT) return i.value;
    if (i.metric === 'throughput') return 0;
    if (i.metric === 'cpu') return 0.01;
    return i.metric === 'memory' ? i.value : null;
  },
  vanish: (i) => (i.since < VANISH_AT ? i.value : null),
};

/** The behaviour a deploy asked for; a missing or unknown label is `healthy` (never an error). */
export function behaviourOf(deploy: Deploy): DemoBehaviour {
  const label = deploy.labels?.[DEMO_LABEL];
  return label !== undefined && Object.hasOwn(DEMO_BEHAVIOURS, label) ? (label as DemoBehaviour) : 'healthy';
}

/** Applies `behaviour` to one post-deploy point; null: the series has no point there. */
export function applyBehaviour(behaviour: DemoBehaviour, input: EffectInput): number | null {
  return EFFECTS[behaviour](input);
}

/** Whether a `flaky-source` deploy's source is "down" for a query ending at `end`. */
export function isSimulatedOutage(behaviour: DemoBehaviour, deploy: Deploy, end: number): boolean {
  const since = end - deploy.startedAt;
  return behaviour === 'flaky-source' && since >= FLAKY_FROM && since < FLAKY_UNTIL;
}
