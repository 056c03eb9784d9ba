// The labelled scenario types: healthy deploys that must not be rolled back, and regressions that must be caught.
import type { Random } from './random.js';
import { after, type Effects, type Service } from './service.js';

/** What a scenario type produces for one random draw. */
export interface Story {
  effects: Effects;
  /** Minutes after the deploy at which the regression begins; null for healthy deploys. */
  onset: number | null;
  /** Overrides of the random service (e.g. low traffic). */
  service?: Partial<Service>;
}

export interface ScenarioType {
  name: string;
  kind: 'healthy' | 'bad';
  /** Per the seeds: outage, error spike > 5x baseline and > 1%, latency +200% call for a rollback. */
  rollbackWorthy: boolean;
  lowTraffic?: boolean;
  /** Drop the throughput series from some scenarios (the count test must then fall back). */
  maybeNoThroughput?: boolean;
  story(r: Random, s: Service): Story;
}

const mix = (a: number, b: number, f: number): number => a + (b - a) * f;
/** A start-up effect decaying from `peak` (extra fraction) with time constant tau minutes. */
const decay = (m: number, peak: number, tau: number): number => (m <= 0 ? 0 : peak * Math.exp(-(m - 1) / tau));

export const HEALTHY: ScenarioType[] = [
  { name: 'steady', kind: 'healthy', rollbackWorthy: false, maybeNoThroughput: true, story: () => ({ effects: {}, onset: null }) },
  {
    name: 'diurnal',
    kind: 'healthy',
    rollbackWorthy: false,
    // Deployed on the steep side of a strong daily cycle: traffic moves ±30% within the window.
    story: (r) => ({ effects: {}, onset: null, service: { diurnalAmplitude: r.uniform(0.3, 0.6) } }),
  },
  { name: 'low-traffic', kind: 'healthy', rollbackWorthy: false, lowTraffic: true, story: () => ({ effects: {}, onset: null }) },
  {
    name: 'one-point-blip',
    kind: 'healthy',
    rollbackWorthy: false,
    story: (r) => {
      const at = r.int(2, 29);
      const what = r.pick(['errors', 'latency', 'cpu'] as const);
      const size = r.uniform(0, 1);
      const effects: Effects =
        what === 'errors'
          ? { errorRate: (m, v) => (m === at ? Math.max(v, mix(0.03, 0.4, size)) : v) }
          : what === 'latency'
            ? { latency: (m, v) => (m === at ? v * mix(2, 6, size) : v) }
            : { cpu: (m, v) => (m === at ? Math.min(1, v + mix(0.2, 0.5, size)) : v) };
      return { effects, onset: null };
    },
  },
  {
    name: 'warm-up',
    kind: 'healthy',
    rollbackWorthy: false,
    // Post-restart JIT / connection-pool warm-up: CPU and latency start high and settle within minutes.
    story: (r) => {
      const cpuPeak = r.uniform(0.15, 0.4);
      const latPeak = r.uniform(0.5, 2.5);
      const tau = r.uniform(0.7, 2);
      return {
        effects: {
          cpu: (m, v) => Math.min(1, v + decay(m, cpuPeak, tau)),
          latency: (m, v) => v * (1 + decay(m, latPeak, tau)),
          errorRate: (m, v) => v * (1 + decay(m, 1, tau)),
        },
        onset: null,
      };
    },
  },
  {
    name: 'cache-fill',
    kind: 'healthy',
    rollbackWorthy: false,
    // Cold caches: latency up 20-60% decaying over minutes, memory refilling from below its usual level.
    story: (r, s) => {
      const latPeak = r.uniform(0.2, 0.6);
      const tau = r.uniform(1.5, 4);
      const dip = s.memory * r.uniform(0.1, 0.3);
      const fill = r.uniform(5, 15);
      return {
        effects: {
          latency: (m, v) => v * (1 + decay(m, latPeak, tau)),
          memory: (m, v) => (m <= 0 ? v : v - dip * Math.max(0, 1 - m / fill)),
          cpu: (m, v) => Math.min(1, v + decay(m, 0.08, tau)),
        },
        onset: null,
      };
    },
  },
  {
    name: 'traffic-surge',
    kind: 'healthy',
    rollbackWorthy: false,
    // Marketing email, retry storm upstream: traffic x1.5-3 ramping in over minutes, CPU and latency follow load.
    story: (r) => {
      const start = r.uniform(-5, 20);
      const factor = r.uniform(1.5, 3);
      const ramp = r.uniform(1, 5);
      const length = r.uniform(8, 40);
      const level = (m: number): number => {
        if (m < start || m > start + length) return 1;
        return 1 + (factor - 1) * Math.min(1, (m - start) / ramp);
      };
      return { effects: { load: level }, onset: null };
    },
  },
  {
    name: 'memory-levels-off',
    kind: 'healthy',
    rollbackWorthy: false,
    // Caches, pools and JIT after a restart: memory climbs by 4-20% of its limit within minutes, then stays flat
    // well below 80%. Linear ramps, exponential approaches, S-curves and a jump followed by a short creep.
    story: (r, s) => {
      const height = r.uniform(0.04, 0.2);
      const start = r.uniform(0, 3);
      const shape = r.pick(['linear', 'exponential', 'logistic', 'jump-creep'] as const);
      const length = r.uniform(2, 12);
      const tau = r.uniform(1, 5);
      const rise = (m: number): number => {
        const x = Math.max(0, m - start);
        switch (shape) {
          case 'linear':
            return Math.min(1, x / length);
          case 'exponential':
            return 1 - Math.exp(-x / tau);
          case 'logistic':
            return x <= 0 ? 0 : 1 / (1 + Math.exp(-(x - length / 2) / (length / 8)));
          case 'jump-creep':
            return x <= 0 ? 0 : 0.5 + 0.5 * Math.min(1, x / length);
        }
      };
      return { effects: { memory: (m, v) => v + height * rise(m) }, onset: null, service: { memory: Math.min(s.memory, 0.72 - height) } };
    },
  },
  {
    name: 'bursty-errors',
    kind: 'healthy',
    rollbackWorthy: false,
    // Errors that come in bursts of a minute or three (a flaky dependency, batch clients), before and after the
    // deploy alike: error counts far more dispersed than Poisson.
    story: (r) => ({
      effects: {},
      onset: null,
      service: { errorSigma: r.uniform(0.3, 1), errorBursts: { chance: r.uniform(0.03, 0.12), factor: r.uniform(3, 8), maxLength: r.int(1, 3) } },
    }),
  },
];

