// SIGKILL the real daemon while alerts wait in the outbox (every channel failing), start it again with the channels
// back: every alert and the PagerDuty resolve arrive exactly once, and the rollback hook ran exactly once.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startGuardProcess, type GuardProcess } from './guard-process.js';
import { CI_TOKEN, duplicates, startNotifyRig, until, type NotifyRig } from './notify-rig.js';

let rig: NotifyRig;
let guard: GuardProcess | null = null;
let configFile: string;

beforeAll(async () => {
  rig = await startNotifyRig();
  configFile = path.join(rig.dir, 'release-guard.yaml');
  const config = {
    dataDir: './data',
    rulesDir: './rules',
    logLevel: 'info',
    sources: { demo: { type: 'demo', seed: 11, timeScale: 20 } },
    defaultSource: 'demo',
    notifications: rig.notifications(),
  };
  await writeFile(configFile, stringify(config));
});
afterAll(async () => {
  guard?.child.kill('SIGKILL');
  await rig.close();
});

const slackFor = (id: string) => rig.slack.accepted.filter((m) => JSON.stringify(m.message).includes(`(${id})`)).map((m) => m.message.text ?? '');
const pdFor = (id: string) => rig.pd.accepted.filter((e) => String(e.body.dedup_key ?? '').includes(`/${id}/`) || JSON.stringify(e.body).includes(`(${id})`));

describe('outbox across a SIGKILL (real child process)', () => {
  it('delivers every pending alert exactly once after a restart', async () => {
    const down = { status: 503, body: 'Service Unavailable' };
    rig.pd.faults.every(down);
    rig.slack.faults.every(down);
    rig.smtp.failAlways({ code: 451, message: 'try later' });
    const port = await freePort();
    const env = { RELEASE_GUARD_TOKEN: CI_TOKEN, ...rig.env };
    guard = await startGuardProcess(configFile, port, env);
    const res = await fetch(`${guard.url}/v1/deploys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${CI_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'k1', service: 'demo-shop', environment: 'production', version: 'v7', previousVersion: 'v6', labels: { demo: 'outage' } }),
    });
    expect(res.status).toBe(202);
    await until('the rollback and failed attempts on every channel', async () => {
      const hookRan = await readFile(rig.hookLog, 'utf8').catch(() => '');
      return hookRan.includes('k1') && rig.pd.requests.some((r) => r.body.event_action === 'trigger') && rig.slack.requests >= 3;
    });
    expect(rig.pd.accepted).toEqual([]);
    expect(rig.slack.accepted).toEqual([]);
    guard.child.kill('SIGKILL');
    expect(await guard.exited).toBe('SIGKILL');

    rig.pd.faults.clear();
    rig.slack.faults.clear();
    guard = await startGuardProcess(configFile, port, env);
    await until(
      'the recovery and the resolve',
      () => rig.pd.incidents.get('release-guard/k1/outage-error-rate') === 'resolved' && slackFor('k1').some((t) => t.startsWith('✅ Rollback recovered')),
      90_000,
    );

    const texts = slackFor('k1');
    expect(duplicates(texts)).toEqual([]);
    expect(texts[0]).toBe('🚀 Deploying v7 to production…');
    expect(texts.some((t) => t.startsWith('[P0] demo-shop/production v7: outage-error-rate'))).toBe(true);
    expect(texts.some((t) => t.startsWith('❌ Deployment failed. Rolling back. Reason: outage-error-rate: error_rate'))).toBe(true);
    const pd = pdFor('k1').map((e) => `${String(e.body.event_action)} ${String(e.body.dedup_key)}`);
    expect(duplicates(pd)).toEqual([]);
    expect(pd).toContain('trigger release-guard/k1/outage-error-rate');
    expect(pd).toContain('resolve release-guard/k1/outage-error-rate');
    expect((await readFile(rig.hookLog, 'utf8')).trim().split('\n')).toEqual(['k1 v6']);
    guard.child.kill('SIGTERM');
    expect(await guard.exited).toBe(0);
    guard = null;
  }, 150_000);
});
