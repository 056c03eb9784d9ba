// After a rollback the guard keeps watching: it checks each interval whether the findings that caused the rollback
// have cleared (by the judge's own hysteresis) and says so; if they have not when the window ends, it pages P0.
import { evaluateRule } from '../judge/evaluate-rule.js';
import { observedAt } from '../judge/steps.js';
import { formatValue } from '../judge/summary.js';
import type { Deploy, Finding, Judgement, Observations } from '../judge/types.js';
import type { RecoveryReport, Responder } from '../actions/responder.js';
import { formatDuration } from '../rules/duration.js';
import { metricDecl } from '../rules/metric-decl.js';
import type { RuleSet } from '../rules/schema.js';
import type { MetricSource } from '../sources/types.js';
import type { RecoveryRecord } from '../store/records.js';
import type { DeployView } from '../store/records.js';
import type { Store } from '../store/interfaces.js';
import { isLeaseLost } from '../store/lease-lost.js';
import type { Logger } from '../telemetry/logger.js';
import { metricsToQuery } from './queries.js';
import { KeyedScheduler } from './scheduler.js';
import { dueStep, seriesNow, wallTimeOf } from './series-clock.js';

export interface RecoveryAssessment {
  recovered: boolean;
  /** Findings (as re-judged up to the step) that cleared, and those still holding. */
  cleared: Finding[];
  holding: Finding[];
  summary: string;
}

export interface AssessInput {
  rules: RuleSet;
  deploy: Deploy;
  obs: Observations;
  rolledBackAt: number;
  /** The last step to judge (series time). */
  upTo: number;
  /** Rules whose findings must clear. */
  verify: readonly string[];
}

/**
 * Pure: re-judges each rule to verify over every step from the deploy to `upTo` and asks whether its finding has
 * cleared (the judge's `clearAfter` consecutive clear steps). Recovered when every one has; a rule no longer in the
 * rules, or that the data no longer establishes, counts as cleared.
 */
export function assessRecovery(input: AssessInput): RecoveryAssessment {
  const { rules, deploy, obs, upTo } = input;
  const steps: number[] = [];
  for (let t = deploy.startedAt + rules.interval; t <= upTo; t += rules.interval) steps.push(t);
  const cleared: Finding[] = [];
  const holding: Finding[] = [];
  for (const name of input.verify) {
    const rule = rules.rules.find((r) => r.name === name);
    if (!rule) continue;
    const decl = metricDecl(rules, rule.metric);
    const finding = evaluateRule({
      rule,
      obs,
      direction: decl?.direction ?? 'increase',
      unit: decl?.unit ?? '',
      baseline: rules.baseline,
      startedAt: deploy.startedAt,
      window: rules.window,
      interval: rules.interval,
      steps,
    });
    if (!finding) continue;
    if (finding.clearedAt !== null && finding.clearedAt !== undefined) cleared.push(finding);
    else holding.push(finding);
  }
  if (holding.length === 0) {
    const names = cleared.map((f) => f.rule).join(', ') || 'the findings';
    const clearedAt = Math.max(input.rolledBackAt, ...cleared.map((f) => f.clearedAt ?? input.rolledBackAt));
    return {
      recovered: true,
      cleared,
      holding,
      summary: `${names} cleared ${formatDuration(clearedAt - input.rolledBackAt)} after the rollback; the metrics are back to their baseline`,
    };
  }
  const after = formatDuration(Math.max(0, upTo - input.rolledBackAt));
  const still = holding.map((f) => stillBreaching(f, rules, obs, upTo)).join('; ');
  return { recovered: false, cleared, holding, summary: `${after} after the rollback still breaching: ${still}` };
}

function stillBreaching(f: Finding, rules: RuleSet, obs: Observations, at: number): string {
  const unit = rules.metrics[f.metric]?.unit ?? '';
  const latest = observedAt(obs.series[f.metric] ?? [], at, rules.interval);
  const value = latest === null ? 'no data' : formatValue(latest, unit);
  const base = f.baseline === null ? '' : ` vs baseline ${formatValue(f.baseline, unit)}`;
  return `${f.rule}: ${f.metric} ${value}${base} (${f.condition})`;
}

export interface RecoveryDeps {
  store: Store;
  sources: ReadonlyMap<string, MetricSource>;
  rulesFor(deploy: Deploy): RuleSet;
  responder: Responder;
  logger: Logger;
  /** Wall clock, Unix seconds. */
  now(): number;
  /** Replicas share the store: checks are adopted as their leases are taken (LeaseKeeper), not all at start. */
  leased?: boolean;
}

/** Runs the recovery checks: one timer per rolled-back deploy, resumed from the store after a restart. */
export class RecoveryWatch {
  private readonly scheduler: KeyedScheduler;

  constructor(private readonly deps: RecoveryDeps) {
    this.scheduler = new KeyedScheduler({
      run: (deployId) =>
        this.tick(deployId).catch((err: unknown) =>
          isLeaseLost(err) ? this.deps.logger.warn({ deploy: deployId }, (err as Error).message) : Promise.reject(err),
        ),
      onError: (deployId, err) => this.deps.logger.error({ err, deploy: deployId }, `recovery check of ${deployId} failed; retrying in 30s`),
    });
  }

  /** Resumes every check still running; returns how many. */
  async start(): Promise<number> {
    if (this.deps.leased) return 0;
    const active = await this.deps.store.activeRecoveries();
    for (const r of active) this.schedule(r.deployId, 0);
    return active.length;
  }

