// The watch reconcile loop: for each watched deploy, at every due step fetch → record → judge → act → save → schedule.
import { observationPlan, previousDeploysWanted, type PlannedQuery } from '../judge/plan.js';
import { JudgeSessions } from '../judge/session.js';
import type { BlindSpot, Deploy, Finding, Judgement } from '../judge/types.js';
import type { Responder } from '../actions/responder.js';
import type { RuleSet } from '../rules/schema.js';
import type { MetricSource } from '../sources/types.js';
import { isLeaseLost } from '../store/lease-lost.js';
import type { DeployRecord, DeployView, NewDelivery, SampleBatch, WatchRecord } from '../store/records.js';
import type { Store } from '../store/interfaces.js';
import type { Logger } from '../telemetry/logger.js';
import type { GuardMetrics } from '../telemetry/metrics.js';
import { metricsToQuery } from './queries.js';
import { KeyedScheduler } from './scheduler.js';
import { isRetrospective, retrospectiveJudgement } from './retrospective.js';
import { SeriesCache } from './series-cache.js';
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
  /** Evaluations in flight at most (the pool); default DEFAULT_CONCURRENCY of ./scheduler.ts. */
  concurrency?: number;
}

/**
 * What a watch keeps in memory between ticks; the store stays the durable record. Built from the store on the
 * watch's first tick in this process (a new watch, a restart, a lease taken over) and dropped when the watch ends,
 * is cancelled or its lease is lost, or when a tick fails (so the next one starts again from the store).
 */
interface WatchState {
  deploy: DeployRecord;
  /** The stored findings by rule (the store keeps one per rule: the latest). */
  findings: Map<string, Finding>;
  observations: SeriesCache;
  /** Start times of the earlier deploys the rules compare against, read once per watch. */
  previousDeploys: number[];
  /** A deploy dated ahead of its arrival has superseded the older watches (done once it has started). */
  supersededOlder: boolean;
}

/** What a tick's queries returned, to be written with its evaluation. */
interface Fetched {
  /** Series time up to which the source has answered. */
  answered: number;
  samples: SampleBatch[];
  blind: BlindSpot[];
}

/** How long after a deploy is stored its first evaluation runs (sooner if its first step comes sooner). */
export const FIRST_EVALUATION_DELAY_S = 1;

export class Watcher {
  private readonly scheduler: KeyedScheduler;
  private readonly states = new Map<string, WatchState>();
  /** Each watch's incremental judge (src/judge/session.ts): a tick judges only the steps it has not judged. */
  private readonly judges = new JudgeSessions();

