// Deploy intake: turns a validated deploy event into a stored deploy plus an open watch, and hands it to the watcher.
import { randomUUID } from 'node:crypto';
import type { Deploy } from '../judge/types.js';
import type { RuleSet } from '../rules/schema.js';
import type { MetricSource } from '../sources/types.js';
import type { DeployListQuery, DeployOrigin, DeploySummary, DeployView } from '../store/records.js';
import type { Store } from '../store/interfaces.js';
import type { Logger } from '../telemetry/logger.js';
import type { GuardMetrics } from '../telemetry/metrics.js';
import { DeployConflictError, differingFields } from './deploy-conflict.js';
import type { Watcher } from './watcher.js';

/** A deploy as the guard is told of it (validated by the API or a webhook adapter); absent id/startedAt are filled in. */
export interface DeployRequest {
  id?: string;
  service: string;
  environment: string;
  version: string;
  previousVersion?: string;
  commit?: string;
  /** Unix seconds; default: when it was received. */
  startedAt?: number;
  labels?: Record<string, string>;
  links?: Record<string, string>;
}

/** The use cases behind /v1/deploys and the webhooks. */
export interface DeployIntake {
  /**
   * Records a deploy and its watch (durably) and schedules the first evaluation (Watcher.scheduleFirst: a second
   * later); answers with the view as stored, before that evaluation. Idempotent on input.id: a repeat returns the
   * stored view with created=false and changes nothing. Throws IntakeError when the deploy cannot be watched as
   * configured.
   */
  ingest(input: DeployRequest, origin: DeployOrigin): Promise<{ view: DeployView; created: boolean }>;
  get(id: string): Promise<DeployView | null>;
  /** A page of deploys as summaries (no finding evidence or action payloads; `get` has those). */
  list(q: DeployListQuery): Promise<DeploySummary[]>;
  /** Ends a watch without a verdict (e.g. CI reports the rollout itself failed). Null if unknown id. */
  stop(id: string, reason: string): Promise<DeployView | null>;
}

/** A deploy the guard cannot watch as configured (the message says why and how to fix); the API answers 422. */
export class IntakeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IntakeError';
  }
}

export interface IntakeDeps {
  store: Store;
  watcher: Watcher;
  sources: ReadonlyMap<string, MetricSource>;
  defaultSource: string;
  rulesFor(deploy: Pick<Deploy, 'service' | 'environment'>): RuleSet;
  logger: Logger;
  metrics: GuardMetrics;
  now(): number;
}

export function createIntake(deps: IntakeDeps): DeployIntake {
  return {
    async ingest(input: DeployRequest, origin: DeployOrigin) {
      const receivedAt = deps.now();
      /** A repeat of a stored id: the stored view, unless the repeat says something else (409). */
      const known = (view: DeployView) => {
        const differing = differingFields(input, view.deploy, origin);
        if (differing.length > 0) throw new DeployConflictError(view.deploy.id, differing);
        return { view, created: false };
      };
      const rules = deps.rulesFor(input);
      const sourceName = rules.source ?? deps.defaultSource;
      const source = deps.sources.get(sourceName);
      if (!source) {
        // A deploy stored before the config changed is still answered as stored.
        const existing = input.id ? await deps.store.getDeploy(input.id) : null;
        if (existing) return known(existing);
        throw new IntakeError(
          `the rules for ${input.service}/${input.environment} use metric source "${sourceName}", which is not configured; add it under sources: in the config or change source: in ${rules.sources.at(-1) ?? 'the rule file'}`,
        );
      }
      const deploy = {
        id: input.id ?? `d-${randomUUID()}`,
        service: input.service,
        environment: input.environment,
        version: input.version,
        previousVersion: input.previousVersion ?? null,
        commit: input.commit ?? null,
        startedAt: input.startedAt ?? Math.floor(receivedAt),
        labels: input.labels ?? {},
        links: input.links ?? {},
        origin,
        receivedAt,
      };
      const watch = {
        status: 'watching' as const,
        source: sourceName,
        timeScale: source.timeScale,
        // The judge may extend the window while evidence is short; it says when it is done, the watch stops there.
        windowEnd: deploy.startedAt + rules.window + rules.minEvidence.extend,
        interval: rules.interval,
        evaluatedAt: null,
        supersededBy: null,
        reason: null,
      };
      // One write transaction, no read before it: a repeated id (a CI retry, or a concurrent repeat) comes back as
      // not created, with the stored view.
      const result = await deps.store.createDeploy(deploy, watch);
      if (!result.created) return known(result.view);
      for (const old of result.superseded) {
        deps.watcher.cancel(old);
        deps.metrics.watchesActive.dec();
      }
      deps.metrics.watchesActive.inc();
      // One line per deploy, naming the watches it superseded (one log call, not one more per superseded watch).
      const { superseded } = result;
      deps.logger.info(
        {
          deploy: deploy.id,
          service: deploy.service,
          environment: deploy.environment,
          version: deploy.version,
          source: sourceName,
          window: rules.window,
          ...(superseded.length > 0 ? { superseded } : {}),
        },
        `watching ${deploy.service}/${deploy.environment} ${deploy.version} (${deploy.id}) for ${rules.window / 60} min with source ${sourceName}${source.timeScale !== 1 ? ` at ${source.timeScale}x speed` : ''}${superseded.length > 0 ? `; superseded the watch of ${superseded.join(', ')}` : ''}`,
      );
      // Answer once the deploy and its watch are durable; the first evaluation runs a second later, off the request
      // path (a restart resumes it from the store, so nothing is lost if the guard dies in between).
      deps.watcher.scheduleFirst(deploy, watch);
      return { view: result.view, created: true };
    },
    get: (id: string) => deps.store.getDeploy(id),
    list: (q: DeployListQuery) => deps.store.listDeploys(q),
    async stop(id: string, reason: string): Promise<DeployView | null> {
      const view = await deps.store.getDeploy(id);
      if (!view) return null;
      if (view.watch?.status === 'watching') {
        deps.watcher.cancel(id);
        await deps.store.endWatch(id, 'stopped', reason, deps.now());
        deps.metrics.watchesActive.dec();
        deps.logger.info({ deploy: id, reason }, `watch of ${id} stopped: ${reason}`);
      }
      return deps.store.getDeploy(id);
    },
  };
}
