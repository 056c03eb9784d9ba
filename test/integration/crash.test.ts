// Crash suite: SIGKILL the real daemon 12+ times at its risky points, in turn: mid-evaluation (a random moment), right
// after a rollback hook ran (before the outbox records it) and right after Slack accepted a notice (before the outbox
// records the 200); a point that does not come soon enough gets a random moment instead. Afterwards every watch has the verdict the judge gives, offline, on everything recorded
// (the uninterrupted verdict); no rollback hook ran twice; no notice was lost. Notices are at-least-once: a kill
// between Slack's 200 and the outbox recording it sends it again on restart; such doubles are counted, not hidden.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { judge } from '../../src/judge/judge.js';
import { loadRules, resolveRules } from '../../src/rules/index.js';
import type { DeployView } from '../../src/store/records.js';
import { freePort } from './guard-process.js';
import { TEST_RULES, until } from './notify-rig.js';
import { SlackStandIn } from './stand-ins/slack.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const TOKEN = 'crash-test-token';
const KILLS = Number(process.env.RG_CRASH_KILLS ?? 12);
/** The risky points the kills take in turn. */
const MOMENTS = ['evaluation', 'hook', 'delivery'] as const;
type Moment = (typeof MOMENTS)[number];
/** How long a kill waits for its point before it falls back to a random moment. */
const POINT_WAIT_MS = 4000;
const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
let dir: string;
let cli: string;
let hookLog: string;
let slack: SlackStandIn;
let child: ChildProcess | null = null;
let seed = 20261129;
/** Deterministic randomness, so a failing run can be repeated (RG_CRASH_SEED). */
const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;

