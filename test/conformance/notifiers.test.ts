// The shared notifier suite (Alertmanager style): every channel kind, against its real stand-in on 127.0.0.1, must
// classify answers the same way (retry 429/5xx/no answer, never 400), stop at the timeout, and never leak its secret.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { noticeFor } from '../../src/actions/compose.js';
import { createNotifier, type ChannelConfig } from '../../src/actions/notify/registry.js';
import type { Notifier, SendResult } from '../../src/actions/notify/types.js';
import { sampleFacts } from '../../src/actions/templates/context.js';
import { Templates } from '../../src/actions/templates/templates.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { freePort } from '../integration/guard-process.js';
import { PD_SERVER_ERROR, PD_THROTTLED, PagerDutyStandIn } from '../integration/stand-ins/pagerduty.js';
import { SLACK_RATE_LIMITED, SLACK_ROLLUP_ERROR, SlackStandIn } from '../integration/stand-ins/slack.js';
import { SmtpStandIn } from '../integration/stand-ins/smtp.js';
import { selfSignedCertificate, type TestCertificate } from '../integration/stand-ins/tls.js';

interface Harness {
  kind: string;
  secret: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  config(): ChannelConfig;
  /** The same channel pointed at a port nothing listens on. */
  unreachable(port: number): ChannelConfig;
  refuse(): void;
  throttle(seconds: number): void;
  serverError(): void;
  slow(ms: number): void;
  delivered(): number;
  /** Whether the kind passes Retry-After on (HTTP kinds). */
  retryAfter: boolean;
}

const ROUTING_KEY = 'R0UT1NGKEY0123456789abcdefSECRET';
const SMTP_PASSWORD = 'smtp-pa55word-SECRET';
let cert: TestCertificate;

function pagerDutyHarness(): Harness {
  let pd: PagerDutyStandIn;
  return {
    kind: 'pagerduty',
    secret: ROUTING_KEY,
    retryAfter: false,
    start: async () => {
      pd = await new PagerDutyStandIn(cert).start();
    },
    stop: () => pd.stop(),
    config: () => ({ type: 'pagerduty', routingKeyEnv: 'RG_TEST_SECRET', server: pd.host, caFile: cert.certFile }),
    unreachable: (port) => ({ type: 'pagerduty', routingKeyEnv: 'RG_TEST_SECRET', server: `127.0.0.1:${port}`, caFile: cert.certFile }),
    // pdjs retries a 429 three times itself before answering: script four.
    throttle: () => pd.faults.next(PD_THROTTLED, PD_THROTTLED, PD_THROTTLED, PD_THROTTLED),
    refuse: () =>
      pd.faults.next({
        status: 400,
        body: JSON.stringify({ status: 'invalid event', message: 'Event object is invalid', errors: [`routing key ${ROUTING_KEY} unknown`] }),
      }),
    serverError: () => pd.faults.next(PD_SERVER_ERROR),
    slow: (ms) => pd.faults.next({ delayMs: ms }),
    delivered: () => pd.accepted.length,
  };
}

