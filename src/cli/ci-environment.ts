// What a CI system tells about the running job (commit, repository, run URL, actor), read from its documented variables.
import { createHash } from 'node:crypto';

type Env = Readonly<Record<string, string | undefined>>;

export const CI_PROVIDERS = ['github-actions', 'gitlab-ci', 'jenkins', 'buildkite', 'circleci'] as const;
export type CiProvider = (typeof CI_PROVIDERS)[number];

/** The job that runs the command, as its CI describes it. Every value is the CI's (hence the pusher's): untrusted. */
export interface CiJob {
  provider: CiProvider;
  commit?: string;
  /** `owner/name` or the clone URL, whichever the CI gives. */
  repository?: string;
  /** Link to the run/job in the CI's web UI. */
  runUrl?: string;
  /** Who triggered it. */
  actor?: string;
  /** Branch or tag. */
  ref?: string;
  /** Unique per job attempt (a retried job gets a new one): makes the deploy id idempotent for retries inside a job. */
  attempt: string;
}

const v = (env: Env, name: string): string | undefined => {
  const value = env[name]?.trim();
  return value ? value : undefined;
};

/**
 * Reads the job from the environment, or null outside a known CI. Variable names as each CI documents them:
 * GitHub Actions (docs.github.com "Variables reference"), GitLab CI ("Predefined CI/CD variables"),
 * Jenkins (`/env-vars.html`; BUILD_USER_ID comes from the build-user-vars plugin, CHANGE_AUTHOR from multibranch),
 * Buildkite ("Environment variables"), CircleCI ("Project values and variables").
 */
export function detectCiJob(env: Env): CiJob | null {
  if (env.GITHUB_ACTIONS === 'true') {
    const server = v(env, 'GITHUB_SERVER_URL') ?? 'https://github.com';
    const repo = v(env, 'GITHUB_REPOSITORY');
    const run = v(env, 'GITHUB_RUN_ID');
    const attempt = v(env, 'GITHUB_RUN_ATTEMPT');
    return {
      provider: 'github-actions',
      commit: v(env, 'GITHUB_SHA'),
      repository: repo,
      runUrl: repo && run ? `${server}/${repo}/actions/runs/${run}${attempt ? `/attempts/${attempt}` : ''}` : undefined,
      actor: v(env, 'GITHUB_ACTOR'),
      ref: v(env, 'GITHUB_REF_NAME'),
      attempt: [run, attempt, v(env, 'GITHUB_JOB')].join('/'),
    };
  }
  if (env.GITLAB_CI === 'true') {
    return {
      provider: 'gitlab-ci',
      commit: v(env, 'CI_COMMIT_SHA'),
      repository: v(env, 'CI_PROJECT_PATH'),
      runUrl: v(env, 'CI_JOB_URL') ?? v(env, 'CI_PIPELINE_URL'),
      actor: v(env, 'GITLAB_USER_LOGIN'),
      ref: v(env, 'CI_COMMIT_REF_NAME'),
      attempt: v(env, 'CI_JOB_ID') ?? v(env, 'CI_PIPELINE_ID') ?? '',
    };
  }
  if (env.BUILDKITE === 'true') {
    return {
      provider: 'buildkite',
      commit: v(env, 'BUILDKITE_COMMIT'),
      repository: v(env, 'BUILDKITE_REPO'),
      runUrl: v(env, 'BUILDKITE_BUILD_URL'),
      actor: v(env, 'BUILDKITE_BUILD_CREATOR'),
      ref: v(env, 'BUILDKITE_BRANCH'),
      attempt: v(env, 'BUILDKITE_JOB_ID') ?? v(env, 'BUILDKITE_BUILD_ID') ?? '',
    };
  }
  if (env.CIRCLECI === 'true') {
    const owner = v(env, 'CIRCLE_PROJECT_USERNAME');
    const name = v(env, 'CIRCLE_PROJECT_REPONAME');
    return {
      provider: 'circleci',
      commit: v(env, 'CIRCLE_SHA1'),
      repository: owner && name ? `${owner}/${name}` : v(env, 'CIRCLE_REPOSITORY_URL'),
      runUrl: v(env, 'CIRCLE_BUILD_URL'),
      actor: v(env, 'CIRCLE_USERNAME'),
      ref: v(env, 'CIRCLE_BRANCH') ?? v(env, 'CIRCLE_TAG'),
      attempt: v(env, 'CIRCLE_WORKFLOW_JOB_ID') ?? v(env, 'CIRCLE_BUILD_NUM') ?? '',
    };
  }
  if (v(env, 'JENKINS_URL') && v(env, 'BUILD_TAG')) {
    return {
      provider: 'jenkins',
      commit: v(env, 'GIT_COMMIT'),
      repository: v(env, 'GIT_URL'),
      runUrl: v(env, 'BUILD_URL'),
      actor: v(env, 'BUILD_USER_ID') ?? v(env, 'CHANGE_AUTHOR'),
      ref: v(env, 'GIT_BRANCH'),
      attempt: v(env, 'BUILD_TAG') ?? '',
    };
  }
  return null;
}

/** What a CI job adds to a deploy: the commit, the run as a link, and `ci/*` labels. Values the API would refuse are left out. */
export function ciDeployFields(job: CiJob): { commit?: string; links: Record<string, string>; labels: Record<string, string> } {
  const labels: Record<string, string> = { 'ci/provider': job.provider };
  for (const [key, value] of [
    ['ci/repository', job.repository],
    ['ci/actor', job.actor],
    ['ci/ref', job.ref],
  ] as const) {
    if (value) labels[key] = value.slice(0, 1024);
  }
  const links: Record<string, string> = {};
  if (job.runUrl && isHttpUrl(job.runUrl)) links['ci-run'] = job.runUrl;
  const commit = job.commit && job.commit.length <= 256 ? job.commit : undefined;
  return { ...(commit ? { commit } : {}), links, labels };
}

function isHttpUrl(text: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(text).protocol);
  } catch {
    return false;
  }
}

/**
 * A deploy id that is the same every time the same CI job attempt posts the same deploy (so a retried post, or the
 * command re-run by the job, attaches to the deploy already posted) and different for any other job or deploy.
 */
export function ciDeployId(job: CiJob, deploy: { service: string; environment: string; version: string }): string {
  const hash = createHash('sha256')
    .update(JSON.stringify([job.provider, job.attempt, deploy.service, deploy.environment, deploy.version]))
    .digest('hex')
    .slice(0, 20);
  return `${deploy.service.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 64)}-${hash}`;
}
