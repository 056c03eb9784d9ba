// Turns the facts of one notice into outbox deliveries: one per channel it is routed to, rendered and formatted.
import { safeHref } from './notify/link.js';
import type { Deploy } from '../judge/types.js';
import type { RuleSet } from '../rules/schema.js';
import type { NewDelivery, SilenceRecord } from '../store/records.js';
import type { ActionKind } from '../store/records.js';
import type { Channels } from './channels.js';
import { threadOf } from './notify/capabilities.js';
import { DIGEST_CHANNEL } from './notify/config.js';
import { logNotifier } from './notify/log/index.js';
import type { Notice, NoticeEvent, NoticeLink, Notifier } from './notify/types.js';
import { MUTABLE_EVENTS } from './silences/match.js';
import type { NoticeFacts } from './templates/context.js';
import type { Templates } from './templates/templates.js';

export interface ComposeContext {
  channels: Channels;
  templates: Templates;
  now: number;
  /** Unix seconds after which a failing delivery is given up. */
  deadline: number;
  /** A silence in force for the deploy now, if any: mutable notices are stored muted. */
  silence: SilenceRecord | null;
}

/** Facts with nothing filled in but the event, the deploy and the links; callers add what applies. */
export function baseFacts(
  event: NoticeEvent,
  deploy: Deploy | null,
  rules: RuleSet | null,
  links: { verdictUrl: string | null; guardUrl: string; now: number },
): NoticeFacts {
  const units: Record<string, string> = {};
  for (const [name, decl] of Object.entries(rules?.metrics ?? {})) units[name] = decl.unit;
  const rawLink = deploy?.links ? (deploy.links['ci'] ?? Object.values(deploy.links)[0] ?? null) : null;
  // Deploy links are hostile input: templates (email HTML, Slack) only ever see a re-serialised http(s) URL.
  const deployLink = rawLink ? safeHref(rawLink) : null;
  return {
    event,
    severity: null,
    deploy,
    findings: [],
    units,
    reason: null,
    verdict: null,
    recovery: null,
    delivery: null,
    digest: null,
    links: { verdict: links.verdictUrl, deploy: deployLink },
    incidentKey: null,
    at: links.now,
    window: rules?.window ?? null,
    guardUrl: links.guardUrl,
  };
}

/** Renders `facts` for one channel (as its kind declares) and packs them as the notifier's Notice. */
export function noticeFor(facts: NoticeFacts, notifier: Notifier, templates: Templates): Notice {
  const rendered = templates.render(facts, notifier);
  const d = facts.deploy;
  const links: NoticeLink[] = [];
  for (const [href, text] of [
    [facts.links.verdict, 'Verdict'],
    [facts.links.deploy, 'Deploy'],
  ] as const) {
    const safe = href ? safeHref(href) : null;
    if (safe) links.push({ href: safe, text });
  }
  const details: Record<string, unknown> = {};
  for (const key of ['reason', 'verdict', 'recovery', 'delivery'] as const) if (facts[key] !== null) details[key] = facts[key];
  return {
    event: facts.event,
    severity: facts.severity,
    ...rendered,
    deploy: d
      ? { id: d.id, service: d.service, environment: d.environment, version: d.version, previousVersion: d.previousVersion ?? null, commit: d.commit ?? null }
      : null,
    findings: facts.findings,
    links,
    incidentKey: facts.incidentKey,
    at: facts.at,
    details,
  };
}

/**
 * One delivery per distinct channel the routed names resolve to (names that are not configured share the log
 * channel); `digest` holds the notice for the daily digest instead. Dedup key: `<key>:<channel>`.
 */
export function composeDeliveries(facts: NoticeFacts, routed: readonly string[], key: string, actionKind: ActionKind, ctx: ComposeContext): NewDelivery[] {
  const targets = new Map<string, { notifier: Notifier; names: string[] }>();
  const out: NewDelivery[] = [];
  const muted = ctx.silence !== null && MUTABLE_EVENTS.has(facts.event);
  for (const name of new Set(routed)) {
    if (name === DIGEST_CHANNEL) {
      out.push(digestItem(facts, key, actionKind, ctx, muted));
      continue;
    }
    const { notifier } = ctx.channels.resolve(name);
    const target = targets.get(notifier.name) ?? { notifier, names: [] };
    target.names.push(name);
    targets.set(notifier.name, target);
  }
  for (const { notifier, names } of targets.values()) {
    const notice = noticeFor(facts, notifier, ctx.templates);
    out.push({
      ...common(facts, ctx, muted),
      dedupKey: `${key}:${notifier.name}`,
      kind: 'notification',
      event: facts.event,
      channel: notifier.name,
      channelType: notifier.type,
      thread: threadOf(notifier.capabilities, { incidentKey: facts.incidentKey, deployId: facts.deploy?.id ?? null }),
      payload: notifier.format(notice),
      action: facts.deploy
        ? { kind: actionKind, target: notifier.name, request: { event: facts.event, severity: facts.severity, title: notice.title, routedAs: names } }
        : null,
    });
  }
  return out;
}

function common(facts: NoticeFacts, ctx: ComposeContext, muted: boolean) {
  return {
    deployId: facts.deploy?.id ?? null,
    service: facts.deploy?.service ?? null,
    environment: facts.deploy?.environment ?? null,
    severity: facts.severity,
    status: muted ? ('muted' as const) : ('pending' as const),
    silenceId: muted ? ctx.silence!.id : null,
    deadlineAt: ctx.deadline,
  };
}

/** A notice held for the digest: its one-line title and the facts the digest lists (plain text, as for the log). */
function digestItem(facts: NoticeFacts, key: string, actionKind: ActionKind, ctx: ComposeContext, muted: boolean): NewDelivery {
  const rendered = ctx.templates.render(facts, logNotifier);
  const finding = facts.findings[0];
  return {
    ...common(facts, ctx, muted),
    status: muted ? 'muted' : 'held',
    dedupKey: `${key}:${DIGEST_CHANNEL}`,
    kind: 'notification',
    event: facts.event,
    channel: DIGEST_CHANNEL,
    channelType: 'digest',
    thread: null,
    payload: { title: rendered.title, summary: finding?.summary ?? rendered.text, at: facts.at },
    action: facts.deploy
      ? {
          kind: actionKind,
          target: DIGEST_CHANNEL,
          request: { event: facts.event, severity: facts.severity, title: rendered.title, routedAs: [DIGEST_CHANNEL] },
        }
      : null,
  };
}
