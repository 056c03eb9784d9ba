// scripts/build.ts: the CLI bundle the package runs from (bin: dist/cli/index.js) works as the sources do.
import { spawnSync } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
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

const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

function run(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  return runWith([], CLI, ...args);
}

/** The bin `cli` with Node options `node` (e.g. --enable-source-maps). */
function runWith(node: string[], cli: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [...node, cli, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
}

/** Whether V8 takes `bundle`'s code cache for `profile`, in a process of its own (test/deploy/code-cache-probe.ts). */
function probe(bundle: string, profile: string): string {
  const r = spawnSync(process.execPath, ['--import', TSX, path.join(ROOT, 'test/deploy/code-cache-probe.ts'), bundle, profile], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout;
}

beforeAll(async () => {
  await buildCli(OUT);
}, 120_000);
afterAll(async () => {
  await rm(OUT, { recursive: true, force: true });
});

describe('the CLI bundle (scripts/build.ts)', () => {
  it('bundles the start-up libraries and leaves the native addon, the logger and the lazy clients in node_modules', async () => {
    const files = await readdir(path.join(OUT, 'cli'));
    expect(files.sort()).toEqual(
      [
        'cli.cjs',
        'cli.cjs.commands.cache',
        'cli.cjs.map',
        'cli.cjs.replay.cache',
        'index.js',
        'package.json',
        'replay-worker.cjs',
        'replay-worker.cjs.map',
      ].sort(),
    );
    for (const bundle of ['cli.cjs', 'replay-worker.cjs']) {
      // The source map names every module bundled (the bundle itself keeps no comments).
      const { sources } = JSON.parse(await readFile(path.join(OUT, 'cli', `${bundle}.map`), 'utf8')) as { sources: string[] };
      const packages = new Set(sources.flatMap((s) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(s)?.[1] ?? []));
      // The worker gets its rules loaded already: it needs no YAML.
      expect([...packages].sort()).toEqual(bundle === 'cli.cjs' ? ['commander', 'yaml', 'zod'] : ['zod']);
      // Of zod's locales only English, the one its messages are given in (index.js: the namespace of it alone).
      const locales = sources.filter((s) => s.includes('node_modules/zod/v4/locales/')).map((s) => path.basename(s));
      expect(locales.sort()).toEqual(['en.js', 'index.js']);
      // Plain ASCII: one character beyond it made Node decode the whole file into a two-byte string, slowly.
      expect((await readFile(path.join(OUT, 'cli', bundle))).every((byte) => byte < 0x80)).toBe(true);
    }
    // The bin runs the bundle, and requires nothing but Node's own modules itself; it is CommonJS, as the package.json
    // beside it (naming no package, so the bundle still finds release-guard's above it) says.
    const required = [...(await readFile(CLI, 'utf8')).matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]!);
    expect(required.length).toBeGreaterThan(0);
    expect(required.filter((spec) => !spec.startsWith('node:'))).toEqual([]);
    expect(JSON.parse(await readFile(path.join(OUT, 'cli/package.json'), 'utf8'))).toEqual({ type: 'commonjs' });
  });

  it('loads no Node module a command does not use: child_process (commander) and worker_threads (replay) when asked for', async () => {
    // A preloaded script that prints, at exit, which of the two Node loaded.
    const probeFile = path.join(OUT, 'loaded-modules.cjs');
    await writeFile(
      probeFile,
      "process.on('exit', () => require('fs').writeSync(2, '\\nloaded:' + process.moduleLoadList.filter((m) => /^NativeModule (child_process|worker_threads)$/.test(m)).join(',')));",
    );
    const loaded = (r: { stderr: string }): string => r.stderr.slice(r.stderr.lastIndexOf('\nloaded:') + 8);
    const rules = path.join(ROOT, 'rules');
    expect(loaded(runWith(['-r', probeFile], CLI, '--help'))).toBe('');
    expect(loaded(runWith(['-r', probeFile], CLI, 'replay', RECORDINGS, '--rules', rules, '--workers', '0'))).toBe('');
    expect(loaded(runWith(['-r', probeFile], CLI, 'replay', RECORDINGS, '--rules', rules, '--workers', '1'))).toBe('NativeModule worker_threads');
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

  it('starts the replay worker from beside the bundle, and the worker judges as the main thread does', async () => {
    const dir = path.join(OUT, 'cli');
    // The pool starts replay-worker with its own file's extension, beside it (src/cli/replay-pool.ts spawnWorker).
    expect(await readFile(path.join(dir, 'cli.cjs'), 'utf8')).toContain('`./replay-worker${');
    const worker = new Worker(path.join(dir, 'replay-worker.cjs'));
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

describe('the code caches of the CLI bundle (src/cli/code-cache.ts)', () => {
  it('are taken by V8 for the bundle they were made for, and never for a bundle changed since', async () => {
    const bundle = path.join(OUT, 'cli/cli.cjs');
    expect(probe(bundle, 'replay')).toBe('cached');
    expect(probe(bundle, 'commands')).toBe('cached');
    // A copy that keeps the files' times keeps its caches; one changed after the build (here: only its time) does not.
    const copy = await mkdtemp(path.join(ROOT, '.code-cache-test-'));
    try {
      await cp(path.join(OUT, 'cli'), copy, { recursive: true, preserveTimestamps: true });
      expect(probe(path.join(copy, 'cli.cjs'), 'replay')).toBe('cached');
      await utimes(path.join(copy, 'cli.cjs'), new Date(), new Date(Date.now() - 1000));
      expect(probe(path.join(copy, 'cli.cjs'), 'replay')).toBe('compiled');
      // A cache cut short, or not a cache at all, is refused too, and the command still runs.
      await writeFile(path.join(copy, 'cli.cjs.commands.cache'), 'not a cache');
      expect(probe(path.join(copy, 'cli.cjs'), 'commands')).toBe('compiled');
      const r = runWith([], path.join(copy, 'index.js'), 'replay', RECORDINGS, '--rules', path.join(ROOT, 'rules'));
      expect(r.status).toBe(0);
      expect(r.stdout).toBe(run('replay', RECORDINGS, '--rules', path.join(ROOT, 'rules')).stdout);
    } finally {
      await rm(copy, { recursive: true, force: true });
    }
  });

  it('change nothing a command does: the replay is the same compiled from the source alone, where stack traces name the sources', async () => {
    const rules = path.join(ROOT, 'rules');
    const cached = run('replay', RECORDINGS, '--rules', rules);
    // Under --enable-source-maps the bundle runs through Node's own loader, without a cache.
    const compiled = runWith(['--enable-source-maps'], CLI, 'replay', RECORDINGS, '--rules', rules);
    expect(cached.status).toBe(0);
    expect(compiled.stdout).toBe(cached.stdout);
    expect(cached.stdout.trim().split('\n')).toHaveLength(3);
    // An unknown failure prints its stack: through the source map, it names the TypeScript files.
    const notADirectory = path.join(OUT, 'not-a-directory');
    await writeFile(notADirectory, '');
    const config = path.join(OUT, 'bad-data-dir.yaml');
    await writeFile(config, `dataDir: ${JSON.stringify(path.join(notADirectory, 'data'))}\n`);
    const failed = runWith(['--enable-source-maps'], CLI, 'export', 'd-1', '--config', config);
    expect(failed.status).toBe(2);
    expect(failed.stderr).toContain('cannot create the directory for the database');
    expect(failed.stderr).toMatch(/at .*src\/store\/sqlite\/db\.ts:\d+:\d+/);
    expect(failed.stderr).toMatch(/at .*src\/cli\/program\.ts:\d+:\d+/);
  });
});
