// scripts/build.ts: the CLI bundle the package runs from (bin: dist/cli/index.js) works as the sources do.
import { spawnSync } from 'node:child_process';
import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli } from '../../scripts/build.js';

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
});
