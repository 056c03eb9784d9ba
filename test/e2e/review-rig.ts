// A real guard (startGuard, demo source at 600x, temp data dir, the shipped rules) with demo deploys judged, for the
// review API, CLI and browser tests.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Config } from '../../src/config/schema.js';
import { startGuard, type RunningGuard } from '../../src/main.js';
import type { DeployView } from '../../src/store/records.js';
import { silentLogger } from '../../src/telemetry/logger.js';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const CI = 'ci-token-e2e-0123456789abcdef';
export const ADMIN = 'admin-token-e2e-0123456789abcdef';
export const VIEWER = 'viewer-token-e2e-0123456789abcdef';
export const XSS = '<img src=x onerror=alert(1)>';

export interface ReviewRig {
  guard: RunningGuard;
  url: string;
  dataDir: string;
  rulesDir: string;
  /** Deploy ids by name: healthy, broken. */
  ids: { healthy: string; broken: string };
  get(id: string, token?: string): Promise<DeployView & Record<string, unknown>>;
  close(): Promise<void>;
}

export async function waitFor<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Starts the guard and posts a healthy and a broken demo-shop deploy; resolves once both have verdicts. */
export async function startReviewRig(opts: { deploys?: boolean } = {}): Promise<ReviewRig> {
  const dir = mkdtempSync(path.join(tmpdir(), 'rg-review-'));
  const rulesDir = path.join(dir, 'rules');
  cpSync(path.join(ROOT, 'rules'), rulesDir, { recursive: true, filter: (src) => !src.includes(`${path.sep}examples`) });
  const config = Config.parse({
    port: 0,
    dataDir: path.join(dir, 'data'),
    rulesDir,
    sources: { demo: { type: 'demo', seed: 1, timeScale: 600 } },
    logLevel: 'silent',
  });
  const guard = await startGuard({
    config,
    secrets: { token: CI, adminToken: ADMIN, viewerToken: VIEWER, githubSecret: null, gitlabToken: null },
    dev: false,
    logger: silentLogger(),
    baseDir: dir,
  });
  const get = async (id: string, token = VIEWER) =>
    (await (await fetch(`${guard.url}/v1/deploys/${encodeURIComponent(id)}`, { headers: { authorization: `Bearer ${token}` } })).json()) as DeployView &
      Record<string, unknown>;
  const stamp = Date.now().toString(36);
  const ids = { healthy: `e2e-${stamp}-healthy`, broken: `e2e-${stamp}-broken` };
  if (opts.deploys !== false) {
    const post = async (body: unknown) => {
      const res = await fetch(`${guard.url}/v1/deploys`, {
        method: 'POST',
        headers: { authorization: `Bearer ${CI}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (res.status !== 202) throw new Error(`POST /v1/deploys answered ${res.status}: ${await res.text()}`);
    };
    await post({
      id: ids.healthy,
      service: 'demo-shop',
      environment: 'staging',
      version: 'v1.3.0',
      previousVersion: 'v1.2.0',
      labels: { demo: 'healthy', note: XSS },
    });
    await post({
      id: ids.broken,
      service: 'demo-shop',
      environment: 'production',
      version: 'v1.3.0',
      previousVersion: 'v1.2.0',
      labels: { demo: 'broken-errors' },
      links: { ci: 'https://ci.example.com/run/7' },
    });
    await waitFor('both verdicts', async () => (await Promise.all([get(ids.healthy), get(ids.broken)])).every((v) => v.verdict !== null));
  }
  return {
    guard,
    url: guard.url,
    dataDir: config.dataDir,
    rulesDir,
    ids,
    get,
    async close() {
      await guard.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