function slackHarness(): Harness {
  let slack: SlackStandIn;
  let url = '';
  return {
    kind: 'slack',
    get secret() {
      return new URL(url).pathname;
    },
    retryAfter: true,
    start: async () => {
      slack = await new SlackStandIn().start();
      url = slack.webhook('alerts');
      process.env.RG_TEST_SLACK_URL = url;
    },
    stop: () => slack.stop(),
    config: () => ({ type: 'slack', webhookUrlEnv: 'RG_TEST_SLACK_URL' }),
    unreachable: (port) => {
      process.env.RG_TEST_SLACK_DOWN = url.replace(/:\d+\//, `:${port}/`);
      return { type: 'slack', webhookUrlEnv: 'RG_TEST_SLACK_DOWN' };
    },
    throttle: (s) => slack.faults.next(SLACK_RATE_LIMITED(s)),
    refuse: () => slack.faults.next({ status: 400, body: 'invalid_payload' }),
    serverError: () => slack.faults.next(SLACK_ROLLUP_ERROR),
    slow: (ms) => slack.faults.next({ delayMs: ms }),
    delivered: () => slack.accepted.length,
  };
}

function emailHarness(): Harness {
  let smtp: SmtpStandIn;
  const base = {
    type: 'email' as const,
    secure: false,
    ignoreTLS: true,
    user: 'guard',
    passwordEnv: 'RG_TEST_SECRET',
    from: 'guard@example.com',
    to: ['oncall@example.com'],
  };
  return {
    kind: 'email',
    secret: SMTP_PASSWORD,
    retryAfter: false,
    start: async () => {
      smtp = await new SmtpStandIn().start();
    },
    stop: () => smtp.stop(),
    config: () => ({
      ...base,
      host: '127.0.0.1',
      port: smtp.address.port,
      requireTLS: false,
      tls: { rejectUnauthorized: true, minVersion: 'TLSv1.2' as const },
    }),
    unreachable: (port) => ({ ...base, host: '127.0.0.1', port, requireTLS: false }),
    throttle: () => smtp.fail({ code: 421, message: 'Too many messages, slow down' }),
    refuse: () => smtp.fail({ code: 550, message: 'Mailbox unavailable' }),
    serverError: () => smtp.fail({ code: 451, message: 'Local error in processing' }),
    slow: (ms) => smtp.fail({ code: 250, message: 'ok', delayMs: ms }),
    delivered: () => smtp.received.length,
  };
}

const build = (h: Harness, config: ChannelConfig): Promise<Notifier> =>
  createNotifier('conformance', config, {
    logger: silentLogger(),
    env: { RG_TEST_SECRET: h.kind === 'email' ? SMTP_PASSWORD : ROUTING_KEY, ...process.env },
    baseDir: process.cwd(),
  });

const send = (n: Notifier, timeoutMs = 5000): Promise<SendResult> => {
  const payload = JSON.parse(JSON.stringify(n.format(noticeFor(sampleFacts('alert'), n, Templates.builtIn())))) as unknown;
  return n.send(payload, AbortSignal.timeout(timeoutMs));
};

const noSecret = (h: Harness, r: SendResult): void => {
  expect(JSON.stringify(r)).not.toContain(h.secret);
};

beforeAll(async () => {
  cert = await selfSignedCertificate();
});
afterAll(async () => {
  await cert.remove();
});

describe.each([pagerDutyHarness(), slackHarness(), emailHarness()])('notifier conformance: $kind', (h) => {
  let notifier: Notifier;
  beforeAll(async () => {
    await h.start();
    notifier = await build(h, h.config());
  });
  afterAll(async () => {
    await notifier.close?.();
    await h.stop();
  });

  it('formats a JSON payload without the secret, and delivers it after a JSON round trip', async () => {
    const payload = notifier.format(noticeFor(sampleFacts('alert'), notifier, Templates.builtIn()));
    expect(JSON.parse(JSON.stringify(payload))).toEqual(payload);
    expect(JSON.stringify(payload)).not.toContain(h.secret);
    const before = h.delivered();
    const r = await send(notifier);
    expect(r).toMatchObject({ ok: true });
    // The receiver's HTTP status goes into the delivery's attempt history; email answers over SMTP, not HTTP.
    expect(r.httpStatus).toBe({ pagerduty: 202, slack: 200, email: undefined }[h.kind]);
    expect(h.delivered()).toBe(before + 1);
  });

  it('does not retry a refusal (HTTP 400 / SMTP 550)', async () => {
    h.refuse();
    const r = await send(notifier);
    expect(r).toMatchObject({ ok: false, retryable: false });
    expect(r.httpStatus).toBe(h.kind === 'email' ? undefined : 400);
    noSecret(h, r);
  });

  it('retries when throttled (429 / SMTP 421) and passes Retry-After on', async () => {
    h.throttle(7);
    const r = await send(notifier);
    expect(r).toMatchObject({ ok: false, retryable: true });
    if (h.retryAfter) expect(r).toMatchObject({ retryAfterSeconds: 7 });
    noSecret(h, r);
  });

  it('retries a server error (5xx / SMTP 451)', async () => {
    h.serverError();
    const r = await send(notifier);
    expect(r).toMatchObject({ ok: false, retryable: true });
    // PagerDuty's stand-in answers 500 with an HTML page, which pdjs cannot read: no status comes back from it.
    expect(r.httpStatus).toBe({ pagerduty: undefined, slack: 500, email: undefined }[h.kind]);
    noSecret(h, r);
  });

  it('retries when nothing listens, without throwing', async () => {
    const down = await build(h, h.unreachable(await freePort()));
    const r = await send(down);
    expect(r).toMatchObject({ ok: false, retryable: true });
    expect(r.httpStatus).toBeUndefined();
    noSecret(h, r);
    await down.close?.();
  });

  it('stops at the attempt timeout and answers retryable', async () => {
    h.slow(3000);
    const r = await send(notifier, 300);
    expect(r).toMatchObject({ ok: false, retryable: true });
    noSecret(h, r);
  });
});

describe('notifier registry', () => {
  it('registers every channel folder under src/actions/notify (digest is not a channel type)', async () => {
    const { readdir } = await import('node:fs/promises');
    const { NOTIFIER_TYPES } = await import('../../src/actions/notify/registry.js');
    const folders = (await readdir('src/actions/notify', { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
    expect(folders.filter((f) => f !== 'digest').sort()).toEqual([...NOTIFIER_TYPES].sort());
  });
});
