// The `release-guard` command as a user runs it: exit codes and messages, as a real child process.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
/** tsx's loader by URL, since the child runs in a temp dir where a bare `tsx` would not resolve. */
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
let dir: string;

function cli(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, ['--import', TSX, path.join(ROOT, 'src/cli/index.ts'), ...args], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'rg-cli-'));
  await cp(path.join(ROOT, 'rules'), path.join(dir, 'rules'), { recursive: true });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('release-guard CLI', () => {
  it('serve refuses to start without a CI token outside --dev, and says how to fix it', () => {
    const r = cli(['serve', '--port', '0']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('no CI token configured: set RELEASE_GUARD_TOKEN');
    expect(r.err).toContain('--dev');
  });

  it('serve stops on a bad config, naming the key and where it came from', () => {
    const r = cli(['serve', '--port', '0'], { RELEASE_GUARD_TOKEN: 't', RELEASE_GUARD_LOG_LEVEL: 'chatty' });
    expect(r.code).toBe(2);
    expect(r.err).toContain('logLevel (from environment variable RELEASE_GUARD_LOG_LEVEL)');
  });

  it('serve stops on a broken rule file with file:line:column', async () => {
    const rulesDir = path.join(dir, 'bad-rules');
    await cp(path.join(ROOT, 'rules/default.yaml'), path.join(rulesDir, 'default.yaml'));
    await writeFile(path.join(rulesDir, 'shop.yaml'), 'match: {service: shop}\nwindow: soon\n');
    const r = cli(['serve', '--port', '0'], { RELEASE_GUARD_TOKEN: 't', RELEASE_GUARD_RULES_DIR: rulesDir, RELEASE_GUARD_DATA_DIR: path.join(dir, 'd1') });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/shop\.yaml:2:9: window: "soon" is not a duration/);
    const check = cli(['rules', 'check', rulesDir]);
    expect(check.code).toBe(1);
    expect(check.err).toMatch(/shop\.yaml:2:9/);
  });

  it('rules check passes the shipped rules', () => {
    const r = cli(['rules', 'check', 'rules']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('error-rate-spike');
  });

  it('replay prints one JSON line per recording and exits 1 when a recording is bad', async () => {
    const good = cli(['replay', path.join(ROOT, 'test/fixtures/recordings'), '--rules', 'rules']);
    expect(good.code).toBe(0);
    const lines = good.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { deployId: string; verdict: string });
    expect(lines.length).toBeGreaterThanOrEqual(3);
    expect(lines.find((l) => l.deployId.includes('broken-error'))?.verdict).toBe('fail');
    await writeFile(path.join(dir, 'bad.json'), '{"format":"release-guard/recording@0"}');
    const bad = cli(['replay', path.join(dir, 'bad.json'), '--rules', 'rules']);
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.out.trim())).toMatchObject({ deployId: null, file: expect.stringContaining('bad.json') });
  });

  it('export names an unknown deploy and how to find one', () => {
    const r = cli(['export', 'nope'], { RELEASE_GUARD_DATA_DIR: path.join(dir, 'd2') });
    expect(r.code).toBe(2);
    expect(r.err).toContain('no deploy with id nope');
  });
});
