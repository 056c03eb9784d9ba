// The watch reconcile loop: for each watched deploy, at every due step fetch → record → judge → act → save → schedule.
import { judge } from '../judge/judge.js';
import { observationPlan, previousDeploysWanted, watchedMetrics, type PlannedQuery } from '../judge/plan.js';
import type { Deploy, Finding, Judgement } from '../judge/types.js';
import type { Responder } from '../actions/responder.js';
import type { RecoveryWatch } from './recovery.js';
import { BUILTIN_METRICS, type CanonicalMetric, type MetricDecl, type RuleSet } from '../rules/schema.js';
import type { MetricSource } from '../sources/types.js';
import { isLeaseLost } from '../store/lease-lost.js';
import type { DeployView } from '../store/records.js';
import type { Store } from '../store/interfaces.js';
import type { Logger } from '../telemetry/logger.js';
import type { GuardMetrics } from '../telemetry/metrics.js';
import { dueStep, nextStep, seriesNow, wallTimeOf } from './series-clock.js';

export interface WatcherDeps {
  store: Store;
  sources: ReadonlyMap<string, MetricSource>;
  /** The effective rules for a deploy (rules are reloadable, so this is asked at every tick). */
  rulesFor(deploy: Deploy): RuleSet;
  responder: Responder;
  /** Checks that a rolled-back deploy recovers (optional: without it, nothing is checked after a rollback). */
  recovery?: Pick<RecoveryWatch, 'begin'>;
  logger: Logger;
  metrics: GuardMetrics;
  /** Wall clock in Unix seconds. */
  now(): number;
  /** Replicas share the store: watches are adopted as their leases are taken (LeaseKeeper), not all at start. */
  leased?: boolean;
}

/** Metrics a watch queries: every metric a rule judges, plus throughput (the evidence of traffic). */
export function metricsToQuery(rules: RuleSet): Array<[string, MetricDecl]> {
  const names = new Set<string>(watchedMetrics(rules));
  return [...names].map((name) => [name, rules.metrics[name] ?? BUILTIN_METRICS[name as CanonicalMetric]] as [string, MetricDecl]).filter(([, decl]) => decl !== undefined);
}

export class Watcher {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly running = new Map<string, Promise<void>>();
  private stopped = false;

  constructor(private readonly deps: WatcherDeps) {}

  /**
   * Resumes every watch the store says is open (after a restart, from where it left off). Interrupted hook calls are
   * the outbox's to report (OutboxStore.resumeDeliveries); this may run before or after it.
   */
  async start(): Promise<number> {
    if (this.deps.leased) return 0;
    const active = await this.deps.store.activeWatches();
    for (const { deploy } of active) this.schedule(deploy.id, 0);
    this.deps.metrics.watchesActive.set(active.length);
    return active.length;
  }

  /** Takes on watches whose leases this replica was given (a replica died, or they were free). */
  adopt(deployIds: readonly string[]): void {
    for (const id of deployIds) {
      if (this.timers.has(id) || this.running.has(id)) continue;
      this.deps.logger.info({ deploy: id }, `taking over the watch of ${id}`);
      this.deps.metrics.watchesActive.inc();
      this.schedule(id, 0);
    }
  }

  /** Lets go of watches whose leases another replica holds now; an evaluation in flight is fenced by the store. */
  drop(deployIds: readonly string[]): void {
    for (const id of deployIds) {
      if (!this.timers.has(id) && !this.running.has(id)) continue;
      this.deps.logger.warn({ deploy: id }, `lost the lease on the watch of ${id}; another replica carries it now`);
      this.deps.metrics.watchesActive.dec();
      this.cancel(id);
    }
  }

  /** Evaluates the watch after `delayMs` (default: now). A later call replaces an earlier timer. */
  schedule(deployId: string, delayMs = 0): void {
    if (this.stopped) return;
    clearTimeout(this.timers.get(deployId));
    const timer = setTimeout(() => {
      this.timers.delete(deployId);
      void this.evaluate(deployId);
    }, Math.max(0, Math.min(delayMs, 2 ** 31 - 1)));
    this.timers.set(deployId, timer);
  }

  /** Forgets a watch that ended elsewhere (superseded, stopped). */
  cancel(deployId: string): void {
    clearTimeout(this.timers.get(deployId));
    this.timers.delete(deployId);
  }

  /** Runs one evaluation now; concurrent calls for the same deploy share one run. Resolves when saved. */
  evaluate(deployId: string): Promise<void> {
    const inFlight = this.running.get(deployId);
    if (inFlight) return inFlight;
    const run = this.tick(deployId)
      .catch((err: unknown) => {
        if (isLeaseLost(err)) {
          this.cancel(deployId);
          this.deps.logger.warn({ deploy: deployId }, (err as Error).message);
          return;
        }
        this.deps.metrics.evaluations.inc({ result: 'error' });
        this.deps.logger.error({ err, deploy: deployId }, `evaluation of ${deployId} failed; retrying in 30s`);
        this.schedule(deployId, 30_000);
      })
      .finally(() => this.running.delete(deployId));
    this.running.set(deployId, run);
    return run;
  }