/** An error rate for a rollback-worthy spike: > 5x baseline and > 1%, with margin. */
function spikeRate(r: Random, s: Service, lo: number, hi: number): number {
  return Math.max(s.errorRate * r.uniform(lo, hi), r.uniform(0.015, 0.05));
}

const errorsFrom =
  (onset: number, rate: number) =>
  (m: number, v: number): number =>
    mix(v, Math.max(v, rate), after(m, onset));

export const BAD: ScenarioType[] = [
  {
    name: 'outage',
    kind: 'bad',
    rollbackWorthy: true,
    story: (r) => {
      const onset = r.uniform(0, 3);
      const rate = r.uniform(0.3, 1);
      const turnedAway = r.next() < 0.4 ? r.uniform(0.3, 0.9) : 0;
      return { effects: { errorRate: errorsFrom(onset, rate), ownLoad: (m) => 1 - turnedAway * after(m, onset) }, onset };
    },
  },
  {
    name: 'error-spike-large',
    kind: 'bad',
    rollbackWorthy: true,
    maybeNoThroughput: true,
    story: (r, s) => {
      const onset = r.uniform(0, 5);
      return { effects: { errorRate: errorsFrom(onset, Math.max(spikeRate(r, s, 12, 40), 0.05)) }, onset };
    },
  },
  {
    name: 'error-spike-medium',
    kind: 'bad',
    rollbackWorthy: true,
    story: (r, s) => {
      const onset = r.uniform(0, 5);
      return { effects: { errorRate: errorsFrom(onset, spikeRate(r, s, 6, 12)) }, onset };
    },
  },
  {
    name: 'error-regression-mild',
    kind: 'bad',
    rollbackWorthy: false,
    // Above the 1% alert line of seeds/004 but under 5x baseline: alert, no automatic rollback.
    story: (r) => {
      const onset = r.uniform(0, 5);
      const base = r.uniform(0.004, 0.008);
      const rate = Math.max(0.014, base * r.uniform(2.5, 4.5));
      return { effects: { errorRate: errorsFrom(onset, rate) }, onset, service: { errorRate: base } };
    },
  },
  {
    name: 'late-onset-errors',
    kind: 'bad',
    rollbackWorthy: true,
    story: (r, s) => {
      const onset = r.uniform(10, 24);
      return { effects: { errorRate: errorsFrom(onset, spikeRate(r, s, 6, 30)) }, onset };
    },
  },
  {
    name: 'low-traffic-errors',
    kind: 'bad',
    rollbackWorthy: true,
    lowTraffic: true,
    story: (r, s) => {
      const onset = r.uniform(0, 5);
      return {
        effects: { errorRate: errorsFrom(onset, Math.max(spikeRate(r, s, 10, 30), r.uniform(0.04, 0.15))) },
        onset,
        service: { throughput: r.logUniform(0.5, 3) },
      };
    },
  },
  {
    name: 'latency-large',
    kind: 'bad',
    rollbackWorthy: true,
    story: (r) => {
      const onset = r.uniform(0, 5);
      const factor = r.uniform(3.3, 6);
      return { effects: { latency: (m, v) => v * mix(1, factor, after(m, onset)) }, onset };
    },
  },
  {
    name: 'latency-medium',
    kind: 'bad',
    rollbackWorthy: false,
    story: (r) => {
      const onset = r.uniform(0, 8);
      const factor = r.uniform(1.8, 2.8);
      return { effects: { latency: (m, v) => v * mix(1, factor, after(m, onset)) }, onset };
    },
  },
  {
    name: 'latency-small',
    kind: 'bad',
    rollbackWorthy: false,
    story: (r) => {
      const onset = r.uniform(0, 8);
      const factor = r.uniform(1.5, 1.8);
      return { effects: { latency: (m, v) => v * mix(1, factor, after(m, onset)) }, onset };
    },
  },
  {
    name: 'cpu-regression',
    kind: 'bad',
    rollbackWorthy: false,
    // Each request costs 40-100% more CPU.
    story: (r, s) => {
      const onset = r.uniform(0, 5);
      const extra = s.cpuPerLoad * r.uniform(0.4, 1);
      return { effects: { cpu: (m, v) => Math.min(1, v + extra * after(m, onset)) }, onset };
    },
  },
  {
    name: 'memory-leak',
    kind: 'bad',
    rollbackWorthy: false,
    // Grows 0.5-2% of the limit a minute until the limit.
    story: (r) => {
      const onset = r.uniform(0, 5);
      const perMinute = r.uniform(0.005, 0.02);
      return { effects: { memory: (m, v) => Math.min(1, v + perMinute * Math.max(0, m - onset)) }, onset };
    },
  },
  {
    name: 'crash',
    kind: 'bad',
    rollbackWorthy: true,
    // The release serves nothing: throughput falls to zero (or to a trickle of health checks) and the error rate
    // and latency have no points, for lack of requests. Mostly at start-up, sometimes later (a crash loop).
    story: (r) => {
      const onset = r.next() < 0.7 ? r.uniform(0, 3) : r.uniform(3, 25);
      const trickle = r.next() < 0.3 ? r.uniform(0.002, 0.02) : 0;
      return { effects: { ownLoad: (m) => 1 - (1 - trickle) * after(m, onset) }, onset };
    },
  },
  {
    name: 'vanish',
    kind: 'bad',
    rollbackWorthy: true,
    maybeNoThroughput: true,
    // The scrape target is gone: every series of the service stops, while the metric source answers normally.
    story: (r) => {
      const onset = r.next() < 0.7 ? r.uniform(0, 3) : r.uniform(3, 25);
      return { effects: { vanished: (m) => m > onset }, onset };
    },
  },
];
