// Maps GitHub `deployment` / `deployment_status` webhook payloads to deploys (pure; verified and applied by the route).
// Payloads: https://docs.github.com/en/webhooks/webhook-events-and-payloads#deployment
import { z } from 'zod';
import { DeployInput, type DeployInputSchema } from '../deploy-input.js';
import { toApiIssues } from '../issues.js';
import type { WebhookOutcome } from './outcome.js';

const Repository = z.object({ name: z.string(), full_name: z.string(), html_url: z.string() });

const Deployment = z.object({
  id: z.number().int(),
  url: z.string(),
  environment: z.string(),
  ref: z.string().nullish(),
  sha: z.string(),
  created_at: z.string(),
  payload: z.unknown(),
});

const DeploymentEvent = z.object({ action: z.string().optional(), deployment: Deployment, repository: Repository });
const DeploymentStatusEvent = DeploymentEvent.extend({ deployment_status: z.object({ state: z.string() }) });

type Deployment = z.infer<typeof Deployment>;
type Repository = z.infer<typeof Repository>;

/** States after which the rollout itself failed: there is nothing to watch. */
const STOP_STATES = new Set(['failure', 'error']);

/** The deploy id a GitHub deployment gets, shared by its deployment and deployment_status events. */
export function githubDeployId(deploymentId: number): string {
  return `github-${deploymentId}`;
}

/** deployment.payload is free-form JSON set by whoever created the deployment (an object, or a JSON string). */
function payloadObject(payload: unknown): Record<string, unknown> {
  let value = payload;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value) as unknown;
    } catch {
      return {};
    }
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function stringValues(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return out;
  for (const [k, v] of Object.entries(value)) if (typeof v === 'string') out[k] = v;
  return out;
}

/** The DeployInput a GitHub deployment describes, validated by the same schema as POST /v1/deploys. */
function deployFrom(deployment: Deployment, repository: Repository, delivery: string | undefined, schema: DeployInputSchema): WebhookOutcome {
  const extra = payloadObject(deployment.payload);
  const candidate = {
    id: githubDeployId(deployment.id),
    service: typeof extra.service === 'string' ? extra.service : repository.name,
    environment: deployment.environment,
    version: deployment.ref || deployment.sha,
    commit: deployment.sha,
    ...(typeof extra.previousVersion === 'string' ? { previousVersion: extra.previousVersion } : {}),
    startedAt: deployment.created_at,
    links: { deployment: deployment.url, repository: repository.html_url },
    labels: {
      ...stringValues(extra.labels),
      repository: repository.full_name,
      ...(delivery ? { github_delivery: delivery } : {}),
    },
  };
  const parsed = schema.safeParse(candidate);
  if (!parsed.success) return { kind: 'invalid', error: 'invalid deploy', issues: toApiIssues(parsed.error) };
  return { kind: 'ingest', input: parsed.data };
}

function invalidPayload(event: string, error: z.ZodError): WebhookOutcome {
  return { kind: 'invalid', error: `invalid GitHub ${event} payload`, issues: toApiIssues(error) };
}

/**
 * Decides what a GitHub delivery means. `event` is X-GitHub-Event, `delivery` X-GitHub-Delivery.
 * - `deployment` (created) and `deployment_status` success → ingest `github-<deployment.id>` (idempotent);
 * - `deployment_status` failure|error → stop that watch; other states → ignore;
 * - `ping` → ping; anything else → ignore.
 */
export function mapGitHubEvent(
  event: string | undefined,
  payload: unknown,
  delivery: string | undefined,
  schema: DeployInputSchema = DeployInput,
): WebhookOutcome {
  if (event === 'ping') return { kind: 'ping' };
  if (event === 'deployment') {
    const parsed = DeploymentEvent.safeParse(payload);
    if (!parsed.success) return invalidPayload(event, parsed.error);
    const { action, deployment, repository } = parsed.data;
    if (action !== undefined && action !== 'created') return { kind: 'ignore', reason: `deployment ${action} does not start a watch` };
    return deployFrom(deployment, repository, delivery, schema);
  }
  if (event === 'deployment_status') {
    const parsed = DeploymentStatusEvent.safeParse(payload);
    if (!parsed.success) return invalidPayload(event, parsed.error);
    const { deployment_status: status, deployment, repository } = parsed.data;
    if (status.state === 'success') return deployFrom(deployment, repository, delivery, schema);
    if (STOP_STATES.has(status.state)) {
      return { kind: 'stop', id: githubDeployId(deployment.id), reason: `GitHub reported the deployment ${status.state}` };
    }
    return { kind: 'ignore', reason: `deployment_status ${status.state} does not start or stop a watch` };
  }
  return { kind: 'ignore', reason: `event ${event ?? '(no X-GitHub-Event header)'} is not handled` };
}