  /** Stops scheduling and waits for evaluations in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    await Promise.allSettled([...this.running.values()]);
  }

  private async tick(deployId: string): Promise<void> {
    const view = await this.deps.store.getDeploy(deployId);
    if (!view?.watch || view.watch.status !== 'watching') return;
    const { deploy, watch } = view;
    const rules = this.deps.rulesFor(deploy);
    const target = dueStep(deploy, watch, seriesNow(deploy, watch, this.deps.now()));
    const evaluatedAt = watch.evaluatedAt ?? deploy.startedAt;
    if (target > evaluatedAt || watch.evaluatedAt === null) {
      // The judge's plan names every range its baselines need (history on the first tick, then new steps).
      const from = watch.evaluatedAt === null ? null : watch.evaluatedAt - watch.interval;
      const wanted = previousDeploysWanted(rules);
      const previousDeploys = wanted > 0 ? await this.deps.store.previousDeploys(deploy.service, deploy.environment, deploy.startedAt, wanted) : [];
      await this.fetch(deploy, watch.source, rules, observationPlan(rules, deploy, { from, to: target }, previousDeploys), target, watch.interval);
      const obs = { ...(await this.deps.store.observations(deploy.id)), previousDeploys };
      const judgement = judge(rules, deploy, obs, target);
      await this.act(view, rules, judgement);
      this.deps.metrics.evaluations.inc({ result: judgement.state });
      if (judgement.state === 'done') return;
    }
    const next = nextStep(deploy, watch, Math.max(target, evaluatedAt));
    if (next !== null) this.schedule(deployId, (wallTimeOf(deploy, watch, next) - this.deps.now()) * 1000);
  }

  private async fetch(deploy: Deploy, sourceName: string, rules: RuleSet, plan: PlannedQuery[], to: number, step: number): Promise<void> {
    const source = this.deps.sources.get(sourceName);
    const decls = new Map(metricsToQuery(rules));
    await Promise.all(
      plan.map(async ({ scope, metric: name, start, end }) => {
        const decl = decls.get(name);
        if (!decl) return;
        // Control-group blind spots are named control:<metric> so they never make the deploy's own metric blind.
        const metric = scope === 'control' ? `control:${name}` : name;
        const result = source
          ? await source.query({ metric: name, decl, deploy, scope, start, end, step })
          : ({ kind: 'error', message: `metric source "${sourceName}" is not configured (it was removed from the config?)`, retryable: false } as const);
        this.deps.metrics.sourceQueries.inc({ source: sourceName, metric, result: result.kind });
        if (result.kind === 'value') return this.deps.store.recordSamples(deploy.id, scope, name, result.points);
        const message = result.kind === 'error' ? result.message : `source "${sourceName}" returned no data for ${metric}`;
        // Missing history (a week ago, earlier deploys) is not blindness: that baseline falls back to pre-deploy.
        if (end < deploy.startedAt) return this.deps.logger.info({ deploy: deploy.id, metric, start, end }, `no baseline history: ${message}`);
        this.deps.logger.warn({ deploy: deploy.id, metric, source: sourceName }, `blind: ${message}`);
        return this.deps.store.recordBlindSpot(deploy.id, { metric, at: to, kind: result.kind, message });
      }),
    );
  }

  /** Alerts on new findings, rolls back if due, then saves — in that order, so a crash never skips an action. */
  private async act(view: DeployView, rules: RuleSet, judgement: Judgement): Promise<void> {
    const { deploy } = view;
    const known = new Set(view.findings.map((f) => f.rule));
    const fresh: Finding[] = judgement.findings.filter((f) => !known.has(f.rule));
    await this.deps.responder.respond(view, rules, judgement, fresh);
    if (judgement.rollback) await this.deps.recovery?.begin(view, rules, judgement);
    const status = judgement.state === 'done' ? (judgement.verdict ?? 'inconclusive') : 'watching';
    await this.deps.store.saveJudgement(deploy.id, judgement, status, this.deps.now());
    if (judgement.state === 'done') {
      this.deps.metrics.verdicts.inc({ verdict: status, severity: judgement.severity ?? 'none' });
      this.deps.metrics.watchesActive.dec();
      const how = judgement.rollback ? ` — rolled back at series time ${judgement.rollbackAt}` : '';
      this.deps.logger.info({ deploy: deploy.id, verdict: status, severity: judgement.severity, reason: judgement.reason }, `verdict for ${deploy.service}/${deploy.environment} ${deploy.version}: ${status}${judgement.severity ? ` (${judgement.severity})` : ''}${how}`);
    }
  }
}
