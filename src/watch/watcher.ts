// The watch reconcile loop: for each watched deploy, at every due step fetch → record → judge → act → save → schedule.
import { observationPlan, previousDeploysWanted, type PlannedQuery } from '../judge/plan.js';
import { JudgeSessions } from '../judge/session.js';
import type { Deploy, Finding, Judgement } from '../judge/types.js';
import type { Responder } from '../actions/responder.js';
import type { RuleSet } from '../rules/schema.js';
import type { MetricSource } from '../sources/types.js';
import { isLeaseLost } from '../store/lease-lost.js';
import type { DeployView } from '../store/records.js';
import type { Store } from '../store/interfaces.js';
import type { Logger } from '../telemetry/logger.js';
import type { GuardMetrics } from '../telemetry/metrics.js';
import { metricsToQuery } from './queries.js';
import { KeyedScheduler } from './scheduler.js';
import { isRetrospective, retrospectiveJudgement } from './retrospective.js';
import type { SourceOutages } from './source-outages.js';
import { dueStep, nextStep, seriesNow, wallTimeOf } from './series-clock.js';

export interface WatcherDeps {
  store: Store;
  sources: ReadonlyMap<string, MetricSource>;
  /** The effective rules for a deploy (rules are reloadable, so this is asked at every tick). */
  rulesFor(deploy: Deploy): RuleSet;
  responder: Responder;
  /** Checks that a rolled-back deploy recovers (optional: without it, nothing is checked after a rollback). */
  recovery?: { begin(view: DeployView, rules: RuleSet, judgement: Judgement): Promise<void> };
  logger: Logger;
  metrics: GuardMetrics;
  /** Told when a source fails or answers during a watch, to alert once per source outage (optional). */
  outages?: Pick<SourceOutages, 'failed' | 'answered'>;
  /** Wall clock in Unix seconds. */
  now(): number;
  /** Replicas share the store: watches are adopted as their leases are taken (LeaseKeeper), not all at start. */
  leased?: boolean;
}

export class Watcher {
  private readonly scheduler: KeyedScheduler;
  /** Each watch's incremental judge (src/judge/session.ts): a tick judges only the steps it has not judged. */
  private readonly judges = new JudgeSessions();

