// The guard end to end with real channels on 127.0.0.1: a P0 on a demo deploy followed through the page, the Slack
// lifecycle messages, the rollback, the recovery check and the PagerDuty resolve; a rollback that does not help;
// a P2 email; a silence.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Config } from '../../src/config/schema.js';
import { startGuard, type RunningGuard } from '../../src/main.js';
import type { DeployView } from '../../src/store/records.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { ADMIN_TOKEN, CI_TOKEN, duplicates, startNotifyRig, until, type NotifyRig } from './notify-rig.js';

let rig: NotifyRig;
let guard: RunningGuard;
const headers = { authorization: `Bearer ${CI_TOKEN}`, 'content-type': 'application/json' };

async function post(body: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${guard.url}/v1/deploys`, { method: 'POST', headers, body: JSON.stringify(body) });
  expect(res.status).toBe(202);
}
async function view(id: string): Promise<DeployView> {
  return (await (await fetch(`${guard.url}/v1/deploys/${id}`, { headers })).json()) as DeployView;
}
const slackTexts = (id: string) => rig.slack.accepted.filter((m) => JSON.stringify(m.message).includes(`(${id})`)).map((m) => m.message.text ?? '');
const pdEvents = (id: string) => rig.pd.accepted.filter((e) => JSON.stringify(e.body).includes(id)).map((e) => e.body);

beforeAll(async () => {
  rig = await startNotifyRig();
  // Hooks see HOOK_LOG because their rule names it (env: [HOOK_LOG]); the rest of the environment is withheld.
  process.env.HOOK_LOG = rig.hookLog;
  const config = Config.parse({
    port: 0,
    dataDir: `${rig.dir}/data`,
    rulesDir: rig.rulesDir,
    sources: { demo: { type: 'demo', seed: 5, timeScale: 60 } },
    defaultSource: 'demo',
    notifications: rig.notifications(),
  });
  guard = await startGuard({
    config,
    secrets: { token: CI_TOKEN, adminToken: ADMIN_TOKEN, githubSecret: null, gitlabToken: null },
    dev: false,
    logger: silentLogger(),
    baseDir: rig.dir,
    env: rig.env,
  });
});
afterAll(async () => {
  await guard?.close();
  await rig?.close();
});

describe('notifications end to end', () => {
  it('pages a P0 outage, tells Slack, rolls back once, checks recovery and resolves the incidents', async () => {
    await post({ id: 'p0', service: 'demo-shop', environment: 'production', version: 'v2.0.0', previousVersion: 'v1.9.0', labels: { demo: 'outage' } });
    const resolved = await until('both incidents resolved', () => {
      const keys = ['release-guard/p0/outage-error-rate'];
      return keys.every((k) => rig.pd.incidents.get(k) === 'resolved') && slackTexts('p0').some((t) => t.startsWith('✅ Rollback recovered')) ? true : null;
    });
    expect(resolved).toBe(true);

    const triggers = pdEvents('p0').filter((e) => e.event_action === 'trigger');
    const outage = triggers.find((e) => e.dedup_key === 'release-guard/p0/outage-error-rate')!;
    expect(outage).toMatchObject({
      routing_key: expect.any(String),
      payload: { severity: 'critical', source: 'demo-shop/production', component: 'demo-shop', group: 'production', class: 'outage-error-rate' },
      links: [{ href: `${guard.url}/v1/deploys/p0`, text: 'Verdict' }],
    });
    expect((outage.payload as { summary: string }).summary).toMatch(
      /^\[P0\] demo-shop\/production v2\.0\.0: outage-error-rate — error_rate \d+(\.\d+)?% vs baseline 0\.\d+% \(\d+x baseline\) for 1m$/,
    );
    expect((outage.payload as { custom_details: { findings: unknown[] } }).custom_details.findings).toMatchObject([
      { rule: 'outage-error-rate', metric: 'error_rate', severity: 'P0' },
    ]);
    const resolves = pdEvents('p0')
      .filter((e) => e.event_action === 'resolve')
      .map((e) => e.dedup_key);
    expect(resolves.sort()).toEqual(triggers.map((e) => e.dedup_key).sort());
    expect(duplicates(pdEvents('p0').map((e) => `${String(e.event_action)} ${String(e.dedup_key)}`))).toEqual([]);

    const texts = slackTexts('p0');
    expect(texts[0]).toBe('🚀 Deploying v2.0.0 to production…');
    expect(texts.find((t) => t.startsWith('❌'))).toMatch(
      /^❌ Deployment failed\. Rolling back\. Reason: outage-error-rate: error_rate \d+(\.\d+)?% vs baseline 0\.\d+% \(\d+x baseline\) for 1m$/,
    );
    expect(texts.at(-1)).toBe('✅ Rollback recovered: demo-shop/production is back to its baseline');
    expect(duplicates(texts)).toEqual([]);
    const rollingBack = rig.slack.accepted.find((m) => m.message.text?.startsWith('❌'))!;
    expect(JSON.stringify(rollingBack.message.blocks)).toContain(`<${guard.url}/v1/deploys/p0|Verdict>`);

    expect((await readFile(rig.hookLog, 'utf8')).trim().split('\n')).toEqual(['p0 v1.9.0']);
    // The stand-ins answered; the outbox records each answer just after it.
    const v = await until('every action recorded as finished', async () => {
      const fresh = await view('p0');
      return fresh.actions.every((a) => a.status !== 'running' && a.status !== 'pending') ? fresh : null;
    });
    expect(v.verdict).toMatchObject({ verdict: 'fail', severity: 'P0', rollback: true });
    expect(v.actions.filter((a) => a.kind === 'rollback')).toMatchObject([{ target: 'record', status: 'succeeded' }]);
    const statuses = new Set(v.actions.map((a) => a.status));
    expect([...statuses]).toEqual(['succeeded']);
    expect(v.actions.filter((a) => a.kind === 'resolve').map((a) => a.target)).toEqual(['page']);
  }, 90_000);

  it('pages P0 "rollback did not recover" when the metrics stay bad for the recovery window', async () => {
    await post({
      id: 'stuck',
      service: 'demo-shop',
      environment: 'staging',
      version: 'v2.0.0',
      previousVersion: 'v1.9.0',
      labels: { demo: 'outage', 'demo-rollback': 'no-effect' },
    });
    const page = await until(
      'the escalation page',
      () => pdEvents('stuck').find((e) => e.dedup_key === 'release-guard/stuck/rollback-did-not-recover'),
      60_000,
    );
    expect(page).toMatchObject({ event_action: 'trigger', payload: { severity: 'critical' } });
    expect((page.payload as { summary: string }).summary).toBe('🔥 [P0] Rollback did not recover: demo-shop/staging v2.0.0');
    expect(rig.pd.incidents.get('release-guard/stuck/outage-error-rate')).toBe('triggered');
    await until('the Slack escalation', () => slackTexts('stuck').find((t) => t.startsWith('🔥 [P0] Rollback did not recover')));
    expect(pdEvents('stuck').filter((e) => e.event_action === 'resolve')).toEqual([]);
  }, 90_000);

  it('emails a P2 with text and HTML, and holds the P3 for the digest', async () => {
    await post({ id: 'p2', service: 'shop', environment: 'production', version: 'v3', labels: { demo: 'latency-drift' } });
    const mail = await until('the P2 email', () => rig.smtp.received.find((m) => m.subject?.includes('latency-regression') && m.text?.includes('(p2)')));
    expect(mail.subject).toMatch(/^\[P2\] shop\/production v3: latency-regression — latency_p95 \d+ms vs baseline \d+ms/);
    expect(mail.to && 'text' in mail.to ? mail.to.text : '').toBe('oncall@example.com');
    expect(mail.html || '').toContain('<td>latency-regression</td>');
    const v = await until('the digest item', async () => (await view('p2')).actions.find((a) => a.target === 'digest'));
    expect(v).toMatchObject({ kind: 'alert', status: 'pending' });
  }, 90_000);

  it("mutes a silenced service's alerts but still rolls back and shows them", async () => {
    const admin = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };
    const res = await fetch(`${guard.url}/v1/silences`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ service: 'demo-shop', environment: 'qa', duration: '1h', createdBy: 'alice', reason: 'load test' }),
    });
    expect(res.status).toBe(201);
    const { silence } = (await res.json()) as { silence: { id: number } };
    await post({ id: 'quiet', service: 'demo-shop', environment: 'qa', version: 'v2', previousVersion: 'v1', labels: { demo: 'outage' } });
    const v = await until('the rollback', async () => {
      const x = await view('quiet');
      return x.actions.some((a) => a.kind === 'rollback' && a.status === 'succeeded') && x.actions.some((a) => a.status === 'muted') ? x : null;
    });
    expect(v.actions.filter((a) => a.kind === 'alert').every((a) => a.status === 'muted')).toBe(true);
    expect(pdEvents('quiet')).toEqual([]);
    expect(slackTexts('quiet')).toEqual([]);
    const shown = (await (await fetch(`${guard.url}/v1/silences/${silence.id}`, { headers: admin })).json()) as { silence: { muted: number; state: string } };
    expect(shown.silence.state).toBe('active');
    expect(shown.silence.muted).toBeGreaterThan(0);
  }, 90_000);
});
