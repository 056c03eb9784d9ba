// A simulated service for the scenario generator: base levels, noise, and how each metric is sampled per minute.
import type { Point, SeriesSet } from '../../src/judge/types.js';
import type { Random } from './random.js';

/** Base levels and noise of one simulated service (DESIGN §2 units). */
export interface Service {
  /** Mean requests per second before any load effect. */
  throughput: number;
  /** Error rate, and the lognormal sigma of its minute-to-minute wander (beyond Poisson counting noise). */
  errorRate: number;
  errorSigma: number;
  /** p95 latency (ms), its lognormal noise, and its sensitivity to load (fractional rise per doubling). */
  latency: number;
  latencyCv: number;
  latencyLoad: number;
  /** cpu = idle + perLoad x load multiplier. */
  cpuIdle: number;
  cpuPerLoad: number;
  cpuSd: number;
  memory: number;
  memorySd: number;
  /** Slow healthy wander of memory (GC, caches): amplitude (fraction of the limit) and period (minutes). */
  memoryWander: number;
  memoryPeriod: number;
  memoryPhase: number;
  /** Daily traffic swing (fraction) and the hour of its peak. */
  diurnalAmplitude: number;
  peakHour: number;
  /**
   * Healthy error bursts (overdispersed counts): each minute outside a burst starts one with this chance; a burst
   * lasts 1..maxLength minutes and multiplies the error rate by factor. Before and after the deploy alike.
   */
  errorBursts?: { chance: number; factor: number; maxLength: number };
}

/** Effects on one minute's values; `m` is minutes since the deploy (the point at m covers (m-1, m]). */
export interface Effects {
  /** Multiplies traffic for the deployed service and its control group alike (surges). */
  load?: (m: number) => number;
  errorRate?: (m: number, rate: number) => number;
  latency?: (m: number, value: number) => number;
  cpu?: (m: number, value: number) => number;
  memory?: (m: number, value: number) => number;
  /** Multiplies the deployed service's own traffic only (an outage turning requests away). */
  ownLoad?: (m: number) => number;
  /** The service reports nothing for this minute (its scrape target is gone): no point in any series. */
  vanished?: (m: number) => boolean;
}

/** A random service; `lowTraffic` draws 0.2-3 req/s instead of 3-800. */
export function randomService(r: Random, lowTraffic: boolean): Service {
  const cpuBase = r.uniform(0.15, 0.55);
  const cpuIdle = cpuBase * r.uniform(0.15, 0.4);
  return {
    throughput: lowTraffic ? r.logUniform(0.2, 3) : r.logUniform(3, 800),
    errorRate: r.logUniform(0.0002, 0.008),
    errorSigma: r.uniform(0.05, 0.5),
    latency: r.logUniform(30, 900),
    latencyCv: r.uniform(0.02, 0.15),
    latencyLoad: r.uniform(0, 0.1),
    cpuIdle,
    cpuPerLoad: cpuBase - cpuIdle,
    cpuSd: r.uniform(0.003, 0.03),
    memory: r.uniform(0.25, 0.7),
    memorySd: r.uniform(0.001, 0.01),
    memoryWander: r.uniform(0, 0.03),
    memoryPeriod: r.uniform(90, 240),
    memoryPhase: r.uniform(0, 1),
    diurnalAmplitude: r.uniform(0, 0.15),
    peakHour: r.uniform(0, 24),
  };
}

/** Traffic multiplier of the daily cycle at Unix time t. */
export function diurnal(s: Service, t: number): number {
  return 1 + s.diurnalAmplitude * Math.cos((2 * Math.PI * (t / 3600 - s.peakHour)) / 24);
}

const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));

/**
 * One series set, a point a minute for minutes [from, to] relative to `startedAt`. Error rates come from
 * Poisson error counts out of Poisson request counts, so low traffic is as noisy as it is in production;
 * p95 latency gets sampling noise that grows as requests per minute shrink.
 */
export function sample(s: Service, fx: Effects, r: Random, startedAt: number, from: number, to: number, withThroughput: boolean): SeriesSet {
  const series: Record<string, Point[]> = { error_rate: [], latency_p95: [], cpu: [], memory: [], throughput: [] };
  const drift = r.normal() * s.memorySd * 2;
  let burstLeft = 0;
  for (let m = from; m <= to; m++) {
    const t = startedAt + m * 60;
    const load = diurnal(s, t) * (fx.load?.(m) ?? 1);
    const own = load * (fx.ownLoad?.(m) ?? 1);
    const requests = r.poisson(s.throughput * own * 60);
    const rate = clamp(s.errorRate * Math.exp(s.errorSigma * r.normal() - (s.errorSigma * s.errorSigma) / 2), 0, 1);
    // Randomness for bursts is drawn only for services that have them, so other scenarios stay as they were.
    if (s.errorBursts && burstLeft === 0 && r.next() < s.errorBursts.chance) burstLeft = r.int(1, s.errorBursts.maxLength);
    const bursting = burstLeft > 0 ? s.errorBursts!.factor : 1;
    if (burstLeft > 0) burstLeft--;
    const p = clamp(fx.errorRate?.(m, rate * bursting) ?? rate * bursting, 0, 1);
    const errors = Math.min(requests, r.poisson(requests * p));
    const samplingCv = 1.2 / Math.sqrt(Math.max(requests, 1));
    const cv = Math.sqrt(s.latencyCv ** 2 + samplingCv ** 2);
    const latency = s.latency * (1 + s.latencyLoad * Math.log2(Math.max(load, 0.1))) * Math.exp(cv * r.normal());
    const cpu = s.cpuIdle + s.cpuPerLoad * own + s.cpuSd * r.normal();
    const wander = s.memoryWander * Math.sin(2 * Math.PI * (t / 60 / s.memoryPeriod + s.memoryPhase));
    const memory = s.memory + wander + drift * (m / 60) + s.memorySd * r.normal();
    if (fx.vanished?.(m)) continue;
    // No requests, no error rate and no latency percentile: those series have no point that minute.
    if (requests > 0) series.error_rate!.push([t, round(errors / requests, 6)]);
    if (requests > 0) series.latency_p95!.push([t, round(Math.max(1, fx.latency?.(m, latency) ?? latency), 1)]);
    series.cpu!.push([t, round(clamp(fx.cpu?.(m, cpu) ?? cpu, 0, 1), 4)]);
    series.memory!.push([t, round(clamp(fx.memory?.(m, memory) ?? memory, 0, 1), 4)]);
    series.throughput!.push([t, round(requests / 60, 3)]);
  }
  if (!withThroughput) delete series.throughput;
  // Scrapes go missing now and then: drop about 1% of points.
  for (const points of Object.values(series)) {
    for (let i = points.length - 1; i >= 0; i--) if (r.next() < 0.01) points.splice(i, 1);
  }
  return series;
}

function round(x: number, digits: number): number {
  return Number(x.toFixed(digits));
}

/** 0 before onset, 1 a minute after it, the covered fraction in between (a point covers (m-1, m]). */
export function after(m: number, onset: number): number {
  return clamp(m - onset, 0, 1);
}
