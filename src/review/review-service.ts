// SRE actions and feedback on a deploy: each is recorded with who, why and when; a rollback goes through the
// responder's exactly-once hook path (dedup key rollback:<deploy>:<hook>), never a path of its own.
import type { Responder } from '../actions/responder.js';
import type { Deploy, Judgement } from '../judge/types.js';
import type { RuleSet } from '../rules/schema.js';
import type { DeliveryRecord, RecoveryRecord } from '../store/records.js';
import type { FeedbackLabel, FeedbackRecord, ReviewActionKind, ReviewActionRecord } from '../store/records.js';
import type { DeployView } from '../store/records.js';
import type { Store } from '../store/interfaces.js';
import type { Logger } from '../telemetry/logger.js';
import { deployCharts, type DeployCharts } from './charts.js';

/** A review request the deploy's state does not allow (answered 409) or that names something unknown (404). */
export class ReviewError extends Error {
  constructor(
    message: string,
    readonly status: 404 | 409 | 400,
  ) {
    super(message);
    this.name = 'ReviewError';
  }
}

export interface ReviewServiceDeps {
  store: Store;
  responder: Pick<Responder, 'rollback'>;
  rulesFor(deploy: Pick<Deploy, 'service' | 'environment'>): RuleSet;
  /**
   * The recovery check (watch/recovery.ts RecoveryWatch): a manual rollback starts it exactly as an automatic one
   * does (idempotent: a deploy already rolled back keeps the check it has).
   */
  recovery: { begin(view: DeployView, rules: RuleSet, judgement: Judgement): Promise<void> };
  /** Ends a watch (the intake's stop, so the watcher forgets it too). */
  stopWatch(deployId: string, reason: string): Promise<unknown>;
  logger: Logger;
  now(): number;
}

export interface ActionRequest {
  action: ReviewActionKind;
  reason: string;
  actor: string;
  /** extend only: seconds added to the window. */
  seconds?: number;
}

export interface FeedbackRequest {
  label: FeedbackLabel;
  rule?: string;
  note: string;
  actor: string;
}

/** What GET /v1/deploys/:id adds to the view: the SRE actions and feedback, what was delivered, the recovery check. */
export interface ReviewExtras {
  reviewActions: ReviewActionRecord[];
  feedback: FeedbackRecord[];
  deliveries: DeliveryRecord[];
  /** The check after a rollback (automatic or manual) that the metrics come back; null before any rollback. */
  recovery: RecoveryRecord | null;
}

export interface ReviewService {
  act(deployId: string, req: ActionRequest): Promise<ReviewActionRecord>;
  feedback(deployId: string, req: FeedbackRequest): Promise<FeedbackRecord>;
  extras(deployId: string): Promise<ReviewExtras>;
  /** Chart data of the deploy's judged metrics; null for an unknown deploy. */
  charts(deployId: string): Promise<DeployCharts | null>;
}

