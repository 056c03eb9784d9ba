// Acts on judgements: writes every alert, lifecycle message, PagerDuty resolve and rollback hook call to the
// outbox (deduplicated, so each happens once per deploy, also across restarts); the outbox delivers them.
import { Registry } from 'prom-client';
import { BLIND_NO_DATA } from '../judge/blind.js';
import type { Deploy, Finding, Judgement, Severity } from '../judge/types.js';
import type { RuleSet } from '../rules/schema.js';
import type { ActionKind, DeliveryRecord, DeployView, NewDelivery } from '../store/records.js';
import type { Store } from '../store/interfaces.js';
import type { Logger } from '../telemetry/logger.js';
import type { GuardMetrics } from '../telemetry/metrics.js';
import { baseFacts, composeDeliveries, noticeFor } from './compose.js';
import { deliveryWith, type DeliveryRuntime } from './delivery.js';
import type { HookPayload } from './hook-delivery.js';
import { DIGEST_CHANNEL, NotificationsConfig } from './notify/config.js';
import type { NoticeEvent } from './notify/types.js';
import { MUTABLE_EVENTS, matchingSilence } from './silences/match.js';
import type { NoticeFacts } from './templates/context.js';

export interface ResponderDeps {
  store: Store;
  logger: Logger;
  metrics: GuardMetrics;
  /** Link to the verdict for people. */
  verdictUrl(deployId: string): string;
  now(): number;
  /** Channels, templates and the outbox; default: no channels (everything goes to the log), built-in templates. */
  delivery?: DeliveryRuntime;
  /** Channels for the guard's own alerts (notifications.guardAlerts, else the P2 channels); default: the log. */
  guardRoute?(): readonly string[];
}

/** What the recovery check found, for the recovered / not-recovered notices. */
export interface RecoveryReport {
  rolledBackAt: number;
  /** Seconds the check ran (the recovery window). */
  window: number;
  summary: string;
  /** Findings still breaching (not-recovered) or that cleared (recovered). */
  findings: Finding[];
}

/** PagerDuty incident key of a deploy's finding: a resolve closes what the trigger opened. */
export const incidentKey = (deployId: string, rule: string): string => `release-guard/${deployId}/${rule}`;
const NOT_RECOVERED_RULE = 'rollback-did-not-recover';

/** What the watcher and the recovery check call. Every method is safe to call again with the same input. */
export class Responder {
  private readonly delivery: DeliveryRuntime;
  /** Rules seen per deploy, for the default runtime's hook lookup. */
  private readonly seenRules = new Map<string, RuleSet>();

  constructor(private readonly deps: ResponderDeps) {
    this.delivery =
      deps.delivery ??
      deliveryWith(
        {
          store: deps.store,
          logger: deps.logger,
          registry: new Registry(),
          notifications: NotificationsConfig.parse({}),
          notifierDeps: { env: {}, baseDir: process.cwd() },
          hooksFor: (d) => this.seenRules.get(d.id)?.hooks.rollback ?? [],
          guardUrl: () => '',
          now: deps.now,
        },
        new Map(),
      );
    this.delivery.outbox.onGiveUp((d) => this.deliveryFailed(d));
  }

  /**
   * Everything one evaluation calls for: the "deploying" message on the first evaluation, alerts for fresh
   * findings, resolves for paged findings that cleared, then either the rollback or (window closed) the verdict.
   * With `into`, the notifications are composed into it rather than written (the watcher writes them in the
   * transaction that saves the evaluation, then calls `written`); rollback hook calls are always written and
   * attempted at once.
   */
  async respond(view: DeployView, rules: RuleSet, judgement: Judgement, fresh: Finding[], into?: NewDelivery[]): Promise<void> {
    const { deploy } = view;
    if (view.watch?.evaluatedAt === null)
      await this.notify(this.facts('deploy-started', deploy, rules), this.delivery.lifecycle, `notice:${deploy.id}:deploy-started`, 'notice', into);
    await this.alert(deploy, rules, fresh, into);
    await this.resolveCleared(
      deploy,
      rules,
      judgement.findings.filter((f) => f.clearedAt !== null && f.clearedAt !== undefined),
      into,
    );
    if (judgement.rollback) await this.rollback(deploy, rules, judgement, into);
    else if (judgement.state === 'done') await this.verdictNotice(deploy, rules, judgement, into);
  }

