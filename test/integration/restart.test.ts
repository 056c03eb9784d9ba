// SIGKILL the real daemon mid-window, start it again: the watch resumes from the store, reaches the same
// verdict the judge gives on what was recorded, and the rollback hook fires exactly once.
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { judge } from '../../src/judge/judge.js';
import { loadRules, resolveRules } from '../../src/rules/index.js';
import type { DeployView } from '../../src/store/records.js';
import { freePort, startGuardProcess, type GuardProcess } from './guard-process.js';

const TOKEN = 'restart-test-token';
let dir: string;
let configFile: string;
let hookLog: string;
let guard: GuardProcess | null = null;

async function get(url: string, id: string): Promise<DeployView> {
  const res = await fetch(`${url}/v1/deploys/${id}`, { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(res.status).toBe(200);
  return (await res.json()) as DeployView;
}

async function until<T>(what: string, fn: () => Promise<T | null | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const v = await fn();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'rg-restart-'));
  hookLog = path.join(dir, 'rollbacks.log');
  await cp(path.resolve('rules/default.yaml'), path.join(dir, 'rules/default.yaml'));
  await writeFile(
    path.join(dir, 'rules/shop.yaml'),
    [
      'match: {service: shop}',
      'window: 12m',
      'hooks:',
      '  rollback:',
      '    - type: exec',
      '      name: record',
      `      command: ["node", "-e", "require('fs').appendFileSync(process.env.HOOK_LOG, process.env.RG_DEPLOY_ID + ' ' + process.env.RG_PREVIOUS_VERSION + '\\\\n')"]`,
      '      env: [HOOK_LOG]',
    ].join('\n'),
  );
  configFile = path.join(dir, 'release-guard.yaml');
  // 20 series seconds per wall second: the 12-minute window plays out in 36 s.
  await writeFile(
    configFile,
    ['dataDir: ./data', 'rulesDir: ./rules', 'logLevel: info', 'sources:', '  demo: {type: demo, seed: 3, timeScale: 20}', 'defaultSource: demo'].join('\n'),
  );
});

afterAll(async () => {
  guard?.child.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

describe('restart safety (real child process)', () => {
  it('resumes watches after SIGKILL with the same outcome and a single rollback', async () => {
    const port = await freePort();
    const env = { RELEASE_GUARD_TOKEN: TOKEN, HOOK_LOG: hookLog };
    guard = await startGuardProcess(configFile, port, env);
    const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
    for (const [id, environment, behaviour] of [
      ['r-broken', 'production', 'broken-errors'],
      ['r-healthy', 'staging', 'healthy'],
    ]) {
      const res = await fetch(`${guard.url}/v1/deploys`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ id, service: 'shop', environment, version: 'v9', previousVersion: 'v8', labels: { demo: behaviour } }),
      });
      expect(res.status).toBe(202);
    }
    // Kill once the broken watch has judged at least one step but before its rollback (due at minute 3).
    const before = await until('a first evaluated step', async () => {
      const v = await get(guard!.url, 'r-broken');
      return v.watch?.evaluatedAt && v.watch.evaluatedAt >= v.deploy.startedAt + 60 ? v : null;
    });
    expect(before.actions.filter((a) => a.kind === 'rollback')).toHaveLength(0);
    guard.child.kill('SIGKILL');
    expect(await guard.exited).toBe('SIGKILL');

    await new Promise((r) => setTimeout(r, 1500));
    guard = await startGuardProcess(configFile, port, env);
    expect(guard.output()).toContain('resumed watches: 2');
    const broken = await until('the broken verdict', async () => {
      const v = await get(guard!.url, 'r-broken');
      return v.verdict ? v : null;
    });
    const healthy = await until('the healthy verdict', async () => {
      const v = await get(guard!.url, 'r-healthy');
      return v.verdict ? v : null;
    });

    expect(broken.verdict).toMatchObject({ verdict: 'fail', rollback: true });
    // errors start 2 min in and roll back on the second bad point; demo points sit on whole minutes, so +1 step if startedAt is not aligned
    const rollbackAfter = (broken.verdict?.rollbackAt ?? 0) - broken.deploy.startedAt;
    expect(rollbackAfter).toBe(broken.deploy.startedAt % 60 === 0 ? 180 : 240);
    expect(healthy.verdict).toMatchObject({ verdict: 'pass', rollback: false });
    expect(broken.actions.filter((a) => a.kind === 'rollback')).toMatchObject([{ target: 'record', status: 'succeeded' }]);
    expect((await readFile(hookLog, 'utf8')).trim().split('\n')).toEqual(['r-broken v8']);

    // Same outcome as judging, offline, everything the daemon recorded across both lives.
    const { openStore } = await import('../../src/store/open.js');
    guard.child.kill('SIGTERM');
    expect(await guard.exited).toBe(0);
    guard = null;
    const store = await openStore({ kind: 'sqlite' }, { dataDir: path.join(dir, 'data') });
    const rules = await loadRules(path.join(dir, 'rules'));
    for (const view of [broken, healthy]) {
      const obs = await store.observations(view.deploy.id);
      const ruleSet = resolveRules(rules, view.deploy);
      const offline = judge(ruleSet, view.deploy, obs, view.deploy.startedAt + ruleSet.window);
      expect({ verdict: offline.verdict, rollbackAt: offline.rollbackAt, severity: offline.severity }).toEqual({
        verdict: view.verdict?.verdict,
        rollbackAt: view.verdict?.rollbackAt,
        severity: view.verdict?.severity,
      });
    }
    await store.close();
  }, 120_000);
});
