// CI detection from each CI's documented variables, and the deploy body the command builds from them.
import { describe, expect, it } from 'vitest';
import { ciDeployId, detectCiJob } from '../../src/cli/ci-environment.js';
import { deployBody } from '../../src/cli/deploy.js';
import { CI_ENVIRONMENTS } from './ci-environments.js';

describe('CI detection', () => {
  it.each([
    [
      'github-actions',
      'ffac537e6cbbf934b08745a378932722df287a53',
      'octo-org/checkout',
      'https://github.com/octo-org/checkout/actions/runs/1658821493/attempts/2',
      'octocat',
    ],
    ['gitlab-ci', '1ecfd275763eff1d6b4844ea3168962458c9f27a', 'shop/checkout', 'https://gitlab.example.com/shop/checkout/-/jobs/4711', 'alice'],
    ['jenkins', '9f2c1ab0000000000000000000000000000000ff', 'https://github.com/octo-org/checkout.git', 'https://jenkins.example.com/job/checkout/42/', 'bob'],
    [
      'buildkite',
      '83a20ec058e2fb00e7fa4558c4c6e81e2dcf253d',
      'git@github.com:acme-inc/checkout.git',
      'https://buildkite.com/acme-inc/checkout/builds/1514',
      'Carol',
    ],
    ['circleci', 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678', 'acme/checkout', 'https://circleci.com/gh/acme/checkout/123', 'dave'],
  ] as const)('%s: commit, repository, run URL and actor', (provider, commit, repository, runUrl, actor) => {
    expect(detectCiJob(CI_ENVIRONMENTS[provider])).toMatchObject({ provider, commit, repository, runUrl, actor });
  });

  it('outside CI there is nothing to read, and the id is random per invocation', () => {
    expect(detectCiJob({ CI: 'true', PATH: '/bin' })).toBeNull();
    const a = deployBody({ service: 's', environment: 'e', version: 'v' }, {});
    const b = deployBody({ service: 's', environment: 'e', version: 'v' }, {});
    expect(a.id).toMatch(/^cli-[0-9a-f-]{36}$/);
    expect(a.id).not.toBe(b.id);
    expect(a).not.toHaveProperty('labels');
  });

  it('the body takes commit, run link and ci/* labels from the CI; flags win', () => {
    const env = CI_ENVIRONMENTS['gitlab-ci'];
    const body = deployBody(
      {
        service: 'checkout',
        environment: 'production',
        version: 'v1.2.0',
        commit: 'override',
        label: ['ci/actor=ops', 'team=pay'],
        link: ['change=https://jira.example.com/CHG-1'],
      },
      env,
    );
    expect(body).toEqual({
      id: body.id,
      service: 'checkout',
      environment: 'production',
      version: 'v1.2.0',
      commit: 'override',
      links: { 'ci-run': 'https://gitlab.example.com/shop/checkout/-/jobs/4711', change: 'https://jira.example.com/CHG-1' },
      labels: { 'ci/provider': 'gitlab-ci', 'ci/repository': 'shop/checkout', 'ci/actor': 'ops', 'ci/ref': 'main', team: 'pay' },
    });
    expect(deployBody({ service: 'checkout', environment: 'production', version: 'v1.2.0', ci: false }, env)).not.toHaveProperty('labels');
    expect(deployBody({ service: 'c', environment: 'p', version: 'v', ci: false, label: ['b=flag'] }, { RELEASE_GUARD_LABELS: 'a=1, b=env ,' }).labels).toEqual(
      { a: '1', b: 'flag' },
    );
  });

  it('the id is stable for one job attempt and differs for a retried job, another deploy or another CI', () => {
    const gh = detectCiJob(CI_ENVIRONMENTS['github-actions'])!;
    const what = { service: 'checkout', environment: 'production', version: 'v1.2.0' };
    const id = ciDeployId(gh, what);
    expect(id).toMatch(/^checkout-[0-9a-f]{20}$/);
    expect(ciDeployId(gh, what)).toBe(id);
    expect(ciDeployId({ ...gh, attempt: '1658821493/3/deploy' }, what)).not.toBe(id);
    expect(ciDeployId(gh, { ...what, environment: 'staging' })).not.toBe(id);
    expect(ciDeployId({ ...gh, provider: 'circleci' }, what)).not.toBe(id);
    expect(deployBody({ ...what }, CI_ENVIRONMENTS['github-actions']).id).toBe(id);
  });

  it('hostile CI values the API would refuse are left out instead of failing the deploy', () => {
    const env = { ...CI_ENVIRONMENTS.jenkins, BUILD_URL: 'javascript:alert(1)', GIT_COMMIT: 'x'.repeat(300), BUILD_USER_ID: 'y'.repeat(5000) };
    const body = deployBody({ service: 's', environment: 'e', version: 'v' }, env) as { links?: object; commit?: string; labels: Record<string, string> };
    expect(body.links).toBeUndefined();
    expect(body.commit).toBeUndefined();
    expect(body.labels['ci/actor']).toHaveLength(1024);
  });

  it('a --label without "=" is a usage error naming the flag', () => {
    expect(() => deployBody({ service: 's', environment: 'e', version: 'v', label: ['oops'] }, {})).toThrow('--label "oops" must be written name=value');
  });
});
