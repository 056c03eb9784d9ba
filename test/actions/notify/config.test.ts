// The notifications config: channels by type, secrets only by env var or file, the digest schedule, defaults.
import { describe, expect, it } from 'vitest';
import { NotificationsConfig } from '../../../src/actions/notify/config.js';
import { readSecret } from '../../../src/actions/notify/secret.js';

const issues = (input: unknown) => {
  const r = NotificationsConfig.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('NotificationsConfig', () => {
  it('defaults: no channels, lifecycle to slack, digest at 09:00 UTC to email, 1h deadline', () => {
    expect(NotificationsConfig.parse({})).toEqual({
      channels: {},
      lifecycle: ['slack'],
      digest: { cron: '0 9 * * *', timezone: 'UTC', to: ['email'] },
      delivery: { deadline: 3600, hookDeadline: 900, minBackoff: 5, maxBackoff: 300, attemptTimeout: 30 },
    });
  });

  it('reads channels of every type, with durations', () => {
    const c = NotificationsConfig.parse({
      channels: {
        page: { type: 'pagerduty', routingKeyEnv: 'PD_KEY' },
        alerts: { type: 'slack', webhookUrlFile: '/run/secrets/slack', channel: '#alerts', timeout: '5s' },
        oncall: { type: 'email', host: 'smtp.example.com', user: 'guard', passwordEnv: 'SMTP_PASSWORD', from: 'guard@example.com', to: ['oncall@example.com'] },
        audit: { type: 'log' },
      },
      delivery: { deadline: '2h', minBackoff: '1s' },
    });
    expect(c.channels.page).toEqual({ type: 'pagerduty', routingKeyEnv: 'PD_KEY', server: 'events.pagerduty.com' });
    expect(c.channels.alerts).toMatchObject({ timeout: 5 });
    expect(c.channels.oncall).toMatchObject({ port: 587, secure: false, requireTLS: false });
    expect(c.delivery).toMatchObject({ deadline: 7200, minBackoff: 1 });
  });

  it('refuses secrets written into the config and names each problem', () => {
    expect(
      issues({
        channels: {
          page: { type: 'pagerduty', routingKey: 'abc' },
          alerts: { type: 'slack', webhookUrl: 'https://hooks.slack.com/services/x', webhookUrlEnv: 'A' },
          mail: { type: 'email', host: 'h', from: 'a@b', to: ['c@d'], user: 'u', password: 'p' },
        },
      }),
    ).toEqual([
      'channels.page.routingKey: secrets are not read from the config file: name an environment variable (…Env) or a file (…File) that holds it',
      'channels.alerts.webhookUrl: secrets are not read from the config file: name an environment variable (…Env) or a file (…File) that holds it',
      'channels.mail.password: secrets are not read from the config file: name an environment variable (…Env) or a file (…File) that holds it',
    ]);
  });

  it('rejects unknown channel types, a channel named digest, bad cron and time zones', () => {
    expect(issues({ channels: { x: { type: 'teams' } } })).toEqual([
      'channels.x.type: unknown channel type "teams"; allowed types: pagerduty, slack, email, log',
    ]);
    expect(issues({ channels: { digest: { type: 'log' } } })[0]).toMatch(/^channels.digest: "digest" is reserved/);
    expect(issues({ digest: { cron: 'every day', timezone: 'Mars/Olympus' } })).toEqual([
      'digest.cron: not a cron expression; write it like "0 9 * * *" (09:00 every day)',
      'digest.timezone: not a time zone; use an IANA name such as UTC or Europe/Berlin',
    ]);
    expect(issues({ channels: { page: { type: 'pagerduty', routingKeyEnv: 'K', server: 'https://events.pagerduty.com/v2' } } })[0]).toMatch(
      /^channels.page.server: must be host or host:port/,
    );
  });
});

describe('readSecret', () => {
  it('reads an env var and names the variable, never the value, when it is missing', () => {
    expect(readSecret('page', 'routingKey', { routingKeyEnv: 'K' }, { env: { K: ' abc \n' }, baseDir: '/' })).toBe('abc');
    expect(() => readSecret('page', 'routingKey', { routingKeyEnv: 'K' }, { env: {}, baseDir: '/' })).toThrow(
      'notifications.channels.page.routingKeyEnv: environment variable K is not set or empty; export it before starting the guard',
    );
    expect(() => readSecret('page', 'routingKey', { routingKeyFile: 'nope' }, { env: {}, baseDir: '/tmp' })).toThrow(
      /routingKeyFile: cannot read \/tmp\/nope \(ENOENT\)/,
    );
  });
});
