// Build step (scripts/build.ts runs it with node, from a bundle of its own): `node <this> <cli bundle> <profile>
// <work dir> [rules dir]` compiles the CLI bundle without a cache, exercises it as the commands of `profile` would
// (src/cli/code-cache-exercise.ts) and writes that profile's code cache (src/cli/code-cache.ts).
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Deploy, Point } from '../judge/types.js';
import { DemoSource } from '../sources/demo/demo-source.js';
import { DEMO_METRICS } from '../sources/demo/healthy.js';
import type { MetricQuery } from '../sources/types.js';
import { CACHE_PROFILES, loadBundle, writeCodeCache, type CacheProfile } from './code-cache.js';
import type { exerciseForCodeCache } from './code-cache-exercise.js';

/** The demo source's stories recorded for the replay: a healthy deploy and each kind of failure the judge has a check for. */
const STORIES = ['healthy', 'broken-errors', 'slow', 'latency-drift', 'cpu-hog', 'memory-leak', 'blip', 'crash', 'vanish'] as const;

/** 2025-11-20T14:00:00Z; the recordings hold two hours before it and 45 minutes after it, a point a minute. */
const STARTED_AT = 1763647200;
const STEP = 60;

/** A recording of the demo source telling `story` about a deploy of the checkout service, with its control fleet. */
async function demoRecording(story: (typeof STORIES)[number], seed: number): Promise<object> {
  const source = new DemoSource('demo', { type: 'demo', seed, timeScale: 1 });
  const deploy: Deploy = {
    id: `code-cache-${story}`,
    service: 'checkout',
    environment: 'production',
    version: 'v2',
    startedAt: STARTED_AT,
    labels: { demo: story },
  };
  const seriesOf = async (scope: 'deploy' | 'control'): Promise<Record<string, Point[]>> => {
    const series: Record<string, Point[]> = {};
    for (const metric of DEMO_METRICS) {
      const q: MetricQuery = { metric, decl: { unit: '', direction: 'increase' }, deploy, scope, start: STARTED_AT - 7200, end: STARTED_AT + 2700, step: STEP };
      const result = await source.query(q);
      if (result.kind === 'value') series[metric] = result.points;
    }
    return series;
  };
  return { format: 'release-guard/recording@1', deploy, series: await seriesOf('deploy'), control: await seriesOf('control') };
}

const [bundle, profile, work, rulesDir] = process.argv.slice(2);
if (!bundle || !work || !CACHE_PROFILES.includes(profile as CacheProfile)) {
  throw new Error(`usage: code-cache-train <cli bundle> <${CACHE_PROFILES.join('|')}> <work dir> [rules dir]`);
}
const recordings = path.join(work, 'recordings');
await mkdir(recordings, { recursive: true });
for (const [i, story] of STORIES.entries()) await writeFile(path.join(recordings, `${i}-${story}.json`), JSON.stringify(await demoRecording(story, i + 1)));
const loaded = loadBundle<{ exerciseForCodeCache: typeof exerciseForCodeCache }>(bundle, null);
await loaded.exports.exerciseForCodeCache(profile as CacheProfile, recordings, rulesDir ?? null);
writeCodeCache(bundle, profile as CacheProfile, loaded);