export function createReviewService(deps: ReviewServiceDeps): ReviewService {
  const record = (deployId: string, req: ActionRequest, outcome: string | null) =>
    deps.store.recordReviewAction({ deployId, action: req.action, actor: req.actor, reason: req.reason, outcome, createdAt: deps.now() });

  async function load(deployId: string): Promise<DeployView> {
    const view = await deps.store.getDeploy(deployId);
    if (!view) throw new ReviewError(`no deploy with id ${deployId}; list deploys with GET /v1/deploys`, 404);
    return view;
  }

  async function rollback(view: DeployView, req: ActionRequest): Promise<string> {
    const { deploy } = view;
    const rules = deps.rulesFor(deploy);
    const judgement: Judgement = {
      state: 'done',
      verdict: 'fail',
      severity: view.verdict?.severity ?? view.findings[0]?.severity ?? null,
      rollback: true,
      rollbackAt: view.watch?.evaluatedAt ?? deploy.startedAt,
      findings: view.findings,
      evaluatedAt: view.watch?.evaluatedAt ?? deploy.startedAt,
      windowEnd: view.watch?.windowEnd ?? deploy.startedAt,
      reason: `rollback requested by ${req.actor}: ${req.reason}`,
    };
    const before = new Set((await deps.store.listDeliveries({ deployId: deploy.id, event: 'rollback', limit: 1000 })).map((d) => d.id));
    await deps.responder.rollback(deploy, rules, judgement);
    await deps.recovery.begin(view, rules, judgement);
    const hooks = await deps.store.listDeliveries({ deployId: deploy.id, event: 'rollback', limit: 1000 });
    if (view.watch?.status === 'watching') await deps.stopWatch(deploy.id, `rolled back by ${req.actor}: ${req.reason}`);
    if (rules.hooks.rollback.length === 0) return 'no rollback hook is configured for this service: roll back by hand and add hooks.rollback to its rule file';
    return hooks.map((d) => `hook ${d.channel}: ${d.status}${before.has(d.id) ? ' (already triggered before; not run again)' : ''}`).join('; ');
  }

  return {
    async act(deployId, req) {
      const view = await load(deployId);
      const watching = view.watch?.status === 'watching';
      switch (req.action) {
        case 'acknowledge':
        case 'note':
          return record(deployId, req, null);
        case 'stop': {
          if (!watching) throw new ReviewError(`deploy ${deployId} is not being watched (status ${view.watch?.status ?? 'none'}); nothing to stop`, 409);
          await deps.stopWatch(deployId, `stopped by ${req.actor}: ${req.reason}`);
          return record(deployId, req, 'watch stopped');
        }
        case 'extend': {
          const seconds = req.seconds ?? 600;
          if (!(await deps.store.extendWatch(deployId, seconds, deps.now()))) {
            throw new ReviewError(`deploy ${deployId} is not being watched (status ${view.watch?.status ?? 'none'}); only an open watch can be extended`, 409);
          }
          return record(deployId, req, `window extended by ${seconds}s`);
        }
        case 'rollback': {
          const outcome = await rollback(view, req);
          deps.logger.warn({ deploy: deployId, actor: req.actor }, `manual rollback of ${deployId} requested: ${outcome}`);
          return record(deployId, req, outcome);
        }
      }
    },
    async feedback(deployId, req) {
      const view = await load(deployId);
      if (req.label === 'false-alarm' && !req.rule) throw new ReviewError('a false-alarm label must name the rule that fired wrongly (field "rule")', 400);
      if (req.rule && req.label === 'false-alarm' && !view.findings.some((f) => f.rule === req.rule)) {
        const fired = view.findings.map((f) => f.rule).join(', ') || 'none';
        throw new ReviewError(`rule "${req.rule}" has no finding on deploy ${deployId}; rules that fired: ${fired}`, 400);
      }
      return deps.store.recordFeedback({ deployId, label: req.label, rule: req.rule ?? null, note: req.note, actor: req.actor, createdAt: deps.now() });
    },
    async extras(deployId) {
      const [reviewActions, feedback, deliveries, recovery] = await Promise.all([
        deps.store.listReviewActions(deployId),
        deps.store.listFeedback(deployId),
        deps.store.listDeliveries({ deployId, limit: 200 }),
        deps.store.getRecovery(deployId),
      ]);
      return { reviewActions, feedback, deliveries, recovery };
    },
    async charts(deployId) {
      const view = await deps.store.getDeploy(deployId);
      if (!view) return null;
      const { series, control } = await deps.store.observations(deployId);
      const rules = deps.rulesFor(view.deploy);
      const rollbackAt = view.verdict?.rollbackAt ?? null;
      return deployCharts({
        startedAt: view.deploy.startedAt,
        windowEnd: view.watch?.windowEnd ?? null,
        rollbackAt,
        rules,
        findings: view.findings,
        series,
        control,
      });
    },
  };
}
