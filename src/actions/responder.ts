// Acts on judgements: fires rollback hooks at most once per deploy and raises alerts, every step recorded in the store.
import type { Deploy, Finding, Judgement } from '../judge/types.js';
import type { RuleSet } from '../rules/schema.js';
import type { Store } from '../store/types.js';
import type { Logger } from '../telemetry/logger.js';
import type { GuardMetrics } from '../telemetry/metrics.js';
import { runHook } from './hooks/index.js';

export interface ResponderDeps {
  store: Store;
  logger: Logger;
  metrics: GuardMetrics;
  /** Link to the verdict for people (API URL until the UI lands). */
  verdictUrl(deployId: string): string;
  now(): number;
}

/** What the watcher calls after each evaluation. Every method is safe to call again with the same input. */
export class Responder {
  constructor(private readonly deps: ResponderDeps) {}

  /** Raises one alert per (finding, channel) — the dedup key makes repeats no-ops, also across restarts. */
  async alert(deploy: Deploy, rules: RuleSet, findings: Finding[]): Promise<void> {
    for (const finding of findings) {
      const channels = finding.kind === 'blind' ? ['log'] : rules.severities[finding.severity].alert;
      for (const channel of channels.length ? channels : ['log']) {
        const dedupKey = `alert:${deploy.id}:${finding.rule}:${channel}`;
        const request = { severity: finding.severity, rule: finding.rule, summary: finding.summary, verdictUrl: this.deps.verdictUrl(deploy.id) };
        const action = await this.deps.store.claimAction({ deployId: deploy.id, kind: 'alert', target: channel, dedupKey, request }, this.deps.now());
        if (!action) continue;
        const level = finding.severity === 'P0' || finding.severity === 'P1' ? 'error' : 'warn';
        this.deps.logger[level]({ deploy: deploy.id, service: deploy.service, environment: deploy.environment, channel, ...request }, `${finding.severity} ${deploy.service}/${deploy.environment} ${deploy.version}: ${finding.summary}`);
        this.deps.metrics.alerts.inc({ channel, severity: finding.severity });
        await this.deps.store.finishAction(action.id, { status: 'succeeded', output: `logged to ${channel} (delivery to real channels is not configured in this version)`, error: null }, this.deps.now());
      }
    }
  }

  /**
   * Fires every rollback hook of the deploy's rules, each at most once per deploy (dedup key per hook).
   * With no hook configured, records a failed rollback action that says how to add one.
   */
  async rollback(deploy: Deploy, rules: RuleSet, judgement: Judgement): Promise<void> {
    const cause = judgement.findings.find((f) => f.at === judgement.rollbackAt && rules.severities[f.severity].rollback) ?? judgement.findings[0];
    const reason = cause ? `${cause.rule}: ${cause.summary}` : 'rollback requested by the rules';
    const verdictUrl = this.deps.verdictUrl(deploy.id);
    if (rules.hooks.rollback.length === 0) {
      const action = await this.deps.store.claimAction({ deployId: deploy.id, kind: 'rollback', target: 'none', dedupKey: `rollback:${deploy.id}:none`, request: { reason } }, this.deps.now());
      if (!action) return;
      const error = `no rollback hook is configured for ${deploy.service}/${deploy.environment}; add hooks.rollback to a rule file matching this service (see rules/examples/checkout.yaml)`;
      this.deps.logger.error({ deploy: deploy.id, reason }, `ROLLBACK NEEDED but not possible: ${error}`);
      this.deps.metrics.rollbacks.inc({ outcome: 'no-hook' });
      await this.deps.store.finishAction(action.id, { status: 'failed', output: null, error }, this.deps.now());
      return;
    }
    for (const hook of rules.hooks.rollback) {
      const request = { hook: hook.name, type: hook.type, reason, verdictUrl };
      const action = await this.deps.store.claimAction({ deployId: deploy.id, kind: 'rollback', target: hook.name, dedupKey: `rollback:${deploy.id}:${hook.name}`, request }, this.deps.now());
      if (!action) continue;
      this.deps.logger.warn({ deploy: deploy.id, hook: hook.name, reason }, `rolling back ${deploy.service}/${deploy.environment} ${deploy.version} with hook ${hook.name}`);
      const result = await runHook(hook, { deploy, reason, verdictUrl, findings: judgement.findings });
      this.deps.metrics.rollbacks.inc({ outcome: result.ok ? 'succeeded' : 'failed' });
      const log = result.ok ? this.deps.logger.info.bind(this.deps.logger) : this.deps.logger.error.bind(this.deps.logger);
      log({ deploy: deploy.id, hook: hook.name, ok: result.ok, error: result.error, durationMs: result.durationMs }, `rollback hook ${hook.name} ${result.ok ? 'succeeded' : 'FAILED'}`);
      await this.deps.store.finishAction(action.id, { status: result.ok ? 'succeeded' : 'failed', output: result.output, error: result.error }, this.deps.now());
    }
  }
}