  /** After the deliveries composed by `respond(…, into)` were written: counts and logs them and wakes the outbox. */
  written(created: readonly DeliveryRecord[]): void {
    for (const d of created) {
      if (d.event === 'alert' && d.status !== 'muted' && d.severity !== null) this.deps.metrics.alerts.inc({ channel: d.channel, severity: d.severity });
      if (d.status === 'muted')
        this.deps.logger.info({ deploy: d.deployId, channel: d.channel, silence: d.silenceId }, `${d.event} to ${d.channel} muted by silence ${d.silenceId}`);
    }
    if (created.some((d) => d.status === 'pending')) this.delivery.outbox.kick();
  }

  /** One alert per (finding, channel) to the channels of the finding's severity; shadow findings are not alerted. */
  async alert(deploy: Deploy, rules: RuleSet, findings: Finding[], into?: NewDelivery[]): Promise<void> {
    for (const finding of findings) {
      // A shadow rule is on trial: its findings are stored and shown, never sent.
      if (finding.shadow) continue;
      // A source that cannot answer is the guard's own incident, alerted at once per source outage (SourceOutages),
      // not a P3 finding per deploy and metric held for tomorrow's digest.
      if (finding.kind === 'blind' && finding.condition !== BLIND_NO_DATA) continue;
      const routed = rules.severities[finding.severity].alert;
      const facts = {
        ...this.facts('alert', deploy, rules),
        severity: finding.severity,
        findings: [finding],
        reason: `${finding.rule}: ${finding.summary}`,
        incidentKey: incidentKey(deploy.id, finding.rule),
      };
      const created = await this.notify(facts, routed.length > 0 ? routed : ['log'], `alert:${deploy.id}:${finding.rule}`, 'alert', into);
      for (const d of created) this.deps.metrics.alerts.inc({ channel: d.channel, severity: finding.severity });
    }
  }

  /**
   * Fires every rollback hook of the deploy's rules once per deploy (dedup key per hook): written to the outbox,
   * attempted right away, retried by the outbox until its deadline. Tells the lifecycle channels. With no hook,
   * records a failed rollback action that says how to add one.
   */
  async rollback(deploy: Deploy, rules: RuleSet, judgement: Judgement, into?: NewDelivery[]): Promise<void> {
    this.seenRules.set(deploy.id, rules);
    const cause = judgement.findings.find((f) => f.at === judgement.rollbackAt && rules.severities[f.severity].rollback) ?? judgement.findings[0];
    const reason = cause ? `${cause.rule}: ${cause.summary}` : 'rollback requested by the rules';
    const findings = cause ? [cause, ...judgement.findings.filter((f) => f !== cause)] : judgement.findings;
    const verdict = { verdict: judgement.verdict ?? 'fail', severity: judgement.severity, reason: judgement.reason };
    if (rules.hooks.rollback.length === 0) {
      await this.noHook(deploy, reason);
      const why = `no rollback hook is configured for ${deploy.service}/${deploy.environment}: roll back by hand and add hooks.rollback to its rule file`;
      await this.notify(
        { ...this.facts('deploy-failed', deploy, rules), severity: judgement.severity, findings, verdict, reason: why },
        this.delivery.lifecycle,
        `notice:${deploy.id}:deploy-failed`,
        'notice',
        into,
      );
      return;
    }
    await this.notify(
      { ...this.facts('deploy-rolling-back', deploy, rules), severity: judgement.severity, findings, verdict, reason },
      this.delivery.lifecycle,
      `notice:${deploy.id}:deploy-rolling-back`,
      'notice',
      into,
    );
    const now = this.deps.now();
    const verdictUrl = this.deps.verdictUrl(deploy.id);
    const entries = rules.hooks.rollback.map((hook) => {
      const payload: HookPayload = { hook: hook.name, type: hook.type, reason, verdictUrl, deploy: plainDeploy(deploy), findings: judgement.findings };
      return {
        dedupKey: `rollback:${deploy.id}:${hook.name}`,
        deployId: deploy.id,
        service: deploy.service,
        environment: deploy.environment,
        kind: 'hook' as const,
        event: 'rollback',
        channel: hook.name,
        channelType: hook.type,
        severity: judgement.severity,
        thread: null,
        payload,
        status: 'pending' as const,
        silenceId: null,
        deadlineAt: now + this.delivery.policy.hookDeadline,
        action: { kind: 'rollback' as const, target: hook.name, request: { hook: hook.name, type: hook.type, reason, verdictUrl } },
      };
    });
    for (const d of await this.delivery.outbox.enqueueAndSend(entries)) {
      this.deps.logger.warn(
        { deploy: deploy.id, hook: d.channel, status: d.status, reason },
        `rolled back ${deploy.service}/${deploy.environment} ${deploy.version} with hook ${d.channel}: ${d.status}`,
      );
      this.deps.metrics.rollbacks.inc({ outcome: d.status === 'delivered' ? 'succeeded' : d.status === 'pending' ? 'retrying' : 'failed' });
    }
  }

