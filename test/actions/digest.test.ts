// The daily digest: held P3 findings and the day's verdicts, emailed once per run over real SMTP, on a node-cron
// schedule read in the configured time zone.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { assembleDelivery, type DeliveryRuntime } from '../../src/actions/delivery.js';
import { NotificationsConfig } from '../../src/actions/notify/config.js';
import { scheduleDigest, sendDigest, type DigestDeps } from '../../src/actions/notify/digest/index.js';
import { Responder } from '../../src/actions/responder.js';
import type { Judgement } from '../../src/judge/types.js';
import { loadRules, resolveRules } from '../../src/rules/index.js';
import { openTestStore } from '../store/backends.js';
import type { Store } from '../../src/store/interfaces.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { createGuardMetrics } from '../../src/telemetry/metrics.js';
import { TEST_RULES, until } from '../integration/notify-rig.js';
import { SmtpStandIn } from '../integration/stand-ins/smtp.js';
import { deployRecord, newWatch } from '../store/sample-records.js';

let dir: string;
let store: Store;
let smtp: SmtpStandIn;
let runtime: DeliveryRuntime;
let deps: DigestDeps;
let clock: number;
const now = () => clock;

const passed: Judgement = {
  state: 'done',
  verdict: 'pass',
  severity: 'P3',
  rollback: false,
  rollbackAt: null,
  findings: [],
  evaluatedAt: 1_763_649_000,
  windowEnd: 1_763_649_000,
  reason: 'window closed with 1 finding(s), none failing the verdict',
};

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'rg-digest-'));
  store = await openTestStore(dir);
  smtp = await new SmtpStandIn().start();
  clock = 1_763_650_000;
  const notifications = NotificationsConfig.parse({
    channels: { email: { type: 'email', host: '127.0.0.1', port: smtp.address.port, ignoreTLS: true, from: 'guard@example.com', to: ['team@example.com'] } },
    digest: { cron: '0 9 * * *', timezone: 'Europe/Berlin', to: ['email'] },
  });
  runtime = await assembleDelivery({
    store,
    logger: silentLogger(),
    registry: new Registry(),
    notifications,
    notifierDeps: { env: {}, baseDir: dir },
    hooksFor: () => [],
    guardUrl: () => 'http://guard',
    now,
  });
  await runtime.outbox.start();
  deps = {
    store,
    outbox: runtime.outbox,
    channels: runtime.channels,
    templates: runtime.templates,
    config: notifications.digest,
    deadline: 3600,
    verdictUrl: (id) => `http://guard/v1/deploys/${id}`,
    guardUrl: () => 'http://guard',
    now,
  };
});
afterEach(async () => {
  await runtime.outbox.stop();
  await runtime.channels.close();
  await smtp.stop();
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

describe('sendDigest', () => {
  it('emails the held P3 findings and the verdicts since the last digest, once per run', async () => {
    await mkdir(path.join(dir, 'rules'));
    await writeFile(path.join(dir, 'rules/default.yaml'), TEST_RULES);
    const rules = resolveRules(await loadRules(path.join(dir, 'rules')), { service: 'checkout', environment: 'production' });
    await store.createDeploy(deployRecord(), newWatch());
    const responder = new Responder({
      store,
      logger: silentLogger(),
      metrics: createGuardMetrics(new Registry()),
      verdictUrl: deps.verdictUrl,
      now,
      delivery: runtime,
    });
    const drift = {
      rule: 'latency-drift',
      metric: 'latency_p95',
      severity: 'P3' as const,
      at: 1_763_647_500,
      observed: 210,
      baseline: 180,
      condition: 'change > 10%',
      kind: 'breach' as const,
      summary: 'latency_p95 210ms vs baseline 180ms (1.17x baseline) for 2m',
    };
    await responder.alert(deployRecord(), rules, [drift]);
    await store.saveJudgement('d-42', { ...passed, findings: [drift] }, 'pass', clock - 100);
    expect(await store.listDeliveries({ status: 'held' })).toHaveLength(1);

    const runAt = new Date('2025-11-20T08:00:00Z');
    expect((await sendDigest(deps, runAt)).map((d) => [d.event, d.channel])).toEqual([['digest', 'email']]);
    expect(await sendDigest(deps, runAt)).toEqual([]);
    const mail = await until('the digest email', () => smtp.received[0]);
    expect(mail.subject).toBe('release-guard daily digest: 1 verdict(s), 1 low-severity finding(s)');
    expect(mail.text).toContain('Verdicts: 1 pass, 0 fail (0 rolled back), 0 inconclusive.');
    expect(mail.text).toContain(
      '- checkout/production v1.2.0: pass P3 — window closed with 1 finding(s), none failing the verdict (http://guard/v1/deploys/d-42)',
    );
    expect(mail.text).toContain('- P3 checkout/production: latency_p95 210ms vs baseline 180ms (1.17x baseline) for 2m');
    expect(mail.html).toContain('<a href="http://guard/v1/deploys/d-42">checkout/production v1.2.0</a>');
    expect(await store.listDeliveries({ status: 'held' })).toEqual([]);
    expect((await store.getDeploy('d-42'))?.actions.find((a) => a.target === 'digest')).toMatchObject({
      status: 'succeeded',
      output: 'included in the digest digest:2025-11-20T08:00:email',
    });

    clock += 86_400;
    await sendDigest(deps, new Date('2025-11-21T08:00:00Z'));
    const next = await until('the second digest', () => smtp.received[1]);
    expect(next.subject).toBe('release-guard daily digest: 0 verdict(s), 0 low-severity finding(s)');
    expect(next.text).toContain('Low-severity findings: none');
    expect(smtp.received).toHaveLength(2);
  });
});

describe('scheduleDigest', () => {
  it('reads the cron in the configured time zone', async () => {
    const s = scheduleDigest({ cron: '0 9 * * *', timezone: 'Europe/Berlin', to: ['email'] }, async () => undefined, silentLogger());
    const next = s.next()!;
    expect(next.toLocaleTimeString('en-GB', { timeZone: 'Europe/Berlin', hour: '2-digit', minute: '2-digit' })).toBe('09:00');
    await s.stop();
  });

  it('runs the digest when the cron fires', async () => {
    const runs: Date[] = [];
    const s = scheduleDigest({ cron: '* * * * * *', timezone: 'UTC', to: ['email'] }, async (at) => void runs.push(at), silentLogger());
    await until('a scheduled run', () => runs.length > 0, 5000);
    await s.stop();
    expect(runs[0]).toBeInstanceOf(Date);
  });
});
