// The facts of a notice and the names templates see: deploy fields, findings with their numbers, links.
import { safeHref } from '../notify/link.js';
import type { Deploy, Finding, Severity, Verdict } from '../../judge/types.js';
import { formatValue } from '../../judge/summary.js';
import { formatDuration } from '../../rules/duration.js';
import type { NoticeEvent } from '../notify/types.js';

/** A P3 finding (or other held alert) listed in the digest. */
export interface DigestItemFacts {
  severity: Severity | null;
  deployId: string | null;
  service: string | null;
  environment: string | null;
  title: string;
  summary: string;
  at: number;
}

export interface DigestFacts {
  from: number;
  to: number;
  timezone: string;
  items: DigestItemFacts[];
  verdicts: Array<{ deploy: Deploy; verdict: Verdict; severity: Severity | null; rollback: boolean; reason: string | null; decidedAt: number; link: string }>;
}

/** Everything a notice is about; the responder fills what applies and leaves the rest null. */
export interface NoticeFacts {
  event: NoticeEvent;
  severity: Severity | null;
  deploy: Deploy | null;
  /** The finding the notice is about first, then the rest. */
  findings: Finding[];
  /** Unit per metric, to show values as people read them ("3.1%", "180ms"). */
  units: Record<string, string>;
  reason: string | null;
  verdict: { verdict: Verdict; severity: Severity | null; reason: string | null } | null;
  recovery: { status: string; window: number; rolledBackAt: number; summary: string } | null;
  delivery: { event: string; channel: string; attempts: number; error: string; deployId: string | null } | null;
  digest: DigestFacts | null;
  links: { verdict: string | null; deploy: string | null };
  incidentKey: string | null;
  /** Unix seconds. */
  at: number;
  /** The watch window, seconds, for "watching for 30m". */
  window: number | null;
  guardUrl: string;
}

const iso = (t: number | null | undefined): string | null => (t === null || t === undefined ? null : new Date(t * 1000).toISOString());

function findingContext(f: Finding, units: Record<string, string>) {
  const unit = units[f.metric] ?? '';
  return {
    rule: f.rule,
    metric: f.metric,
    severity: f.severity,
    kind: f.kind,
    observed: f.observed === null ? null : formatValue(f.observed, unit),
    baseline: f.baseline === null ? null : formatValue(f.baseline, unit),
    condition: f.condition,
    summary: f.summary,
    at: iso(f.at),
  };
}

function deployContext(d: Deploy) {
  return {
    id: d.id,
    service: d.service,
    environment: d.environment,
    version: d.version,
    previousVersion: d.previousVersion ?? null,
    commit: d.commit ?? null,
    startedAt: iso(d.startedAt),
    labels: d.labels ?? {},
    links: Object.fromEntries(Object.entries(d.links ?? {}).flatMap(([k, v]) => (safeHref(v) ? [[k, safeHref(v)]] : []))),
  };
}

/** The names a template may use (see README "Templates"); every key exists, absent facts are null. */
export function templateContext(facts: NoticeFacts): Record<string, unknown> {
  const findings = facts.findings.map((f) => findingContext(f, facts.units));
  const dg = facts.digest;
  return {
    event: facts.event,
    severity: facts.severity,
    deploy: facts.deploy ? deployContext(facts.deploy) : null,
    finding: findings[0] ?? null,
    findings,
    reason: facts.reason,
    verdict: facts.verdict,
    recovery: facts.recovery ? { ...facts.recovery, window: formatDuration(facts.recovery.window), rolledBackAt: iso(facts.recovery.rolledBackAt) } : null,
    delivery: facts.delivery,
    digest: dg
      ? {
          from: iso(dg.from),
          to: iso(dg.to),
          timezone: dg.timezone,
          items: dg.items.map((i) => ({ ...i, at: iso(i.at) })),
          verdicts: dg.verdicts.map((v) => ({ ...v, deploy: deployContext(v.deploy), decidedAt: iso(v.decidedAt) })),
          counts: {
            items: dg.items.length,
            verdicts: dg.verdicts.length,
            pass: dg.verdicts.filter((v) => v.verdict === 'pass').length,
            fail: dg.verdicts.filter((v) => v.verdict === 'fail').length,
            inconclusive: dg.verdicts.filter((v) => v.verdict === 'inconclusive').length,
            rolledBack: dg.verdicts.filter((v) => v.rollback).length,
          },
        }
      : null,
    // Links reach href attributes and Slack `<href|text>`: only re-serialised http(s) URLs (notify/link.ts).
    links: { verdict: facts.links.verdict ? safeHref(facts.links.verdict) : null, deploy: facts.links.deploy ? safeHref(facts.links.deploy) : null },
    at: iso(facts.at),
    window: facts.window === null ? null : formatDuration(facts.window),
    guard: { url: facts.guardUrl },
  };
}

const SAMPLE_DEPLOY: Deploy = {
  id: 'd-sample',
  service: 'checkout',
  environment: 'production',
  version: 'v1.2.0',
  previousVersion: 'v1.1.9',
  commit: 'abc1234',
  startedAt: 1_763_647_200,
  labels: { team: 'payments' },
  links: { ci: 'https://ci.example.com/run/1' },
};
const SAMPLE_FINDING: Finding = {
  rule: 'error-rate-spike',
  metric: 'error_rate',
  severity: 'P1',
  at: 1_763_647_440,
  observed: 0.031,
  baseline: 0.002,
  condition: 'ratio > 5 and value > 0.01',
  kind: 'breach',
  summary: 'error_rate 3.1% vs baseline 0.2% (15.5x baseline) for 2m',
};

/** Facts with every field filled, to check templates at start-up (unknown names fail there, not at 3 a.m.). */
export function sampleFacts(event: NoticeEvent): NoticeFacts {
  return {
    event,
    severity: 'P1',
    deploy: SAMPLE_DEPLOY,
    findings: [SAMPLE_FINDING],
    units: { error_rate: 'fraction' },
    reason: `${SAMPLE_FINDING.rule}: ${SAMPLE_FINDING.summary}`,
    verdict: { verdict: 'fail', severity: 'P1', reason: 'error-rate-spike (P1)' },
    recovery: { status: 'not-recovered', window: 600, rolledBackAt: 1_763_647_440, summary: 'error-rate-spike still breaches' },
    delivery: { event: 'alert', channel: 'page', attempts: 7, error: 'HTTP 500', deployId: SAMPLE_DEPLOY.id },
    digest: {
      from: 1_763_560_800,
      to: 1_763_647_200,
      timezone: 'UTC',
      items: [
        {
          severity: 'P3',
          deployId: SAMPLE_DEPLOY.id,
          service: 'checkout',
          environment: 'production',
          title: 'latency drift',
          summary: 'latency_p95 +12%',
          at: 1_763_600_000,
        },
      ],
      verdicts: [
        {
          deploy: SAMPLE_DEPLOY,
          verdict: 'pass',
          severity: null,
          rollback: false,
          reason: 'window closed',
          decidedAt: 1_763_600_000,
          link: 'https://guard.example.com/v1/deploys/d-sample',
        },
      ],
    },
    links: { verdict: 'https://guard.example.com/v1/deploys/d-sample', deploy: 'https://ci.example.com/run/1' },
    incidentKey: 'release-guard/d-sample/error-rate-spike',
    at: 1_763_647_441,
    window: 1800,
    guardUrl: 'https://guard.example.com',
  };
}