  constructor(private readonly deps: WatcherDeps) {
    deps.metrics.reportBacklog(() => this.scheduler.backlog());
    this.scheduler = new KeyedScheduler({
      concurrency: deps.concurrency,
      // A lease lost to another replica is not an error to retry: that replica carries the watch now.
      run: (deployId) =>
        this.tick(deployId).catch((err: unknown) => {
          // Whatever the failure, the next tick starts again from the store, not from a state it may have outrun.
          this.forget(deployId);
          // A lease lost to another replica is not an error to retry: that replica carries the watch now.
          return isLeaseLost(err) ? this.deps.logger.warn({ deploy: deployId }, (err as Error).message) : Promise.reject(err);
        }),
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
      // Rebuilt from the store at its first tick here: the replica that carried it may have written since.
      this.forget(id);
      this.deps.logger.info({ deploy: id }, `taking over the watch of ${id}`);
      this.deps.metrics.watchesActive.inc();
      this.schedule(id, 0);
    }
  }

  /** Lets go of watches whose leases another replica holds now; an evaluation in flight is fenced by the store. */
  drop(deployIds: readonly string[]): void {
    for (const id of deployIds) {
      this.forget(id);
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

  /**
   * Schedules a new watch's first evaluation (the pre-flight at deploy start: baselines fetched, queries tried, the
   * "deploying" notice) FIRST_EVALUATION_DELAY_S after it was stored, or at its first step if that comes sooner. A
   * burst of deploys is answered before its evaluations start, and a deploy superseded within that second (a CI
   * retry, several deploys of one service in a row) is never evaluated.
   */
  scheduleFirst(deploy: Deploy, watch: Pick<WatchRecord, 'timeScale' | 'interval' | 'windowEnd'>): void {
    const firstStep = wallTimeOf(deploy, watch, Math.min(watch.windowEnd, deploy.startedAt + watch.interval));
    this.schedule(deploy.id, Math.min(FIRST_EVALUATION_DELAY_S, firstStep - this.deps.now()) * 1000);
  }

  /** Forgets a watch that ended elsewhere (superseded, stopped). */
  cancel(deployId: string): void {
    this.scheduler.cancel(deployId);
    this.forget(deployId);
  }

  /** Drops what the watch keeps in memory (series, findings, judge session); its next tick here starts from the store. */
  private forget(deployId: string): void {
    this.states.delete(deployId);
    this.judges.drop(deployId);
  }

  /** Watches whose state is held in memory now. */
  get held(): number {
    return this.states.size;
  }

  /** Runs one evaluation now; concurrent calls for the same deploy share one run. Resolves when saved. */
  evaluate(deployId: string): Promise<void> {
    return this.scheduler.runNow(deployId);
  }

  /** Stops scheduling and waits for evaluations in flight. */
  stop(): Promise<void> {
    return this.scheduler.stop();
  }

  /**
   * One tick: the watch row (ended elsewhere? window extended?), the state from memory (or the store, once), the
   * new steps from the source, the judge, the actions, and one transaction that writes it all.
   */
  private async tick(deployId: string): Promise<void> {
    let state = this.states.get(deployId);
    let watch: WatchRecord | null;
    let ready: Promise<void> = Promise.resolve();
    if (state) {
      watch = await this.deps.store.getWatch(deployId);
      if (!watch || watch.status !== 'watching') {
        this.forget(deployId);
        return;
      }
    } else {
      const loaded = await this.load(deployId);
      if (!loaded) return this.forget(deployId);
      ({ state, watch, ready } = loaded);
    }
    const { deploy } = state;
    const rules = extendedByWatch(this.deps.rulesFor(deploy), deploy, watch.windowEnd);
    if (!state.supersededOlder && deploy.startedAt > deploy.receivedAt && this.deps.now() >= deploy.startedAt) {
      await this.supersedeOlder(deploy.id);
      state.supersededOlder = true;
    }
    const target = dueStep(deploy, watch, seriesNow(deploy, watch, this.deps.now()));
    const evaluatedAt = watch.evaluatedAt ?? deploy.startedAt;
    if (target > evaluatedAt || watch.evaluatedAt === null) {
      // The judge's plan names every range its baselines need (history on the first tick, then new steps).
      const from = watch.evaluatedAt === null ? null : watch.evaluatedAt - watch.interval;
      const { previousDeploys } = state;
      const fetched = await this.fetch(
        deploy,
        watch.source,
        rules,
        observationPlan(rules, deploy, { from, to: target }, previousDeploys),
        target,
        watch.interval,
      );
      await ready;
      this.states.set(deployId, state);
      // Judge only steps the source has answered for: a step it has not yet answered is pending, never silence.
      const judgeAt = Math.max(deploy.startedAt, Math.min(target, fetched.answered));
      if (judgeAt <= evaluatedAt && watch.evaluatedAt !== null) {
        await this.record(state, fetched);
        return this.schedule(deployId, (watch.interval * 1000) / watch.timeScale);
      }
      state.observations.add(fetched.samples, fetched.blind);
      const obs = { ...state.observations.observations(), previousDeploys };
      const judging = performance.now();
      const judged = this.judges.judge(rules, deploy, obs, judgeAt);
      this.deps.metrics.judgeSeconds.inc((performance.now() - judging) / 1000);
      const retrospective = isRetrospective(deploy, watch, rules.window);
      const judgement = retrospective ? retrospectiveJudgement(judged, deploy) : judged;
      await this.act(state, watch, rules, judgement, fetched, retrospective);
      this.deps.metrics.evaluations.inc({ result: judgement.state });
      this.deps.metrics.evaluationLag.observe(Math.max(0, this.deps.now() - wallTimeOf(deploy, watch, judgeAt)));
      if (judgement.state === 'done') return this.forget(deployId);
    }
    await ready;
    this.states.set(deployId, state);
    const next = nextStep(deploy, watch, Math.max(target, evaluatedAt));
    if (next !== null) this.schedule(deployId, (wallTimeOf(deploy, watch, next) - this.deps.now()) * 1000);
  }

  /**
   * Builds a watch's state from the store: its deploy, watch and findings, the earlier deploys, and (`ready`, read
   * while the source is asked) every stored observation. Null when the watch is not open.
   */
  private async load(deployId: string): Promise<{ state: WatchState; watch: WatchRecord; ready: Promise<void> } | null> {
    const view = await this.deps.store.getDeploy(deployId);
    if (!view?.watch || view.watch.status !== 'watching') return null;
    const { deploy, watch } = view;
    const state: WatchState = {
      deploy,
      findings: new Map(view.findings.map((f) => [f.rule, f])),
      observations: new SeriesCache(),
      previousDeploys: [],
      supersededOlder: false,
    };
    const ready = this.deps.store.observations(deployId).then((stored) => {
      state.observations = SeriesCache.of(stored);
    });
    ready.catch(() => undefined); // awaited by the tick; this only keeps an early failure from going unhandled
    const wanted = previousDeploysWanted(extendedByWatch(this.deps.rulesFor(deploy), deploy, watch.windowEnd));
    if (wanted > 0) state.previousDeploys = await this.deps.store.previousDeploys(deploy.service, deploy.environment, deploy.startedAt, wanted);
    return { state, watch, ready };
  }

  /** Writes a tick that judged nothing new (its source has not answered the next step yet): observations only. */
  private async record(state: WatchState, fetched: Fetched): Promise<void> {
    if (fetched.samples.length === 0 && fetched.blind.length === 0) return;
    await this.deps.store.recordTick(state.deploy.id, { samples: fetched.samples, blind: fetched.blind, judgement: null, deliveries: [] }, this.deps.now());
    state.observations.add(fetched.samples, fetched.blind);
  }

  /** Runs the plan; answers what came back (written with the tick) and the series time up to which the source has answered. */
  private async fetch(deploy: Deploy, sourceName: string, rules: RuleSet, plan: PlannedQuery[], to: number, step: number): Promise<Fetched> {
    const source = this.deps.sources.get(sourceName);
    const decls = new Map(metricsToQuery(rules));
    const fetched: Fetched = { answered: to, samples: [], blind: [] };
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
        if (result.kind !== 'error') for (const o of [sourceName, `${sourceName}/${metric}`]) await this.deps.outages?.answered(o);
        else if (end >= deploy.startedAt) await this.deps.outages?.failed(outage, result.message, deploy);
        if (result.kind === 'value') {
          if (result.answeredUntil !== undefined && scope === 'deploy' && end >= deploy.startedAt)
            fetched.answered = Math.min(fetched.answered, result.answeredUntil);
          if (result.points.length > 0) fetched.samples.push({ scope, metric: name, points: result.points });
          return;
        }
        const message = result.kind === 'error' ? result.message : `source "${sourceName}" returned no data for ${metric}`;
        // Missing history (a week ago, earlier deploys) is not blindness: that baseline falls back to pre-deploy.
        if (end < deploy.startedAt) return this.deps.logger.info({ deploy: deploy.id, metric, start, end }, `no baseline history: ${message}`);
        if (result.kind === 'no-data') {
          // The judge tells silence from a query that never matched from the series; this records that the source answered.
          this.deps.logger.info({ deploy: deploy.id, metric, source: sourceName }, `no data: ${message}`);
          fetched.blind.push({ metric, at: to, kind: result.kind, message });
          return;
        }
        this.deps.logger.warn({ deploy: deploy.id, metric, source: sourceName }, `blind: ${message}`);
        // Every new step the failed range covered is blind, so the judge never reads its missing points as silence
        // (a later tick's range starts one step before its last judged step, which already had its answer).
        for (const at of stepsIn(deploy.startedAt, step, Math.max(start + step, deploy.startedAt), end))
          fetched.blind.push({ metric, at, kind: result.kind, message });
      }),
    );
    return fetched;
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
   * Alerts on new findings, rolls back if due, then saves — the observations, the evaluation and its notifications in
   * one transaction, so a crash never skips an action (a rollback hook call is written and attempted before it).
   * A retrospective deploy (reported after its window) raises no alert and no rollback: only its verdict is told.
   */
  private async act(state: WatchState, watch: WatchRecord, rules: RuleSet, judgement: Judgement, fetched: Fetched, retrospective = false): Promise<void> {
    const { deploy } = state;
    const view: DeployView = { deploy, watch, verdict: null, findings: [...state.findings.values()], actions: [] };
    const fresh: Finding[] = retrospective ? [] : judgement.findings.filter((f) => !state.findings.has(f.rule));
    const deliveries: NewDelivery[] = [];
    await this.deps.responder.respond(view, rules, judgement, fresh, deliveries);
    if (judgement.rollback) await this.deps.recovery?.begin(view, rules, judgement);
    const status = judgement.state === 'done' ? (judgement.verdict ?? 'inconclusive') : 'watching';
    const created = await this.deps.store.recordTick(
      deploy.id,
      { samples: fetched.samples, blind: fetched.blind, judgement: { judgement, watchStatus: status }, deliveries },
      this.deps.now(),
    );
    this.deps.responder.written(created);
    for (const f of judgement.findings) state.findings.set(f.rule, f);
    if (judgement.state === 'done') {
      this.forget(deploy.id);
      this.deps.metrics.verdicts.inc({ verdict: status, severity: judgement.severity ?? 'none' });
      this.deps.metrics.watchesActive.dec();
      const how = judgement.rollback ? ` — rolled back at series time ${judgement.rollbackAt}` : '';
      this.deps.logger.info(
        { deploy: deploy.id, verdict: status, severity: judgement.severity, reason: judgement.reason },
        `verdict for ${deploy.service}/${deploy.environment} ${deploy.version}: ${status}${judgement.severity ? ` (${judgement.severity})` : ''}${how}`,
      );
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