beforeAll(async () => {
  seed = Number(process.env.RG_CRASH_SEED ?? seed);
  dir = await mkdtemp(path.join(os.tmpdir(), 'rg-crash-'));
  // One esbuild bundle of the CLI: a restart then costs a node start, not a TypeScript compile.
  await mkdir(path.join(dir, 'app/dist/cli'), { recursive: true });
  await symlink(path.join(ROOT, 'node_modules'), path.join(dir, 'app/node_modules'));
  await writeFile(path.join(dir, 'app/package.json'), await readFile(path.join(ROOT, 'package.json')));
  cli = path.join(dir, 'app/dist/cli/index.mjs');
  await build({
    entryPoints: [path.join(ROOT, 'src/cli/index.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    outfile: cli,
    logLevel: 'silent',
  });
  hookLog = path.join(dir, 'rollbacks.log');
  const hook = `require('fs').appendFileSync(process.argv.at(-1), process.env.RG_DEPLOY_ID + '\\\\n')`;
  await mkdir(path.join(dir, 'rules'));
  await writeFile(
    path.join(dir, 'rules/default.yaml'),
    `${TEST_RULES}hooks:\n  rollback:\n    - type: exec\n      name: record\n      command: ["node", "-e", "${hook}", ${JSON.stringify(hookLog)}]\n`,
  );
  slack = await new SlackStandIn().start();
  const config = [
    'dataDir: ./data',
    'rulesDir: ./rules',
    'logLevel: warn',
    'sources:',
    '  demo: {type: demo, seed: 9, timeScale: 60}',
    'defaultSource: demo',
    'notifications:',
    '  channels: {slack: {type: slack, webhookUrlEnv: RG_SLACK_URL}}',
    '  lifecycle: [slack]',
    '  delivery: {minBackoff: 1s, maxBackoff: 2s, attemptTimeout: 5s}',
  ];
  await writeFile(path.join(dir, 'release-guard.yaml'), config.join('\n'));
});

afterAll(async () => {
  child?.kill('SIGKILL');
  await slack?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** Starts the bundled daemon and resolves once it answers /readyz. */
async function start(port: number): Promise<ChildProcess> {
  const c = spawn(process.execPath, [cli, 'serve', '--config', path.join(dir, 'release-guard.yaml'), '--port', String(port)], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', RELEASE_GUARD_TOKEN: TOKEN, RG_SLACK_URL: slack.webhook('crash') },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  c.stderr?.on('data', (b: Buffer) => (err += b.toString()));
  await until(
    'the guard to be ready',
    async () => {
      if (c.exitCode !== null) throw new Error(`guard exited with ${c.exitCode}: ${err}`);
      return (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => null))?.ok ?? false;
    },
    120_000,
  );
  return c;
}

/** CPU seconds the daemons used (utime + stime from /proc, read just before each kill): the suite's cost, unlike wall time under load. */
let daemonCpu = 0;

async function cpuSeconds(pid: number | undefined): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  const fields = stat?.slice(stat.lastIndexOf(')') + 2).split(' ') ?? [];
  return (Number(fields[11] ?? 0) + Number(fields[12] ?? 0)) / 100;
}

async function kill(c: ChildProcess): Promise<void> {
  daemonCpu += await cpuSeconds(c.pid);
  const exited = new Promise((resolve) => c.once('exit', resolve));
  c.kill('SIGKILL');
  await exited;
}

const hookLogSize = async () => (await stat(hookLog).catch(() => null))?.size ?? 0;

/**
 * Waits for the kill's point: a random moment for `evaluation`; for `hook`, the hook log growing (the hook ran, its
 * outcome not yet recorded); for `delivery`, Slack accepting a message (its 200 not yet recorded). Answers whether
 * the point came; after POINT_WAIT_MS it answers false (the kill then lands at a random moment of that wait).
 */
async function risky(moment: Moment): Promise<boolean> {
  if (moment === 'evaluation') {
    await new Promise((r) => setTimeout(r, 200 + random() * 1300));
    return true;
  }
  const before = moment === 'hook' ? await hookLogSize() : slack.accepted.length;
  const deadline = Date.now() + POINT_WAIT_MS;
  while (Date.now() < deadline) {
    const now = moment === 'hook' ? await hookLogSize() : slack.accepted.length;
    if (now > before) return true;
    await new Promise((r) => setTimeout(r, 5));
  }
  return false;
}

const view = async (url: string, id: string) => (await (await fetch(`${url}/v1/deploys/${id}`, { headers })).json()) as DeployView;

describe('crash suite (real child process, randomized SIGKILLs)', () => {
  it(`survives ${KILLS} SIGKILLs during evaluations, hook runs and deliveries`, async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const posted: Array<{ id: string; broken: boolean }> = [];
    const hits: Record<Moment, number> = { evaluation: 0, hook: 0, delivery: 0 };
    const began = Date.now();
    child = await start(port);
    for (let k = 0; k < KILLS; k++) {
      // A new pair of deploys every third life keeps evaluations, hook runs and deliveries in flight.
      if (k % 3 === 0) {
        for (const broken of [true, false]) {
          const id = `c${k}-${broken ? 'broken' : 'healthy'}`;
          const res = await fetch(`${url}/v1/deploys`, {
            method: 'POST',
            headers,
            body: JSON.stringify({
              id,
              service: `svc-${k}-${broken ? 'b' : 'h'}`,
              environment: 'production',
              version: 'v2',
              previousVersion: 'v1',
              labels: { demo: broken ? 'broken-errors' : 'healthy' },
            }),
          });
          expect(res.status).toBe(202);
          posted.push({ id, broken });
        }
      }
      const moment = MOMENTS[k % MOMENTS.length]!;
      if (await risky(moment)) hits[moment]++;
      await kill(child);
      child = await start(port);
    }
    const views = new Map<string, DeployView>();
    for (const { id } of posted)
      views.set(id, await until(`the verdict of ${id}`, async () => ((await view(url, id)).verdict ? view(url, id) : null), 180_000));
    // Let the outbox finish what it owes, then stop cleanly.
    await until(
      'the outbox to drain',
      async () =>
        (await Promise.all(posted.map(({ id }) => view(url, id)))).every((v) => v.actions.every((a) => a.status !== 'running' && a.status !== 'pending')),
      60_000,
    ).catch(() => null);
    await new Promise((r) => setTimeout(r, 3000));
    daemonCpu += await cpuSeconds(child.pid);
    child.kill('SIGTERM');
    await new Promise((resolve) => child!.once('exit', resolve));
    child = null;

    // 1. Every watch reaches the verdict the judge gives offline on all it recorded (the uninterrupted verdict).
    const { openStore } = await import('../../src/store/open.js');
    const store = await openStore({ kind: 'sqlite' }, { dataDir: path.join(dir, 'data') });
    const rules = await loadRules(path.join(dir, 'rules'));
    const verdicts: Array<[string, unknown, unknown]> = [];
    for (const { id, broken } of posted) {
      const v = views.get(id)!;
      const ruleSet = resolveRules(rules, v.deploy);
      const offline = judge(ruleSet, v.deploy, await store.observations(id), v.deploy.startedAt + ruleSet.window);
      verdicts.push([
        id,
        { verdict: offline.verdict, rollbackAt: offline.rollbackAt, severity: offline.severity },
        { verdict: v.verdict?.verdict, rollbackAt: v.verdict?.rollbackAt, severity: v.verdict?.severity },
      ]);
      expect(v.verdict?.verdict).toBe(broken ? 'fail' : 'pass');
    }
    expect(verdicts.filter(([, offline, live]) => JSON.stringify(offline) !== JSON.stringify(live))).toEqual([]);

    // 2. No rollback hook ran twice. A hook killed mid-claim is recorded `interrupted` (never re-run, README
    // "Operations"); every broken deploy's hook ran once or is flagged for a person.
    const hookRuns = (await readFile(path.join(dir, 'rollbacks.log'), 'utf8').catch(() => '')).trim().split('\n').filter(Boolean);
    const stats = {
      kills: KILLS,
      killsAtPoint: hits,
      deploys: posted.length,
      hookRuns: hookRuns.length,
      interruptedHooks: 0,
      noticeDoubles: 0,
      seconds: 0,
      daemonCpuSeconds: 0,
    };
    for (const { id, broken } of posted) {
      const runs = hookRuns.filter((l) => l === id).length;
      expect(runs).toBeLessThanOrEqual(1);
      if (!broken) expect(runs).toBe(0);
      const rollbacks = (await store.getDeploy(id))!.actions.filter((a) => a.kind === 'rollback');
      if (broken && runs === 0) {
        expect(rollbacks.map((a) => a.status)).toContain('interrupted');
        stats.interruptedHooks++;
      }
    }

    // 3. No notice lost: every deploy's start and outcome reached Slack at least once; doubles are counted.
    for (const { id, broken } of posted) {
      const started = slack.accepted.filter((m) => JSON.stringify(m.message).includes(`(${id})`) && (m.message.text ?? '').startsWith('🚀'));
      const outcome = slack.accepted.filter(
        (m) =>
          JSON.stringify(m.message).includes(`(${id})`) &&
          (m.message.text ?? '').startsWith(broken ? '❌ Deployment failed. Rolling back' : '✅ Deployment successful'),
      );
      expect({ id, started: started.length >= 1, outcome: outcome.length >= 1 }).toEqual({ id, started: true, outcome: true });
      stats.noticeDoubles += Math.max(0, started.length - 1) + Math.max(0, outcome.length - 1);
    }
    await store.close();
    // The at-least-once case, counted (README "Delivery guarantees").
    stats.seconds = Math.round((Date.now() - began) / 1000);
    stats.daemonCpuSeconds = Math.round(daemonCpu * 10) / 10;
    console.log(`crash suite: ${JSON.stringify(stats)}`);
    expect(stats.kills).toBeGreaterThanOrEqual(12);
  }, 900_000);
});