  /** The rollback brought the service back: resolve every incident paged for the deploy and say so. */
  async recovered(deploy: Deploy, rules: RuleSet, report: RecoveryReport): Promise<void> {
    const facts = {
      ...this.facts('recovered', deploy, rules),
      findings: report.findings,
      recovery: { status: 'recovered', window: report.window, rolledBackAt: report.rolledBackAt, summary: report.summary },
    };
    await this.notify(facts, this.delivery.lifecycle, `notice:${deploy.id}:recovered`, 'notice');
    const paged = await this.pagedIncidents(deploy.id);
    const byRule = new Map(report.findings.map((f) => [incidentKey(deploy.id, f.rule), f]));
    for (const [key, channels] of paged) {
      const finding = byRule.get(key);
      const resolve = {
        ...this.facts('resolve', deploy, rules),
        findings: finding ? [finding] : [],
        incidentKey: key,
        reason: `recovered after the rollback: ${report.summary}`,
      };
      await this.notify(resolve, channels, `resolve:${deploy.id}:${key.slice(key.lastIndexOf('/') + 1)}`, 'resolve');
    }
  }

  /** The rollback did not bring the service back within the window: a P0 page "rollback did not recover". */
  async notRecovered(deploy: Deploy, rules: RuleSet, report: RecoveryReport): Promise<void> {
    const recovery = { status: 'not-recovered', window: report.window, rolledBackAt: report.rolledBackAt, summary: report.summary };
    const facts = {
      ...this.facts('not-recovered', deploy, rules),
      severity: 'P0' as const,
      findings: report.findings,
      recovery,
      reason: `rollback did not recover: ${report.summary}`,
      incidentKey: incidentKey(deploy.id, NOT_RECOVERED_RULE),
    };
    const routed = rules.severities.P0.alert;
    await this.notify(facts, routed.length > 0 ? routed : ['log'], `alert:${deploy.id}:${NOT_RECOVERED_RULE}`, 'alert');
  }

  /** The guard's own alert when a delivery was given up: to every other channel (or notifications.delivery.giveUpTo). */
  async deliveryFailed(d: DeliveryRecord): Promise<void> {
    if (d.event === 'delivery-failed') return;
    const configured = this.delivery.policy.giveUpTo ?? this.delivery.channels.names();
    const routed = configured.filter((c) => c !== d.channel);
    const view = d.deployId ? await this.deps.store.getDeploy(d.deployId) : null;
    const what = d.kind === 'hook' ? `rollback hook call (${d.channelType})` : d.event;
    const facts: NoticeFacts = {
      ...this.facts('delivery-failed', view?.deploy ?? null, null),
      severity: d.kind === 'hook' ? 'P0' : (d.severity ?? 'P1'),
      delivery: { event: what, channel: d.channel, attempts: d.attempts, error: d.lastError ?? d.status, deployId: d.deployId },
      incidentKey: `release-guard/delivery-failed/${d.id}`,
    };
    await this.notify(facts, routed.length > 0 ? routed : ['log'], `delivery-failed:${d.id}`, 'alert');
  }

