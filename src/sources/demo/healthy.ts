// What a healthy service looks like in the demo source: per-service base levels plus bounded, seeded noise.
import { fnv, FNV_OFFSET, fnvNumber, noiseOf, smoothNoiseOf, uniformOf } from './noise.js';

/** The series the demo source serves: the five canonical metrics and the custom `health` gauge (1 = up). */
export const DEMO_METRICS = ['error_rate', 'latency_p95', 'cpu', 'memory', 'throughput', 'health'] as const;
export type DemoMetric = (typeof DEMO_METRICS)[number];

/** Decimals kept per metric, so exported recordings stay readable. */
const DECIMALS: Record<DemoMetric, number> = {
  error_rate: 6,
  latency_p95: 1,
  cpu: 4,
  memory: 4,
  throughput: 2,
  health: 0,
};

/** Base levels of one service, derived from a hash of its name so each service looks a little different. */
export interface ServiceProfile {
  error_rate: number;
  latency_p95: number;
  cpu: number;
  memory: number;
  throughput: number;
}

/** Plausible base-level ranges (DESIGN §2 units: fractions, ms, req/s). */
const RANGES: Record<keyof ServiceProfile, [number, number]> = {
  error_rate: [0.001, 0.005],
  latency_p95: [120, 250],
  cpu: [0.25, 0.45],
  memory: [0.4, 0.6],
  throughput: [20, 200],
};

const DAY = 86_400;
/** Traffic peaks at 14:00 UTC and bottoms out at 02:00 UTC, ±20%. */
const PEAK_SECOND = 14 * 3600;
const DIURNAL_AMPLITUDE = 0.2;

export function isDemoMetric(name: string): name is DemoMetric {
  return (DEMO_METRICS as readonly string[]).includes(name);
}

/** Base levels for `service`; independent of seed and deploy, so every deploy of a service starts alike. */
export function serviceProfile(service: string): ServiceProfile {
  const h = fnv(fnv(fnv(FNV_OFFSET, 'profile|'), service), '|');
  const level = (metric: keyof ServiceProfile): number => {
    const [lo, hi] = RANGES[metric];
    return lo + uniformOf(fnv(h, metric)) * (hi - lo); // uniform(`profile|${service}|${metric}`)
  };
  return {
    error_rate: level('error_rate'),
    latency_p95: level('latency_p95'),
    cpu: level('cpu'),
    memory: level('memory'),
    throughput: level('throughput'),
  };
}

/** The traffic multiplier at series time `t` (Unix seconds): 0.8 at night, 1.2 at the afternoon peak. */
export function diurnal(t: number): number {
  return 1 + DIURNAL_AMPLITUDE * Math.cos((2 * Math.PI * ((t % DAY) - PEAK_SECOND)) / DAY);
}

/** The FNV-1a state of the key `${key}|${t}` of a series' point, from the state of the series key (fnv(FNV_OFFSET, key)). */
export function pointKey(seriesKey: number, t: number): number {
  return fnvNumber(fnv(seriesKey, '|'), t);
}

/**
 * The healthy value of `metric` at series time `t`. `seriesKey` is the FNV-1a state of the key that identifies the
 * series (seed, deploy, scope, metric), so that noise depends only on (key, t).
 */
export function healthyValue(metric: DemoMetric, profile: ServiceProfile, seriesKey: number, t: number): number {
  const n = noiseOf(pointKey(seriesKey, t)); // noise(`${key}|${t}`)
  switch (metric) {
    case 'error_rate':
      return profile.error_rate * (1 + 0.2 * n);
    case 'latency_p95':
      return profile.latency_p95 * (1 + 0.06 * n);
    case 'cpu':
      return profile.cpu + 0.02 * n;
    case 'memory':
      return profile.memory + 0.03 * smoothNoiseOf(seriesKey, t, 1800) + 0.003 * n;
    case 'throughput':
      return profile.throughput * diurnal(t) * (1 + 0.05 * n);
    case 'health':
      return 1;
  }
}

/** Rounds to the metric's display precision. */
export function roundFor(metric: DemoMetric, value: number): number {
  const scale = 10 ** DECIMALS[metric];
  return Math.round(value * scale) / scale;
}
