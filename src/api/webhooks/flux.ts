// Maps Flux notification-controller events (Provider type generic / generic-hmac) to deploys (pure; verified by the route).
// Payload: the event of https://fluxcd.io/flux/components/notification/providers/#generic-webhook (fluxcd/pkg runtime/events).
import { z } from 'zod';
import { DeployInput, type DeployInputSchema } from '../deploy-input.js';
import { toApiIssues } from '../issues.js';
import type { WebhookOutcome } from './outcome.js';

const FluxEvent = z.object({
  involvedObject: z.object({ kind: z.string(), name: z.string(), namespace: z.string().nullish() }),
  severity: z.string().nullish(),
  timestamp: z.string().nullish(),
  message: z.string().nullish(),
  reason: z.string(),
  /** Controller metadata (`revision`, or `<group>/revision`) plus the Alert's `eventMetadata`. */
  metadata: z.record(z.string(), z.string()).nullish(),
  reportingController: z.string().nullish(),
});
type FluxEvent = z.infer<typeof FluxEvent>;

/** A rollout that reached the cluster: kustomize-controller and helm-controller success reasons. */
const START_REASONS = new Set(['ReconciliationSucceeded', 'InstallSucceeded', 'UpgradeSucceeded']);
/** The rollout itself failed: nothing to judge, stop the watch of that revision. */
const STOP_REASONS = new Set(['ReconciliationFailed', 'InstallFailed', 'UpgradeFailed', 'HealthCheckFailed']);

function metadataValue(meta: Record<string, string>, key: string): string | undefined {
  if (meta[key]) return meta[key];
  const prefixed = Object.keys(meta).find((k) => k.endsWith(`/${key}`));
  return prefixed ? meta[prefixed] : undefined;
}

/** `flux-<kind>-<namespace>-<name>-<revision>`, cut to the characters and length a deploy id allows. */
export function fluxDeployId(e: Pick<FluxEvent, 'involvedObject'>, revision: string): string {
  const o = e.involvedObject;
  const raw = `flux-${o.kind}-${o.namespace ?? 'default'}-${o.name}-${revision.split(':').pop() ?? revision}`.toLowerCase();
  return raw.replace(/[^a-z0-9._:-]/g, '_').slice(0, 128);
}

/**
 * Decides what a Flux event means. A success reason with a revision → ingest (service and environment from the
 * Alert's `eventMetadata`, else the object's name and namespace; idempotent per revision); a failure reason → stop
 * that revision's watch; anything else → ignore.
 */
export function mapFluxEvent(payload: unknown, schema: DeployInputSchema = DeployInput): WebhookOutcome {
  const parsed = FluxEvent.safeParse(payload);
  if (!parsed.success) return { kind: 'invalid', error: 'invalid Flux event', issues: toApiIssues(parsed.error) };
  const e = parsed.data;
  const meta = e.metadata ?? {};
  const revision = metadataValue(meta, 'revision');
  if (!START_REASONS.has(e.reason) && !STOP_REASONS.has(e.reason)) return { kind: 'ignore', reason: `reason ${e.reason} does not start or stop a watch` };
  if (!revision) return { kind: 'ignore', reason: `a ${e.reason} event without a revision in its metadata: nothing to tell deploys apart` };
  const id = fluxDeployId(e, revision);
  if (STOP_REASONS.has(e.reason)) return { kind: 'stop', id, reason: `Flux reported ${e.reason}` };
  const candidate = {
    id,
    service: meta.service ?? e.involvedObject.name,
    environment: meta.environment ?? e.involvedObject.namespace ?? 'default',
    version: revision,
    commit: revision.includes(':') ? revision.split(':').pop() : undefined,
    ...(e.timestamp ? { startedAt: e.timestamp } : {}),
    labels: { 'flux/kind': e.involvedObject.kind, 'flux/object': `${e.involvedObject.namespace ?? 'default'}/${e.involvedObject.name}` },
  };
  const input = schema.safeParse(candidate);
  if (!input.success) return { kind: 'invalid', error: 'invalid deploy', issues: toApiIssues(input.error) };
  return { kind: 'ingest', input: input.data };
}
