// Fixture: each CI's job variables as that CI sets them, for the CLI and recipe tests.

/** Each CI's variables as that CI sets them (names from its documentation; values as in its examples). */
export const CI_ENVIRONMENTS = {
  'github-actions': {
    CI: 'true', GITHUB_ACTIONS: 'true', GITHUB_SHA: 'ffac537e6cbbf934b08745a378932722df287a53', GITHUB_REPOSITORY: 'octo-org/checkout',
    GITHUB_SERVER_URL: 'https://github.com', GITHUB_RUN_ID: '1658821493', GITHUB_RUN_ATTEMPT: '2', GITHUB_ACTOR: 'octocat',
    GITHUB_REF_NAME: 'main', GITHUB_JOB: 'deploy',
  },
  'gitlab-ci': {
    CI: 'true', GITLAB_CI: 'true', CI_COMMIT_SHA: '1ecfd275763eff1d6b4844ea3168962458c9f27a', CI_PROJECT_PATH: 'shop/checkout',
    CI_JOB_URL: 'https://gitlab.example.com/shop/checkout/-/jobs/4711', CI_PIPELINE_URL: 'https://gitlab.example.com/shop/checkout/-/pipelines/99',
    CI_JOB_ID: '4711', CI_PIPELINE_ID: '99', GITLAB_USER_LOGIN: 'alice', CI_COMMIT_REF_NAME: 'main',
  },
  jenkins: {
    JENKINS_URL: 'https://jenkins.example.com/', BUILD_URL: 'https://jenkins.example.com/job/checkout/42/', BUILD_TAG: 'jenkins-checkout-42',
    GIT_COMMIT: '9f2c1ab0000000000000000000000000000000ff', GIT_URL: 'https://github.com/octo-org/checkout.git', GIT_BRANCH: 'origin/main', BUILD_USER_ID: 'bob',
  },
  buildkite: {
    CI: 'true', BUILDKITE: 'true', BUILDKITE_COMMIT: '83a20ec058e2fb00e7fa4558c4c6e81e2dcf253d', BUILDKITE_REPO: 'git@github.com:acme-inc/checkout.git',
    BUILDKITE_BUILD_URL: 'https://buildkite.com/acme-inc/checkout/builds/1514', BUILDKITE_JOB_ID: 'e44f9784-e20e-4b93-a21d-f41fd5869db9',
    BUILDKITE_BUILD_CREATOR: 'Carol', BUILDKITE_BRANCH: 'main',
  },
  circleci: {
    CI: 'true', CIRCLECI: 'true', CIRCLE_SHA1: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678', CIRCLE_PROJECT_USERNAME: 'acme', CIRCLE_PROJECT_REPONAME: 'checkout',
    CIRCLE_BUILD_URL: 'https://circleci.com/gh/acme/checkout/123', CIRCLE_WORKFLOW_JOB_ID: 'c2bd9a53-1f8a-4c5e-9e5b-7e8a1ee2e0b3', CIRCLE_USERNAME: 'dave', CIRCLE_BRANCH: 'main',
  },
} as const;
