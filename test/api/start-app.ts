// Starts the real API on a free loopback port for tests, with a fake intake and a fresh metrics registry.
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { createApp } from '../../src/api/app.js';
import type { AppDeps, AuthSecrets, DeployIntake } from '../../src/api/deps.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { FakeIntake } from './fake-intake.js';

export const CI_TOKEN = 'ci-token-for-tests-0123456789';
export const ADMIN_TOKEN = 'admin-token-for-tests-9876543210';
export const GITHUB_SECRET = 'github-secret-for-tests';
export const GITLAB_TOKEN = 'gitlab-token-for-tests';

export interface RunningApp {
  url: string;
  intake: FakeIntake;
  registry: Registry;
  close(): Promise<void>;
}

export interface StartOptions {
  auth?: Partial<AuthSecrets>;
  intake?: DeployIntake;
  notReadyReason?: () => string | null;
  logger?: AppDeps['logger'];
  nonces?: AppDeps['nonces'];
  now?: AppDeps['now'];
  redact?: AppDeps['redact'];
}

export async function startApp(opts: StartOptions = {}): Promise<RunningApp> {
  const intake = new FakeIntake();
  const registry = new Registry();
  const app = createApp({
    auth: { token: CI_TOKEN, adminToken: ADMIN_TOKEN, githubSecret: GITHUB_SECRET, gitlabToken: GITLAB_TOKEN, ...opts.auth },
    intake: opts.intake ?? intake,
    registry,
    logger: opts.logger ?? silentLogger(),
    notReadyReason: opts.notReadyReason ?? (() => null),
    nonces: opts.nonces,
    now: opts.now,
    redact: opts.redact,
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    intake,
    registry,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