  /**
   * The guard's own alert, through the outbox to notifications.guardAlerts (default: the P2 channels), once per
   * `key`: a source blind during a deploy (`deploy`: the one whose watch found it, so its record shows the alert),
   * a rule reload refused. Never muted by a silence.
   */
  async guardAlert(key: string, reason: string, severity: Severity = 'P2', deploy: Deploy | null = null): Promise<DeliveryRecord[]> {
    const facts: NoticeFacts = { ...this.facts('guard-alert', deploy, null), severity, reason, incidentKey: `release-guard/guard/${key}` };
    return this.notify(facts, this.guardRoute(), `guard:${key}`, 'alert');
  }

  /**
   * The guard's own alert sent straight to the channels, one attempt, bypassing the outbox: for when the store
   * itself cannot be written (disk full). Never throws; returns one line per channel saying how it went.
   */
  async guardAlertDirect(key: string, reason: string, severity: Severity = 'P1'): Promise<string[]> {
    const facts: NoticeFacts = { ...this.facts('guard-alert', null, null), severity, reason, incidentKey: `release-guard/guard/${key}` };
    const { channels, templates, policy } = this.delivery;
    const names = [...new Set(this.guardRoute().filter((n) => n !== DIGEST_CHANNEL))];
    const targets = new Map(names.map((n) => [channels.resolve(n).notifier.name, channels.resolve(n).notifier]));
    return Promise.all(
      [...targets.values()].map(async (notifier) => {
        try {
          const sent = await notifier.send(
            notifier.format(noticeFor(facts, notifier, templates)),
            AbortSignal.timeout((notifier.timeout ?? policy.attemptTimeout) * 1000),
          );
          return `${notifier.name}: ${sent.ok ? 'sent' : sent.error}`;
        } catch (err) {
          return `${notifier.name}: ${(err as Error).message}`;
        }
      }),
    );
  }

  private guardRoute(): readonly string[] {
    const routed = this.deps.guardRoute?.() ?? [];
    return routed.length > 0 ? routed : ['log'];
  }

  private async resolveCleared(deploy: Deploy, rules: RuleSet, cleared: Finding[], into?: NewDelivery[]): Promise<void> {
    if (cleared.length === 0) return;
    const paged = await this.pagedIncidents(deploy.id, into);
    for (const finding of cleared) {
      const key = incidentKey(deploy.id, finding.rule);
      const channels = paged.get(key);
      if (!channels) continue;
      const facts = { ...this.facts('resolve', deploy, rules), findings: [finding], incidentKey: key, reason: `${finding.rule} cleared` };
      await this.notify(facts, channels, `resolve:${deploy.id}:${finding.rule}`, 'resolve', into);
    }
  }