  /** Takes on checks whose leases this replica was given. */
  adopt(deployIds: readonly string[]): void {
    for (const id of deployIds) if (!this.scheduler.has(id)) this.schedule(id, 0);
  }

  /** Lets go of checks another replica holds now. */
  drop(deployIds: readonly string[]): void {
    for (const id of deployIds) this.scheduler.cancel(id);
  }

  /**
   * Starts the check for a deploy the judgement rolled back (idempotent: a second call changes nothing). The
   * rollback happened now — the current step, which is later than the finding's time when the watch caught up.
   */
  async begin(view: DeployView, rules: RuleSet, judgement: Judgement): Promise<void> {
    const current = view.watch ? dueStep(view.deploy, view.watch, seriesNow(view.deploy, view.watch, this.deps.now())) : 0;
    const rolledBackAt = Math.max(judgement.rollbackAt ?? judgement.evaluatedAt, current);
    const breaches = judgement.findings.filter((f) => f.kind === 'breach');
    const triggers = breaches.filter((f) => rules.severities[f.severity].rollback);
    const verify = [...new Set((triggers.length > 0 ? triggers : breaches).map((f) => f.rule))];
    const window = rules.recovery.window;
    const created = await this.deps.store.beginRecovery(
      { deployId: view.deploy.id, rolledBackAt, windowEnd: rolledBackAt + window, rules: verify },
      this.deps.now(),
    );
    if (!created) return;
    this.deps.logger.info(
      { deploy: view.deploy.id, rules: verify, window },
      `checking for ${formatDuration(window)} that ${view.deploy.service}/${view.deploy.environment} recovers after the rollback`,
    );
    this.schedule(view.deploy.id, 0);
  }

  /** Stops scheduling and waits for checks in flight. */
  stop(): Promise<void> {
    return this.scheduler.stop();
  }

  /** Runs one check now; concurrent calls share one run. */
  check(deployId: string): Promise<void> {
    return this.scheduler.runNow(deployId);
  }

  private schedule(deployId: string, delayMs: number): void {
    this.scheduler.schedule(deployId, delayMs);
  }

  private async tick(deployId: string): Promise<void> {
    const rec = await this.deps.store.getRecovery(deployId);
    const view = await this.deps.store.getDeploy(deployId);
    if (!rec || rec.status !== 'checking' || !view?.watch) return;
    const { deploy, watch } = view;
    const rules = this.deps.rulesFor(deploy);
    const interval = watch.interval;
    const now = seriesNow(deploy, watch, this.deps.now());
    const checked = rec.checkedAt ?? rec.rolledBackAt;
    const due = Math.min(rec.windowEnd, rec.rolledBackAt + Math.max(0, Math.floor((now - rec.rolledBackAt) / interval)) * interval);
    if (due > checked && (await this.checkUpTo(view, rules, rec, due))) return;
    const next = Math.min(rec.windowEnd, Math.max(due, checked) + interval);
    this.schedule(deployId, (wallTimeOf(deploy, watch, next) - this.deps.now()) * 1000);
  }

  /** Measures up to `due` and decides; true when the check is over. */
  private async checkUpTo(view: DeployView, rules: RuleSet, rec: RecoveryRecord, due: number): Promise<boolean> {
    const { deploy } = view;
    await this.fetch(view, rules, (rec.checkedAt ?? rec.rolledBackAt) - view.watch!.interval, due, rec.rolledBackAt);
    const obs = await this.deps.store.observations(deploy.id);
    const a = assessRecovery({ rules, deploy, obs, rolledBackAt: rec.rolledBackAt, upTo: due, verify: rec.rules });
    const report: RecoveryReport = {
      rolledBackAt: rec.rolledBackAt,
      window: rec.windowEnd - rec.rolledBackAt,
      summary: a.summary,
      findings: a.recovered ? a.cleared : a.holding,
    };
    const now = this.deps.now();
    if (a.recovered) {
      this.deps.logger.info({ deploy: deploy.id, summary: a.summary }, `${deploy.service}/${deploy.environment} recovered after the rollback`);
      await this.deps.responder.recovered(deploy, rules, report);
      await this.deps.store.updateRecovery(deploy.id, { status: 'recovered', checkedAt: due, summary: a.summary }, now);
      return true;
    }
    if (due >= rec.windowEnd) {
      this.deps.logger.error({ deploy: deploy.id, summary: a.summary }, `ROLLBACK DID NOT RECOVER ${deploy.service}/${deploy.environment}: ${a.summary}`);
      await this.deps.responder.notRecovered(deploy, rules, report);
      await this.deps.store.updateRecovery(deploy.id, { status: 'not-recovered', checkedAt: due, summary: a.summary }, now);
      return true;
    }
    await this.deps.store.updateRecovery(deploy.id, { status: 'checking', checkedAt: due, summary: a.summary }, now);
    return false;
  }

  /** Queries the metrics after the rollback; the service now runs the previous version. */
  private async fetch(view: DeployView, rules: RuleSet, from: number, to: number, rolledBackAt: number): Promise<void> {
    const { deploy, watch } = view;
    const source = this.deps.sources.get(watch!.source);
    if (!source) return;
    const running = { ...deploy, version: deploy.previousVersion ?? deploy.version };
    await Promise.all(
      metricsToQuery(rules).map(async ([metric, decl]) => {
        const result = await source.query({ metric, decl, deploy: running, scope: 'deploy', start: from, end: to, step: watch!.interval, rolledBackAt });
        if (result.kind === 'value') await this.deps.store.recordSamples(deploy.id, 'deploy', metric, result.points);
      }),
    );
  }
}
