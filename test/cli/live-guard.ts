// A real guard on 127.0.0.1 with fast demo sources, and the CLI run as a child process against it (for the gate tests).
import { spawn } from 'node:child_process';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Config } from '../../src/config/schema.js';
import { startGuard, type RunningGuard } from '../../src/main.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import type { GateIo } from '../../src/cli/gate-io.js';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const CLI_TOKEN = 'ci-token-for-cli-tests-0123456789';
/** tsx's loader by URL, so the child resolves it from any working directory. */
export const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

export interface LiveGuard {
  guard: RunningGuard;
  dir: string;
  /** A file holding the CI token. */
  tokenFile: string;
  post(body: Record<string, unknown>): Promise<number>;
  close(): Promise<void>;
}

/**
 * Default rules and demo-shop's rollback hook; the `demo` source runs at 600x (a 30-minute window in 3 s); services
 * `blind-shop` and `checkout` are watched by `paced` at 30x (one minute), `slow-shop` by `slow` at 5x, for timeouts.
 */
export async function startLiveGuard(): Promise<LiveGuard> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'rg-gate-'));
  const rulesDir = path.join(dir, 'rules');
  await cp(path.join(ROOT, 'rules/default.yaml'), path.join(rulesDir, 'default.yaml'));
  await cp(path.join(ROOT, 'rules/demo-shop.yaml'), path.join(rulesDir, 'demo-shop.yaml'));
  await writeFile(path.join(rulesDir, 'slow-shop.yaml'), 'version: 1\nmatch: {service: slow-shop}\nsource: slow\n');
  // A source going blind for minutes 5–8 must be seen step by step: at 600x a loaded machine can catch up past it.
  for (const service of ['blind-shop', 'checkout'])
    await writeFile(path.join(rulesDir, `${service}.yaml`), `version: 1\nmatch: {service: ${service}}\nsource: paced\n`);
  const tokenFile = path.join(dir, 'token');
  await writeFile(tokenFile, `${CLI_TOKEN}\n`);
  const config = Config.parse({
    port: 0,
    dataDir: path.join(dir, 'data'),
    rulesDir,
    sources: {
      demo: { type: 'demo', seed: 3, timeScale: 600 },
      paced: { type: 'demo', seed: 3, timeScale: 30 },
      slow: { type: 'demo', seed: 3, timeScale: 5 },
    },
    defaultSource: 'demo',
  });
  const guard = await startGuard({
    config,
    secrets: { token: CLI_TOKEN, adminToken: null, githubSecret: null, gitlabToken: null },
    dev: false,
    logger: silentLogger(),
    baseDir: dir,
  });
  return {
    guard,
    dir,
    tokenFile,
    async post(body) {
      const res = await fetch(`${guard.url}/v1/deploys`, {
        method: 'POST',
        headers: { authorization: `Bearer ${CLI_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      await res.body?.cancel();
      return res.status;
    },
    async close() {
      await guard.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** In-process stand-in for the process's streams: collects what the command prints. */
export function captureIo(env: Record<string, string> = {}, cwd = ROOT): GateIo & { lines: string[]; errors: string[]; text(): string } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { out: (l) => lines.push(l), err: (l) => errors.push(l), progress: null, env, cwd, lines, errors, text: () => lines.join('\n') };
}

export interface CliRun {
  code: number | null;
  out: string;
  err: string;
}

/**
 * Runs `release-guard ARGS` as a child process (asynchronously: the guard answers from this process). The environment
 * is only PATH and HOME plus `env`, so the host CI's variables never leak into a test.
 */
export function runCli(args: string[], env: Record<string, string> = {}, cwd = ROOT): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', TSX, path.join(ROOT, 'src/cli/index.ts'), ...args], {
      cwd,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 230_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}