  /**
   * Incidents opened (or about to be, also by deliveries composed but not yet written) for a deploy on channels whose
   * kind is `resolvable` (PagerDuty): incident key (the delivery's thread) → channel names.
   */
  private async pagedIncidents(deployId: string, composed: readonly NewDelivery[] = []): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    for (const d of [...(await this.deps.store.listDeliveries({ deployId, limit: 1000 })).reverse(), ...composed]) {
      const open = d.status === 'delivered' || d.status === 'pending' || d.status === 'sending';
      const resolvable = this.delivery.channels.capabilitiesOf(d.channelType)?.resolvable === true;
      if (!resolvable || !open || d.thread === null || (d.event !== 'alert' && d.event !== 'not-recovered')) continue;
      out.set(d.thread, [...new Set([...(out.get(d.thread) ?? []), d.channel])]);
    }
    return out;
  }

  private async verdictNotice(deploy: Deploy, rules: RuleSet, judgement: Judgement, into?: NewDelivery[]): Promise<void> {
    const event: NoticeEvent = judgement.verdict === 'pass' ? 'deploy-passed' : judgement.verdict === 'fail' ? 'deploy-failed' : 'deploy-inconclusive';
    const verdict = { verdict: judgement.verdict ?? 'inconclusive', severity: judgement.severity, reason: judgement.reason };
    const reason = event === 'deploy-failed' ? `the rules do not roll back at ${judgement.severity ?? 'this severity'}; decide by hand` : judgement.reason;
    const facts = { ...this.facts(event, deploy, rules), severity: judgement.severity, findings: judgement.findings, verdict, reason };
    await this.notify(facts, this.delivery.lifecycle, `notice:${deploy.id}:${event}`, 'notice', into);
  }

  private async noHook(deploy: Deploy, reason: string): Promise<void> {
    // Recorded in the outbox as a hook call that failed at once (never attempted), so the deploy's history shows it.
    const now = this.deps.now();
    const entry: NewDelivery = {
      dedupKey: `rollback:${deploy.id}:none`,
      deployId: deploy.id,
      service: deploy.service,
      environment: deploy.environment,
      kind: 'hook',
      event: 'rollback',
      channel: 'none',
      channelType: 'none',
      severity: null,
      thread: null,
      payload: { reason },
      status: 'pending',
      silenceId: null,
      deadlineAt: now,
      action: { kind: 'rollback', target: 'none', request: { reason } },
    };
    const [claimed] = await this.deps.store.enqueueDeliveries([entry], now, { claim: true });
    if (!claimed) return;
    const error = `no rollback hook is configured for ${deploy.service}/${deploy.environment}; add hooks.rollback to a rule file matching this service (see rules/examples/checkout.yaml)`;
    this.deps.logger.error({ deploy: deploy.id, reason }, `ROLLBACK NEEDED but not possible: ${error}`);
    this.deps.metrics.rollbacks.inc({ outcome: 'no-hook' });
    await this.deps.store.finishDelivery(claimed.id, { status: 'failed', output: null, error }, this.deps.now());
  }

  private facts(event: NoticeEvent, deploy: Deploy | null, rules: RuleSet | null): NoticeFacts {
    return baseFacts(event, deploy, rules, {
      verdictUrl: deploy ? this.deps.verdictUrl(deploy.id) : null,
      guardUrl: this.delivery.guardUrl(),
      now: this.deps.now(),
    });
  }

  /**
   * Composes and enqueues a notice; mutable notices for a silenced deploy are stored muted. With `into`, the entries
   * are added to it instead (written later by the caller, see `written`) and nothing is returned.
   */
  private async notify(facts: NoticeFacts, routed: readonly string[], key: string, kind: ActionKind, into?: NewDelivery[]): Promise<DeliveryRecord[]> {
    const now = this.deps.now();
    const d = facts.deploy;
    const silence = d && MUTABLE_EVENTS.has(facts.event) ? matchingSilence(await this.deps.store.listSilences({ now }), d.service, d.environment, now) : null;
    const { channels, templates, policy } = this.delivery;
    const entries = composeDeliveries(facts, routed, key, kind, { channels, templates, now, deadline: now + policy.deadline, silence });
    if (into) {
      into.push(...entries);
      return [];
    }
    const created = await this.delivery.outbox.enqueue(entries);
    for (const m of created.filter((c) => c.status === 'muted')) {
      this.deps.logger.info({ deploy: m.deployId, channel: m.channel, silence: m.silenceId }, `${m.event} to ${m.channel} muted by silence ${m.silenceId}`);
    }
    return created;
  }
}

/** The deploy's own fields (a stored DeployRecord carries origin/receivedAt too; hooks see what the API documents). */
function plainDeploy(d: Deploy): Deploy {
  const { id, service, environment, version, previousVersion, commit, startedAt, labels, links } = d;
  return { id, service, environment, version, previousVersion, commit, startedAt, labels, links };
}
