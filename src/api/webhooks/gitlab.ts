// Maps GitLab "Deployment Hook" webhook payloads to deploys (pure; verified and applied by the route).
// Payload: https://docs.gitlab.com/user/project/integrations/webhook_events/#deployment-events
import { z } from 'zod';
import { DeployInput, type DeployInputSchema } from '../deploy-input.js';
import { toApiIssues } from '../issues.js';
import type { WebhookOutcome } from './outcome.js';

const GitLabDeployment = z.object({
  object_kind: z.literal('deployment'),
  status: z.string(),
  deployment_id: z.number().int(),
  environment: z.string(),
  status_changed_at: z.string().nullish(),
  short_sha: z.string(),
  /** Not in every GitLab version's payload: the version falls back to short_sha. */
  ref: z.string().nullish(),
  commit_url: z.string().nullish(),
  deployable_id: z.number().int().nullish(),
  deployable_url: z.string().nullish(),
  environment_external_url: z.string().nullish(),
  project: z.object({ name: z.string(), path_with_namespace: z.string().nullish(), web_url: z.string().nullish() }),
});
type GitLabDeployment = z.infer<typeof GitLabDeployment>;

const START_STATUSES = new Set(['running', 'success']);
const STOP_STATUSES = new Set(['failed', 'canceled']);
/** GitLab's "2021-04-28 21:50:00 +0200" or "2021-04-28 19:50:00 UTC". */
const GITLAB_TIME = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}) (?:([+-]\d{2}):?(\d{2})|UTC)$/;
const COMMIT_IN_URL = /\/commit\/([0-9a-f]{7,64})\/?$/i;

/** The deploy id a GitLab deployment gets, shared by its running and success events. */
export function gitlabDeployId(deploymentId: number): string {
  return `gitlab-${deploymentId}`;
}

/** GitLab's time format → ISO-8601 (left as is when it already is, or is unknown: validation reports it). */
export function gitlabTimeToIso(value: string): string {
  const m = GITLAB_TIME.exec(value.trim());
  if (!m) return value;
  const offset = m[3] === undefined ? 'Z' : `${m[3]}:${m[4]}`;
  return `${m[1]}T${m[2]}${offset}`;
}

function httpUrls(candidates: Record<string, string | null | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(candidates)) if (typeof v === 'string' && /^https?:\/\//i.test(v)) out[k] = v;
  return out;
}

function deployFrom(d: GitLabDeployment, schema: DeployInputSchema): WebhookOutcome {
  const path = d.project.path_with_namespace ?? '';
  const commit = (d.commit_url ? COMMIT_IN_URL.exec(d.commit_url)?.[1] : undefined) ?? d.short_sha;
  const candidate = {
    id: gitlabDeployId(d.deployment_id),
    service: path.split('/').pop() || d.project.name,
    environment: d.environment,
    version: d.ref || d.short_sha,
    commit,
    ...(d.status_changed_at ? { startedAt: gitlabTimeToIso(d.status_changed_at) } : {}),
    links: httpUrls({ commit: d.commit_url, job: d.deployable_url, environment: d.environment_external_url, repository: d.project.web_url }),
    labels: {
      ...(path ? { repository: path } : {}),
      ...(typeof d.deployable_id === 'number' ? { gitlab_job: String(d.deployable_id) } : {}),
    },
  };
  const parsed = schema.safeParse(candidate);
  if (!parsed.success) return { kind: 'invalid', error: 'invalid deploy', issues: toApiIssues(parsed.error) };
  return { kind: 'ingest', input: parsed.data };
}

/**
 * Decides what a GitLab delivery means. `event` is X-Gitlab-Event.
 * Deployment Hook status running|success → ingest `gitlab-<deployment_id>` (idempotent);
 * failed|canceled → stop that watch; other statuses and other events → ignore.
 */
export function mapGitLabEvent(event: string | undefined, payload: unknown, schema: DeployInputSchema = DeployInput): WebhookOutcome {
  if (event !== 'Deployment Hook') return { kind: 'ignore', reason: `event ${event ?? '(no X-Gitlab-Event header)'} is not handled` };
  const kind = typeof payload === 'object' && payload !== null ? (payload as { object_kind?: unknown }).object_kind : undefined;
  if (kind !== 'deployment') return { kind: 'ignore', reason: `object_kind ${String(kind)} is not handled` };
  const parsed = GitLabDeployment.safeParse(payload);
  if (!parsed.success) return { kind: 'invalid', error: 'invalid GitLab deployment payload', issues: toApiIssues(parsed.error) };
  const d = parsed.data;
  if (START_STATUSES.has(d.status)) return deployFrom(d, schema);
  if (STOP_STATUSES.has(d.status)) {
    return { kind: 'stop', id: gitlabDeployId(d.deployment_id), reason: `GitLab reported the deployment ${d.status}` };
  }
  return { kind: 'ignore', reason: `deployment status ${d.status} does not start or stop a watch` };
}
