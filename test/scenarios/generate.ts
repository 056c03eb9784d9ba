// The labelled scenario set of the detection benchmark: recordings (DESIGN §3) of healthy and bad deploys from one seed.
import type { Recording } from '../../src/judge/types.js';
import { BAD, HEALTHY, type ScenarioType } from './catalogue.js';
import { Random } from './random.js';
import { randomService, sample } from './service.js';

/** What the benchmark knows about a scenario that the judge does not. */
export interface ScenarioLabel {
  id: string;
  type: string;
  kind: 'healthy' | 'bad';
  rollbackWorthy: boolean;
  /** Series time at which the regression begins; null for healthy deploys. */
  onset: number | null;
  /** Whether the recording has a control group, and throughput. */
  control: boolean;
  throughput: boolean;
}

export interface Scenario {
  label: ScenarioLabel;
  recording: Recording;
}

export interface GenerateOptions {
  seed: number;
  /** Scenarios per healthy type and per bad type. */
  healthyPerType?: number;
  badPerType?: number;
  /** Minutes of history before the deploy and of data after it. */
  historyMinutes?: number;
  afterMinutes?: number;
}

/** 2025-11-20T00:00:00Z; each scenario starts at a different time of day. */
const EPOCH = 1763596800;

/**
 * Every scenario of every type, in a fixed order, from `seed`. A third of them carry a control group (the
 * stable fleet over the same time, same traffic effects, none of the deploy's); some large-traffic ones
 * lack throughput so the count test's fallback is exercised too.
 */
export function generateScenarios(opts: GenerateOptions): Scenario[] {
  const r = new Random(opts.seed);
  const out: Scenario[] = [];
  const plan: Array<[ScenarioType, number]> = [
    ...HEALTHY.map((t): [ScenarioType, number] => [t, opts.healthyPerType ?? 45]),
    ...BAD.map((t): [ScenarioType, number] => [t, opts.badPerType ?? 30]),
  ];
  for (const [type, count] of plan) {
    for (let i = 0; i < count; i++) out.push(scenario(r, type, i, opts));
  }
  return out;
}

function scenario(r: Random, type: ScenarioType, index: number, opts: GenerateOptions): Scenario {
  const base = randomService(r, type.lowTraffic ?? false);
  const story = type.story(r, base);
  const service = { ...base, ...story.service };
  const startedAt = EPOCH + r.int(0, 6 * 24 * 60) * 60;
  const id = `${type.name}-${String(index + 1).padStart(3, '0')}`;
  const withControl = r.next() < 1 / 3;
  const withThroughput = !(type.maybeNoThroughput && r.next() < 0.25);
  const from = -(opts.historyMinutes ?? 60);
  const to = opts.afterMinutes ?? 45;
  const series = sample(service, story.effects, r, startedAt, from, to, withThroughput);
  const recording: Recording = {
    format: 'release-guard/recording@1',
    deploy: { id, service: `svc-${type.name}`, environment: 'production', version: 'v2', previousVersion: 'v1', startedAt },
    series,
  };
  if (withControl) {
    const shared = story.effects.load ? { load: story.effects.load } : {};
    recording.control = sample(service, shared, r, startedAt, from, to, withThroughput);
  }
  const label: ScenarioLabel = {
    id,
    type: type.name,
    kind: type.kind,
    rollbackWorthy: type.rollbackWorthy,
    onset: story.onset === null ? null : startedAt + story.onset * 60,
    control: withControl,
    throughput: withThroughput,
  };
  return { label, recording };
}
