// Judge benchmark (`npm run bench:judge`): the incremental judge (JudgeSession) beside the from-scratch judge() in the
// same run — per-tick cost with a 24 h baseline at step 1, 30, 60 and 120, and replay of 500 recordings beside reading
// and parsing them — and a check that both give the same judgement at every step of every benchmark scenario.
// --quick: skip the every-scenario check (it judges every step of ~1,800 watches from scratch, O(steps²)).
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import { recordingObservations, runReplay } from '../src/cli/replay.js';
import { judge } from '../src/judge/judge.js';
import { JudgeSession } from '../src/judge/session.js';
import type { Deploy, Observations, Point, SeriesSet } from '../src/judge/types.js';
import { loadRules, resolveRules } from '../src/rules/index.js';
import type { RuleSet } from '../src/rules/schema.js';
import { FIXED_THRESHOLD_RULES } from '../test/scenarios/fixed-threshold.js';
import { generateScenarios } from '../test/scenarios/generate.js';
import { markdown } from './format.js';

const { values: args } = parseArgs({ options: { quick: { type: 'boolean', default: false }, reps: { type: 'string', default: '15' } } });
const ROOT = new URL('..', import.meta.url).pathname;
const REPS = Number(args.reps);
const STEPS = [1, 30, 60, 120];
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (x: number): string => (x >= 100 ? `${x.toFixed(0)} ms` : x >= 10 ? `${x.toFixed(1)} ms` : `${x.toFixed(2)} ms`);

/** Every point at or before `now`: what the live watcher has stored by then. */
function upTo(obs: Observations, now: number): Observations {
  const cut = (set: SeriesSet): SeriesSet => Object.fromEntries(Object.entries(set).map(([m, points]) => [m, points.filter((p) => p[0] <= now)]));
  return { ...obs, series: cut(obs.series), ...(obs.control ? { control: cut(obs.control) } : {}) };
}

/** Points every `every` seconds from minute points (each minute's value, a little noise in between). */
function densify(points: readonly Point[], every: number): Point[] {
  const out: Point[] = [];
  for (const [t, v] of points) for (let s = 0; s < 60; s += every) out.push([t + s, s === 0 ? v : v * (1 + 0.01 * Math.sin(t + s))]);
  return out;
}

/**
 * A healthy scenario with 24 hours of history before the deploy and 130 minutes after it, under the shipped rules
 * with a 24 h pre-deploy baseline and a two-hour window (so 120 steps exist), at one point a minute or every 15 s.
 */
async function dayBaseline(every: 60 | 15): Promise<{ rules: RuleSet; deploy: Deploy; obs: Observations }> {
  const scenario = generateScenarios({ seed: 20251120, healthyPerType: 1, badPerType: 0, historyMinutes: 24 * 60, afterMinutes: 130 })[0]!;
  const { deploy } = scenario.recording;
  const shipped = resolveRules(await loadRules(join(ROOT, 'rules')), deploy);
  const rules: RuleSet = { ...shipped, window: 2 * 3600, baseline: { ...shipped.baseline, duration: 24 * 3600 } };
  const obs = recordingObservations(scenario.recording);
  if (every !== 60) {
    obs.series = Object.fromEntries(Object.entries(obs.series).map(([m, p]) => [m, densify(p, every)]));
    if (obs.control) obs.control = Object.fromEntries(Object.entries(obs.control).map(([m, p]) => [m, densify(p, every)]));
  }
  return { rules, deploy, obs };
}

interface TickRow {
  every: number;
  step: number;
  session: number;
  scratch: number;
}

/** Median cost of the tick at `step`: a session that judged steps 1..step-1 before, and judge() from scratch. */
function tickCost(rules: RuleSet, deploy: Deploy, obs: Observations, step: number): { session: number; scratch: number } {
  const at = (k: number): number => deploy.startedAt + k * rules.interval;
  const seen = Array.from({ length: step + 1 }, (_, k) => upTo(obs, at(k)));
  const session: number[] = [];
  const scratch: number[] = [];
  for (let r = 0; r < REPS; r++) {
    const s = new JudgeSession(rules, deploy);
    for (let k = 1; k < step; k++) s.judgeAt(seen[k]!, at(k));
    let t0 = performance.now();
    const incremental = s.judgeAt(seen[step]!, at(step));
    session.push(performance.now() - t0);
    t0 = performance.now();
    const reference = judge(rules, deploy, seen[step]!, at(step));
    scratch.push(performance.now() - t0);
    if (!isDeepStrictEqual(incremental, reference)) throw new Error(`session and judge() differ at step ${step}`);
  }
  return { session: median(session), scratch: median(scratch) };
}

async function perTick(): Promise<TickRow[]> {
  const rows: TickRow[] = [];
  for (const every of [60, 15] as const) {
    const { rules, deploy, obs } = await dayBaseline(every);
    tickCost(rules, deploy, obs, 30); // warm-up (JIT)
    for (const step of STEPS) rows.push({ every, step, ...tickCost(rules, deploy, obs, step) });
  }
  return rows;
}

