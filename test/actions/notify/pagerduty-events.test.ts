// Notices as PagerDuty Events API v2 events: triggers with severity and evidence, resolves, change events.
import { describe, expect, it } from 'vitest';
import { noticeFor } from '../../../src/actions/compose.js';
import { pagerDutyEvent } from '../../../src/actions/notify/pagerduty/index.js';
import { LogNotifier } from '../../../src/actions/notify/log/index.js';
import type { NoticeEvent } from '../../../src/actions/notify/types.js';
import { sampleFacts } from '../../../src/actions/templates/context.js';
import { Templates } from '../../../src/actions/templates/templates.js';
import { silentLogger } from '../../../src/telemetry/logger.js';

const notice = (event: NoticeEvent, severity: 'P0' | 'P1' | 'P2' | 'P3' = 'P1') => {
  const facts = { ...sampleFacts(event), severity };
  return noticeFor(facts, new LogNotifier('x', silentLogger()), Templates.builtIn());
};

describe('pagerDutyEvent', () => {
  it('triggers with a stable dedup key, the mapped severity, the evidence and the links', () => {
    const e = pagerDutyEvent(notice('alert', 'P0'));
    expect(e).toMatchObject({
      kind: 'alert',
      event_action: 'trigger',
      dedup_key: 'release-guard/d-sample/error-rate-spike',
      payload: {
        source: 'checkout/production',
        severity: 'critical',
        component: 'checkout',
        group: 'production',
        class: 'error-rate-spike',
        timestamp: '2025-11-20T14:04:01.000Z',
      },
      links: [
        { href: 'https://guard.example.com/v1/deploys/d-sample', text: 'Verdict' },
        { href: 'https://ci.example.com/run/1', text: 'Deploy' },
      ],
      client: 'release-guard',
      client_url: 'https://guard.example.com/v1/deploys/d-sample',
    });
    if (e.kind !== 'alert') throw new Error('not an alert');
    expect(e.payload?.summary).toBe('[P0] checkout/production v1.2.0: error-rate-spike — error_rate 3.1% vs baseline 0.2% (15.5x baseline) for 2m');
    expect(e.payload?.custom_details).toMatchObject({
      deploy: { id: 'd-sample', version: 'v1.2.0', previousVersion: 'v1.1.9' },
      findings: [{ rule: 'error-rate-spike', observed: 0.031, baseline: 0.002, condition: 'ratio > 5 and value > 0.01' }],
    });
  });

  it.each([
    ['P0', 'critical'],
    ['P1', 'error'],
    ['P2', 'warning'],
    ['P3', 'info'],
  ] as const)('maps %s to %s', (severity, expected) => {
    const e = pagerDutyEvent(notice('alert', severity));
    expect(e.kind === 'alert' && e.payload?.severity).toBe(expected);
  });

  it('resolves by the same dedup key with nothing else', () => {
    expect(pagerDutyEvent(notice('resolve'))).toEqual({ kind: 'alert', event_action: 'resolve', dedup_key: 'release-guard/d-sample/error-rate-spike' });
  });

  it('sends deploy lifecycle messages as change events, which never page', () => {
    const e = pagerDutyEvent(notice('deploy-started'));
    expect(e).toMatchObject({ kind: 'change', payload: { summary: '🚀 Deploying v1.2.0 to production…', source: 'checkout/production' } });
  });
});
