// scripts/build.ts: the CLI bundle the package runs from (bin: dist/cli/index.js) works as the sources do.
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli } from '../../scripts/build.js';
import type { PoolReply, PoolTask } from '../../src/cli/replay-pool.js';
import { loadRules } from '../../src/rules/index.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
// Inside the checkout, as dist/ is: the bundle finds package.json (its version, the UI's dist/ui) above it.
const OUT = path.join(ROOT, `.dist-build-test-${process.pid}`);
const CLI = path.join(OUT, 'cli/index.js');
const RECORDINGS = path.join(ROOT, 'test/fixtures/recordings');

function run(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
}

beforeAll(async () => {
  await buildCli(OUT);
}, 120_000);
afterAll(async () => {
  await rm(OUT, { recursive: true, force: true });
});

describe('the CLI bundle (scripts/build.ts)', () => {
  it('bundles the start-up libraries and leaves the native addon, the logger and the lazy clients in node_modules', async () => {
    const files = (await readdir(path.join(OUT, 'cli'))).filter((f) => f.endsWith('.js'));
    const text = (await Promise.all(files.map((f) => readFile(path.join(OUT, 'cli', f), 'utf8')))).join('\n');
    // esbuild marks each bundled module with a comment naming its path.
    for (const bundled of ['zod', 'yaml', 'commander']) expect(text).toContain(`// node_modules/${bundled}/`);
    for (const external of ['sqlite3', 'pino', 'pg', '@datadog/datadog-api-client', 'nodemailer', 'express']) {
      expect(text).not.toContain(`// node_modules/${external}/`);
    }
    expect(files).toContain('index.js');
    expect(files).toContain('replay-worker.js');
    // Of zod's locales only English, the one its messages are given in (index.js: the namespace of it alone).
    expect(text).toContain('// node_modules/zod/v4/locales/en.js');
    expect(text).not.toMatch(/\/\/ node_modules\/zod\/v4\/locales\/(?!en\.js|index\.js)/);
  });

  it("names a recording's problems in zod's English messages, as the sources do", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'rg-build-'));
    const file = path.join(dir, 'bad.json');
    await writeFile(file, JSON.stringify({ format: 'release-guard/recording@1', deploy: { id: 5 }, series: {} }));
    const r = run('replay', file, '--rules', path.join(ROOT, 'rules'));
    await rm(dir, { recursive: true, force: true });
    expect(r.status).toBe(1);
    const line = JSON.parse(r.stdout) as { deployId: null; error: string };
    expect(line.deployId).toBeNull();
    expect(line.error).toContain('deploy.id: expected a string, got 5');
    expect(line.error).toContain('deploy.service: required: a string');
  });

  it('prints the package version', async () => {
    const { version } = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const r = run('--version');
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe(version);
    expect(r.status).toBe(0);
  });

  it('replays recordings to the expected verdicts, the same with a worker thread', () => {
    const alone = run('replay', RECORDINGS, '--rules', path.join(ROOT, 'rules'), '--workers', '0');
    const withWorker = run('replay', RECORDINGS, '--rules', path.join(ROOT, 'rules'), '--workers', '1');
    expect(alone.status).toBe(0);
    expect(withWorker.status).toBe(0);
    const verdicts = alone.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { deployId: string; verdict: string });
    expect(verdicts.map((v) => v.verdict)).toEqual(['fail', 'fail', 'pass']);
    expect(withWorker.stdout).toBe(alone.stdout);
  });

  it('starts the replay worker from beside the chunk that spawns it, and the worker judges as the main thread does', async () => {
    const dir = path.join(OUT, 'cli');
    const chunks = (await readdir(dir)).filter((f) => f.endsWith('.js'));
    const spawner = [];
    for (const f of chunks) if (f !== 'replay-worker.js' && (await readFile(path.join(dir, f), 'utf8')).includes('./replay-worker.js')) spawner.push(f);
    expect(spawner).toHaveLength(1);
    // The URL the pool resolves (src/cli/replay-pool.ts spawnWorker), run as the pool runs it.
    const worker = new Worker(new URL('./replay-worker.js', pathToFileURL(path.join(dir, spawner[0]!))));
    try {
      const replies: PoolReply[] = [];
      const done = new Promise<void>((resolve, reject) => {
        worker.on('error', reject);
        worker.on('message', (reply: PoolReply) => {
          replies.push(reply);
          if (reply.kind === 'done') resolve();
        });
      });
      const file = path.join(RECORDINGS, 'healthy-steady.json');
      worker.postMessage({ kind: 'rules', loaded: await loadRules(path.join(ROOT, 'rules')) } satisfies PoolTask);
      worker.postMessage({ kind: 'judge', index: 7, file } satisfies PoolTask);
      await done;
      expect(replies[0]).toEqual({ kind: 'ready' });
      const answer = replies[1]!;
      expect(answer.kind === 'done' && answer.index).toBe(7);
      const mainThread = run('replay', file, '--rules', path.join(ROOT, 'rules'), '--workers', '0');
      expect(answer.kind === 'done' && `${answer.result.line}\n`).toBe(mainThread.stdout);
      expect(answer.kind === 'done' && answer.result.count).toEqual({ verdict: 'pass', severity: null, rollback: false });
    } finally {
      await worker.terminate();
    }
  });
});