/** Replay (in process: the judge's share, without the CLI's start-up) of 500 recordings beside reading and parsing them. */
async function replay(work: string): Promise<{ count: number; replay: number; floor: number; scratch: number }> {
  const dir = join(work, 'recordings');
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const scenarios = generateScenarios({ seed: 20251120, healthyPerType: 30, badPerType: 30 }).slice(0, 500);
  await Promise.all(scenarios.map((s, i) => writeFile(join(dir, `${String(i).padStart(3, '0')}.json`), JSON.stringify(s.recording))));
  const files = (await readdir(dir)).sort();
  const rulesDir = join(ROOT, 'rules');
  const floors: number[] = [];
  const replays: number[] = [];
  const scratches: number[] = [];
  const loaded = await loadRules(rulesDir);
  for (let round = 0; round < 3; round++) {
    let t0 = performance.now();
    let n = 0;
    for (const f of files) n += Object.keys((JSON.parse(await readFile(join(dir, f), 'utf8')) as { series: object }).series).length;
    if (n === 0) throw new Error('no series read');
    floors.push(performance.now() - t0);
    t0 = performance.now();
    const code = await runReplay([dir], { rulesDir, err: new PassThrough() }, new PassThrough().resume());
    if (code !== 0) throw new Error(`replay exited ${code}`);
    replays.push(performance.now() - t0);
    // The same judgements with judge() from scratch, for reference (reading and parsing included).
    t0 = performance.now();
    for (const f of files) {
      const recording = JSON.parse(await readFile(join(dir, f), 'utf8')) as Parameters<typeof recordingObservations>[0];
      const rules = resolveRules(loaded, recording.deploy);
      judge(rules, recording.deploy, recordingObservations(recording), recording.deploy.startedAt + rules.window + rules.minEvidence.extend);
    }
    scratches.push(performance.now() - t0);
  }
  return { count: files.length, replay: median(replays), floor: median(floors), scratch: median(scratches) };
}

/** Every benchmark scenario (bench/detection.ts's set) under its three rule sets: session and judge() at every step. */
async function sameEverywhere(work: string): Promise<{ scenarios: number; steps: number }> {
  const fixed = join(work, 'fixed-rules');
  await mkdir(fixed, { recursive: true });
  await writeFile(join(fixed, 'default.yaml'), FIXED_THRESHOLD_RULES);
  const scenarios = generateScenarios({ seed: 20251120, healthyPerType: 45, badPerType: 30 });
  let steps = 0;
  for (const dir of [join(ROOT, 'rules'), join(ROOT, 'bench/rules-v1'), fixed]) {
    const loaded = await loadRules(dir);
    for (const s of scenarios) {
      const { deploy } = s.recording;
      const rules = resolveRules(loaded, deploy);
      const obs = recordingObservations(s.recording);
      const session = new JudgeSession(rules, deploy);
      for (let now = deploy.startedAt; now <= deploy.startedAt + rules.window + rules.minEvidence.extend + rules.interval; now += rules.interval) {
        const seen = upTo(obs, now);
        if (!isDeepStrictEqual(session.judgeAt(seen, now), judge(rules, deploy, seen, now))) {
          throw new Error(`incremental and from-scratch judgements differ: ${s.label.id} under ${dir} at ${now - deploy.startedAt}s`);
        }
        steps++;
      }
    }
  }
  return { scenarios: scenarios.length, steps };
}

async function main(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'rg-judge-bench-'));
  try {
    const ticks = await perTick();
    const rows = ticks.map((r) => [
      `tick at step ${r.step}, 24 h baseline, ${r.every === 60 ? '1-minute' : '15 s'} data`,
      ms(r.session),
      ms(r.scratch),
      `${(r.scratch / r.session).toFixed(1)}× faster`,
      r.step === 1 ? '≤ 5 ms' : `≤ 5 ms; ${(r.session / ticks.find((x) => x.every === r.every && x.step === 1)!.session).toFixed(1)}× step 1's`,
    ]);
    const rp = await replay(work);
    rows.push([
      `replay of ${rp.count} recordings, in process`,
      ms(rp.replay),
      `read + JSON.parse: ${ms(rp.floor)}`,
      `${(rp.replay / rp.floor).toFixed(1)}× the floor`,
      '≤ 4×',
    ]);
    rows.push([
      `judge() from scratch on the same ${rp.count}, in process`,
      ms(rp.scratch),
      `read + JSON.parse: ${ms(rp.floor)}`,
      `${(rp.scratch / rp.floor).toFixed(1)}× the floor`,
      'reference',
    ]);
    process.stdout.write(`\nJudge: incremental session beside judge() from scratch (medians of ${REPS} runs a tick, 3 replay rounds)\n\n`);
    process.stdout.write(`${markdown([['what', 'incremental (JudgeSession)', 'reference (same run)', 'ratio', 'target'], ...rows])}\n`);
    if (!args.quick) {
      const same = await sameEverywhere(work);
      process.stdout.write(
        `\nSame judgement incrementally and from scratch at all ${same.steps} steps of the ${same.scenarios} benchmark scenarios under rules/, bench/rules-v1 and the fixed-threshold rules.\n`,
      );
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

await main();
