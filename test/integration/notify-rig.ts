// Shared rig for the notification integration tests: stand-ins for PagerDuty, Slack and SMTP, rule files, a config.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PagerDutyStandIn } from './stand-ins/pagerduty.js';
import { SlackStandIn } from './stand-ins/slack.js';
import { SmtpStandIn } from './stand-ins/smtp.js';
import { selfSignedCertificate, type TestCertificate } from './stand-ins/tls.js';

export const ROUTING_KEY = 'R0UT1NGKEY0123456789abcdefSECRET';
export const CI_TOKEN = 'notify-test-ci-token';
export const ADMIN_TOKEN = 'notify-test-admin-token';

/** A default rule file for these tests: the seeds' routing, four rules, a short window. */
export const TEST_RULES = `
version: 1
window: 12m
interval: 1m
baseline: {kind: pre-deploy, duration: 1h}
minEvidence: {throughput: 0.1, samples: 3}
metrics:
  health: {unit: fraction, direction: decrease}
severities:
  P0: {rollback: true, failsVerdict: true, alert: [page, slack]}
  P1: {rollback: true, failsVerdict: true, alert: [slack, page]}
  P2: {rollback: false, failsVerdict: true, alert: [email]}
  P3: {rollback: false, failsVerdict: false, alert: [digest]}
rules:
  - {name: outage-error-rate, metric: error_rate, severity: P0, when: "value >= 0.25", for: 1m}
  - {name: error-rate-spike, metric: error_rate, severity: P1, when: {all: ["ratio > 5", "value > 0.01"]}, for: 2m}
  - {name: latency-regression, metric: latency_p95, severity: P2, when: "change > 20%", for: 2m}
  - {name: latency-drift, metric: latency_p95, severity: P3, when: "change > 10%", for: 2m}
`;

export interface NotifyRig {
  dir: string;
  rulesDir: string;
  hookLog: string;
  cert: TestCertificate;
  pd: PagerDutyStandIn;
  slack: SlackStandIn;
  smtp: SmtpStandIn;
  slackUrl: string;
  /** The `notifications:` config section pointing at the stand-ins (as YAML-ready data). */
  notifications(over?: Record<string, unknown>): Record<string, unknown>;
  /** Environment holding the channel secrets. */
  env: Record<string, string>;
  close(): Promise<void>;
}

/** Starts the stand-ins and writes the rule files (default + demo-shop with an exec hook appending to hookLog). */
export async function startNotifyRig(extraRules: Record<string, string> = {}): Promise<NotifyRig> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'rg-notify-'));
  const rulesDir = path.join(dir, 'rules');
  const hookLog = path.join(dir, 'rollbacks.log');
  await mkdir(rulesDir);
  await writeFile(path.join(rulesDir, 'default.yaml'), TEST_RULES);
  const hook = `require('fs').appendFileSync(process.env.HOOK_LOG, process.env.RG_DEPLOY_ID + ' ' + process.env.RG_PREVIOUS_VERSION + '\\\\n')`;
  await writeFile(
    path.join(rulesDir, 'demo-shop.yaml'),
    [
      'match: {service: demo-shop}',
      'recovery: {window: 6m}',
      'hooks:',
      '  rollback:',
      '    - type: exec',
      '      name: record',
      `      command: ["node", "-e", "${hook}"]`,
      '      env: [HOOK_LOG]',
    ].join('\n'),
  );
  for (const [name, text] of Object.entries(extraRules)) await writeFile(path.join(rulesDir, name), text);
  const cert = await selfSignedCertificate();
  const pd = await new PagerDutyStandIn(cert).start();
  const slack = await new SlackStandIn().start();
  const smtp = await new SmtpStandIn().start();
  const slackUrl = slack.webhook('alerts');
  const env = { RG_PD_KEY: ROUTING_KEY, RG_SLACK_URL: slackUrl, HOOK_LOG: hookLog };
  return {
    dir,
    rulesDir,
    hookLog,
    cert,
    pd,
    slack,
    smtp,
    slackUrl,
    env,
    notifications: (over = {}) => ({
      channels: {
        page: { type: 'pagerduty', routingKeyEnv: 'RG_PD_KEY', server: pd.host, caFile: cert.certFile },
        slack: { type: 'slack', webhookUrlEnv: 'RG_SLACK_URL', channel: '#alerts' },
        email: { type: 'email', host: '127.0.0.1', port: smtp.address.port, ignoreTLS: true, from: 'release-guard@example.com', to: ['oncall@example.com'] },
      },
      lifecycle: ['slack'],
      delivery: { minBackoff: '1s', maxBackoff: '2s', attemptTimeout: '5s' },
      ...over,
    }),
    async close() {
      await Promise.allSettled([pd.stop(), slack.stop(), smtp.stop()]);
      await cert.remove();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Polls until `fn` answers something truthy. */
export async function until<T>(what: string, fn: () => Promise<T | null | undefined | false> | T | null | undefined | false, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
}

/** Entries that occur more than once. */
export function duplicates(values: readonly string[]): string[] {
  return [...new Set(values.filter((v, i) => values.indexOf(v) !== i))];
}
