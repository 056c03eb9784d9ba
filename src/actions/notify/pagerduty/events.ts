// Turns a notice into a PagerDuty Events API v2 event: trigger, resolve, or a change event for deploy news.
// https://developer.pagerduty.com/docs/events-api-v2-overview
import { safeHref } from '../link.js';
import type { Severity } from '../../../judge/types.js';
import { noEscape } from '../../templates/engine.js';
import type { NotifierCapabilities } from '../capabilities.js';
import type { Notice } from '../types.js';
import type { PagerDutyPayload } from './schema.js';

/** P0–P3 as PagerDuty severities. */
export const PAGERDUTY_SEVERITY: Record<Severity, 'critical' | 'error' | 'warning' | 'info'> = { P0: 'critical', P1: 'error', P2: 'warning', P3: 'info' };

/**
 * PagerDuty: plain text, one thread per incident (a resolve never overtakes its trigger), and incidents that stay
 * open until a resolve with the same dedup_key closes them.
 */
export const PAGERDUTY_CAPABILITIES: NotifierCapabilities = { escapeText: noEscape, html: false, threadBy: 'incident', resolvable: true };

const SUMMARY_LIMIT = 1024;
const TRIGGERS = new Set<Notice['event']>(['alert', 'not-recovered', 'delivery-failed', 'guard-alert']);

function cut(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}

/** The dedup_key of a notice: its incident key (stable per deploy and rule), else one for this notice alone. */
export function dedupKeyOf(notice: Notice): string {
  return cut(notice.incidentKey ?? `release-guard/${notice.event}/${notice.deploy?.id ?? 'guard'}/${notice.at}`, 255);
}

/**
 * Alerts (findings, "rollback did not recover", failed deliveries) trigger an incident with the evidence in
 * custom_details; `resolve` resolves it by the same dedup_key; deploy lifecycle notices and the digest become
 * change events, which PagerDuty shows on the service timeline without paging anyone.
 */
export function pagerDutyEvent(notice: Notice): PagerDutyPayload {
  const d = notice.deploy;
  const source = d ? `${d.service}/${d.environment}` : 'release-guard';
  const timestamp = new Date(notice.at * 1000).toISOString();
  const links = notice.links.flatMap((l) => {
    const href = safeHref(l.href);
    return href ? [{ href, text: l.text }] : [];
  });
  const custom_details = {
    ...notice.details,
    message: notice.text,
    ...(d ? { deploy: d } : {}),
    ...(notice.findings.length > 0 ? { findings: notice.findings } : {}),
  };
  if (notice.event === 'resolve') return { kind: 'alert', event_action: 'resolve', dedup_key: dedupKeyOf(notice) };
  if (!TRIGGERS.has(notice.event)) return { kind: 'change', payload: { summary: cut(notice.title, SUMMARY_LIMIT), source, timestamp, custom_details }, links };
  const finding = notice.findings[0];
  return {
    kind: 'alert',
    event_action: 'trigger',
    dedup_key: dedupKeyOf(notice),
    payload: {
      summary: cut(notice.title, SUMMARY_LIMIT),
      source,
      severity: notice.severity ? PAGERDUTY_SEVERITY[notice.severity] : 'error',
      timestamp,
      ...(d ? { component: d.service, group: d.environment } : {}),
      ...(finding ? { class: finding.rule } : { class: notice.event }),
      custom_details,
    },
    links,
    client: 'release-guard',
    ...(links[0] ? { client_url: links[0].href } : {}),
  };
}