  constructor(private readonly deps: WatcherDeps) {
    this.scheduler = new KeyedScheduler({
      // A lease lost to another replica is not an error to retry: that replica carries the watch now.
      run: (deployId) => this.tick(deployId).catch((err: unknown) => (isLeaseLost(err) ? this.deps.logger.warn({ deploy: deployId }, (err as Error).message) : Promise.reject(err))),
      onError: (deployId, err) => {
        this.deps.metrics.evaluations.inc({ result: 'error' });
        this.deps.logger.error({ err, deploy: deployId }, `evaluation of ${deployId} failed; retrying in 30s`);
      },
    });
  }

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
      if (this.scheduler.has(id)) continue;
      this.deps.logger.info({ deploy: id }, `taking over the watch of ${id}`);
      this.deps.metrics.watchesActive.inc();
      this.schedule(id, 0);
    }
  }

  /** Lets go of watches whose leases another replica holds now; an evaluation in flight is fenced by the store. */
  drop(deployIds: readonly string[]): void {
    for (const id of deployIds) {
      if (!this.scheduler.has(id)) continue;
      this.deps.logger.warn({ deploy: id }, `lost the lease on the watch of ${id}; another replica carries it now`);
      this.deps.metrics.watchesActive.dec();
      this.cancel(id);
    }
  }

  /** Evaluates the watch after `delayMs` (default: now). A later call replaces an earlier timer. */
  schedule(deployId: string, delayMs = 0): void {
    this.scheduler.schedule(deployId, delayMs);
  }

  /** Forgets a watch that ended elsewhere (superseded, stopped). */
  cancel(deployId: string): void {
    this.scheduler.cancel(deployId);
    this.judges.drop(deployId);
  }

  /** Runs one evaluation now; concurrent calls for the same deploy share one run. Resolves when saved. */
  evaluate(deployId: string): Promise<void> {
    return this.scheduler.runNow(deployId);
  }

  /** Stops scheduling and waits for evaluations in flight. */
  stop(): Promise<void> {
    return this.scheduler.stop();
  }

  private async tick(deployId: string): Promise<void> {
    const view = await this.deps.store.getDeploy(deployId);
    if (!view?.watch || view.watch.status !== 'watching') return this.judges.drop(deployId);
    const { deploy, watch } = view;
    const rules = extendedByWatch(this.deps.rulesFor(deploy), deploy, watch.windowEnd);
    if (deploy.startedAt > deploy.receivedAt && this.deps.now() >= deploy.startedAt) await this.supersedeOlder(deploy.id);
    const target = dueStep(deploy, watch, seriesNow(deploy, watch, this.deps.now()));
    const evaluatedAt = watch.evaluatedAt ?? deploy.startedAt;
    if (target > evaluatedAt || watch.evaluatedAt === null) {
      // The judge's plan names every range its baselines need (history on the first tick, then new steps).
      const from = watch.evaluatedAt === null ? null : watch.evaluatedAt - watch.interval;
      const wanted = previousDeploysWanted(rules);
      const previousDeploys = wanted > 0 ? await this.deps.store.previousDeploys(deploy.service, deploy.environment, deploy.startedAt, wanted) : [];
      const answered = await this.fetch(deploy, watch.source, rules, observationPlan(rules, deploy, { from, to: target }, previousDeploys), target, watch.interval);
      // Judge only steps the source has answered for: a step it has not yet answered is pending, never silence.
      const judgeAt = Math.max(deploy.startedAt, Math.min(target, answered));
      if (judgeAt <= evaluatedAt && watch.evaluatedAt !== null) return this.schedule(deployId, watch.interval * 1000 / watch.timeScale);
      const obs = { ...(await this.deps.store.observations(deploy.id)), previousDeploys };
      const judged = this.judges.judge(rules, deploy, obs, judgeAt);
      const retrospective = isRetrospective(deploy, watch, rules.window);
      const judgement = retrospective ? retrospectiveJudgement(judged, deploy) : judged;
      await this.act(view, rules, judgement, retrospective);
      this.deps.metrics.evaluations.inc({ result: judgement.state });
      if (judgement.state === 'done') return this.judges.drop(deployId);
    }
    const next = nextStep(deploy, watch, Math.max(target, evaluatedAt));
    if (next !== null) this.schedule(deployId, (wallTimeOf(deploy, watch, next) - this.deps.now()) * 1000);
  }

  /** Runs the plan and records what comes back; returns the series time up to which the source has answered. */
  private async fetch(deploy: Deploy, sourceName: string, rules: RuleSet, plan: PlannedQuery[], to: number, step: number): Promise<number> {
    const source = this.deps.sources.get(sourceName);
    const decls = new Map(metricsToQuery(rules));
    let answered = to;
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
        // A source that cannot answer is one outage; a query it rejects for good (a broken template) is its own.
        const outage = result.kind === 'error' && !result.retryable ? `${sourceName}/${metric}` : sourceName;
        if (result.kind !== 'error') [sourceName, `${sourceName}/${metric}`].forEach((o) => this.deps.outages?.answered(o));
        else if (end >= deploy.startedAt) await this.deps.outages?.failed(outage, result.message, deploy);
        if (result.kind === 'value') {
          if (result.answeredUntil !== undefined && scope === 'deploy' && end >= deploy.startedAt) answered = Math.min(answered, result.answeredUntil);
          return this.deps.store.recordSamples(deploy.id, scope, name, result.points);
        }
        const message = result.kind === 'error' ? result.message : `source "${sourceName}" returned no data for ${metric}`;
        // Missing history (a week ago, earlier deploys) is not blindness: that baseline falls back to pre-deploy.
        if (end < deploy.startedAt) return this.deps.logger.info({ deploy: deploy.id, metric, start, end }, `no baseline history: ${message}`);
        if (result.kind === 'no-data') {
          // The judge tells silence from a query that never matched from the series; this records that the source answered.
          this.deps.logger.info({ deploy: deploy.id, metric, source: sourceName }, `no data: ${message}`);
          return this.deps.store.recordBlindSpot(deploy.id, { metric, at: to, kind: result.kind, message });
        }
        this.deps.logger.warn({ deploy: deploy.id, metric, source: sourceName }, `blind: ${message}`);
        // Every new step the failed range covered is blind, so the judge never reads its missing points as silence
        // (a later tick's range starts one step before its last judged step, which already had its answer).
        for (const at of stepsIn(deploy.startedAt, step, Math.max(start + step, deploy.startedAt), end)) {
          await this.deps.store.recordBlindSpot(deploy.id, { metric, at, kind: result.kind, message });
        }
      }),
    );
    return answered;
  }

  /** A deploy dated ahead of its arrival supersedes the older watches only once it has started (see the store). */
  private async supersedeOlder(deployId: string): Promise<void> {
    for (const old of await this.deps.store.supersedeOlder(deployId, this.deps.now())) {
      this.cancel(old);
      this.deps.metrics.watchesActive.dec();
      this.deps.logger.info({ deploy: old, by: deployId }, `watch of ${old} superseded by ${deployId}, which has now started`);
    }
  }

  /**
   * Alerts on new findings, rolls back if due, then saves — in that order, so a crash never skips an action.
   * A retrospective deploy (reported after its window) raises no alert and no rollback: only its verdict is told.
   */
  private async act(view: DeployView, rules: RuleSet, judgement: Judgement, retrospective = false): Promise<void> {
    const { deploy } = view;
    const known = new Set(view.findings.map((f) => f.rule));
    const fresh: Finding[] = retrospective ? [] : judgement.findings.filter((f) => !known.has(f.rule));
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

/** The rules with the window an SRE extended (POST /v1/deploys/:id/actions `extend` moves the watch's windowEnd). */
export function extendedByWatch(rules: RuleSet, deploy: Deploy, windowEnd: number): RuleSet {
  const extra = windowEnd - (deploy.startedAt + rules.window + rules.minEvidence.extend);
  return extra > 0 ? { ...rules, window: rules.window + extra } : rules;
}

/** Step times startedAt + k·step (k >= 1) in (from, to], and `to` itself (the tick's step, or the deploy start on the first tick). */
export function stepsIn(startedAt: number, step: number, from: number, to: number): number[] {
  const times: number[] = [];
  for (let t = startedAt + Math.max(1, Math.floor((from - startedAt) / step) + 1) * step; t <= to; t += step) if (t > from) times.push(t);
  if (times.at(-1) !== to) times.push(to);
  return times;
}
