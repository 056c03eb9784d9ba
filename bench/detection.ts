// Detection benchmark (`npm run bench:detection`): replays the labelled scenario set under release-guard's rules
// and under a fixed-threshold judge, and prints recall, false rollbacks/alerts and time to rollback for both.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { parseArgs } from 'node:util';
import { runReplay } from '../src/cli/replay.js';
import { markdown, mins, pct } from './format.js';
import { FIXED_THRESHOLD_RULES } from '../test/scenarios/fixed-threshold.js';
import { generateScenarios, type Scenario } from '../test/scenarios/generate.js';
import { missedTargets, score, TARGETS, type ReplayOutcome, type Score } from '../test/scenarios/score.js';

const { values: args } = parseArgs({
  options: {
    seed: { type: 'string', default: '20251120' },
    rules: { type: 'string', default: 'rules' },
    'old-rules': { type: 'string', default: 'bench/rules-v1' },
    'healthy-per-type': { type: 'string', default: '45' },
    'bad-per-type': { type: 'string', default: '30' },
    'per-type': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    check: { type: 'boolean', default: false },
    keep: { type: 'string' },
  },
});

/** Writes the scenarios as recording files and replays them with the rules in `rulesDir`. */
async function replayAll(dir: string, rulesDir: string): Promise<ReplayOutcome[]> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const code = await runReplay([dir], { rulesDir, err: new PassThrough() }, out);
  if (code !== 0) throw new Error(`replay with rules ${rulesDir} exited ${code}`);
  return Buffer.concat(chunks)
    .toString('utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as ReplayOutcome);
}

async function writeScenarios(dir: string, scenarios: readonly Scenario[]): Promise<void> {
  await mkdir(dir, { recursive: true });
  await Promise.all(scenarios.map((s) => writeFile(join(dir, `${s.label.id}.json`), JSON.stringify(s.recording))));
  await writeFile(join(dir, 'labels.jsonl.txt'), scenarios.map((s) => JSON.stringify(s.label)).join('\n'));
}

function table(guard: Score, old: Score, fixed: Score): string {
  const rows: string[][] = [
    ['rollback recall (rollback-worthy)', pct(guard.rollbackRecall), pct(old.rollbackRecall), pct(fixed.rollbackRecall), `>= ${pct(TARGETS.rollbackRecall)}`],
    [
      'regression recall (all bad, P0-P2)',
      pct(guard.regressionRecall),
      pct(old.regressionRecall),
      pct(fixed.regressionRecall),
      `>= ${pct(TARGETS.regressionRecall)}`,
    ],
    [
      'false rollbacks (healthy)',
      pct(guard.falseRollbackRate),
      pct(old.falseRollbackRate),
      pct(fixed.falseRollbackRate),
      `<= ${pct(TARGETS.falseRollbackRate)}`,
    ],
    ['false alerts P0-P2 (healthy)', pct(guard.falseAlertRate), pct(old.falseAlertRate), pct(fixed.falseAlertRate), `<= ${pct(TARGETS.falseAlertRate)}`],
    [
      'median onset -> rollback',
      mins(guard.medianOnsetToRollback),
      mins(old.medianOnsetToRollback),
      mins(fixed.medianOnsetToRollback),
      `<= ${TARGETS.medianOnsetToRollback} min`,
    ],
    ['p90 onset -> rollback', mins(guard.p90OnsetToRollback), mins(old.p90OnsetToRollback), mins(fixed.p90OnsetToRollback), ''],
  ];
  const head = ['figure', 'release-guard', 'release-guard v1 rules', 'fixed-threshold', 'target'];
  return markdown([head, ...rows]);
}

function perTypeTable(guard: Score, fixed: Score): string {
  const rows = guard.perType.map((g, i) => {
    const f = fixed.perType[i]!;
    return [g.type, g.kind, String(g.n), `${g.alerted}`, `${g.rolledBack}`, `${f.alerted}`, `${f.rolledBack}`];
  });
  return markdown([['scenario type', 'kind', 'n', 'guard alerted', 'guard rolled back', 'fixed alerted', 'fixed rolled back'], ...rows]);
}

async function main(): Promise<void> {
  const seed = Number(args.seed);
  const scenarios = generateScenarios({ seed, healthyPerType: Number(args['healthy-per-type']), badPerType: Number(args['bad-per-type']) });
  const work = args.keep ? resolve(args.keep) : await mkdtemp(join(tmpdir(), 'rg-bench-'));
  try {
    const recordings = join(work, 'recordings');
    const fixedRules = join(work, 'fixed-rules');
    await writeScenarios(recordings, scenarios);
    await mkdir(fixedRules, { recursive: true });
    await writeFile(join(fixedRules, 'default.yaml'), FIXED_THRESHOLD_RULES);
    const labels = scenarios.map((s) => s.label);
    const started = performance.now();
    const guard = score(labels, await replayAll(recordings, resolve(args.rules)));
    const seconds = (performance.now() - started) / 1000;
    const fixed = score(labels, await replayAll(recordings, fixedRules));
    const old = score(labels, await replayAll(recordings, resolve(args['old-rules'])));
    if (args.json) {
      process.stdout.write(`${JSON.stringify({ seed, scenarios: labels.length, guard, old, fixed })}\n`);
    } else {
      const g = guard;
      process.stdout.write(
        `Detection benchmark: ${labels.length} scenarios (${g.healthy} healthy, ${g.bad} bad, ${g.rollbackWorthy} rollback-worthy), seed ${seed}, rules ${args.rules}, 1-minute data; judged in ${seconds.toFixed(1)}s\n\n`,
      );
      process.stdout.write(`${table(guard, old, fixed)}\n`);
      if (args['per-type']) process.stdout.write(`\n${perTypeTable(guard, fixed)}\n`);
    }
    const missed = missedTargets(guard);
    if (missed.length > 0) process.stderr.write(`release-guard misses targets: ${missed.join(', ')}\n`);
    if (args.check && missed.length > 0) process.exitCode = 1;
  } finally {
    if (!args.keep) await rm(work, { recursive: true, force: true });
  }
}

await main();
