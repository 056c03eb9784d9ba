// The start banner of `serve --dev` (as `npm start` runs it): PID, both tokens, and commands that run as pasted.
import { execFile, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../integration/guard-process.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
let dir: string;
let kill = () => undefined as unknown;

afterAll(async () => {
  kill();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const sh = (command: string) =>
  new Promise<{ code: number; out: string }>((resolve) =>
    execFile('bash', ['-c', command], { timeout: 30_000 }, (err, out) => resolve({ code: err ? Number(err.code ?? 1) : 0, out })),
  );

describe('serve --dev banner', () => {
  it('shows the daemon PID, an admin token beside the dev token, and paste-and-run curl commands', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'rg-banner-'));
    await cp(path.join(ROOT, 'rules'), path.join(dir, 'rules'), { recursive: true });
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli/index.ts'), 'serve', '--dev', '--port', String(port)], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        RELEASE_GUARD_DATA_DIR: path.join(dir, 'data'),
        RELEASE_GUARD_RULES_DIR: path.join(dir, 'rules'),
        RELEASE_GUARD_LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    kill = () => child.kill('SIGKILL');
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    const deadline = Date.now() + 120_000;
    while (!out.includes('Then read its verdict') && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 200));

    expect(out).toContain(`(PID ${child.pid}; reload the rules with: kill -HUP ${child.pid})`);
    const token = (await readFile(path.join(dir, 'data/dev-token'), 'utf8')).trim();
    const admin = (await readFile(path.join(dir, 'data/dev-admin-token'), 'utf8')).trim();
    expect(admin).toMatch(/^dev-admin-/);
    expect(out).toContain(`admin token (silences, SRE actions): ${admin}`);
    expect(out).not.toContain("'Authorization");
    // No publicUrl warning in dev mode.
    expect(out).not.toContain('publicUrl is not set');

    const post = out.split('\n').findIndex((l) => l.includes('-X POST'));
    const postCommand = `${out.split('\n')[post]!.replace(/\\$/, '')} ${out.split('\n')[post + 1]!.trim()}`;
    const posted = await sh(postCommand);
    expect(posted.code).toBe(0);
    expect(JSON.parse(posted.out)).toMatchObject({ deploy: { service: 'checkout' } });
    const read = await sh(
      out
        .split('\n')
        .find((l) => l.startsWith('Then read its verdict:'))!
        .replace('Then read its verdict:', ''),
    );
    expect(read.code).toBe(0);
    expect(JSON.stringify(JSON.parse(read.out))).toContain('checkout');
    // The admin token works where the admin token is needed.
    const silences = await fetch(`http://127.0.0.1:${port}/v1/silences`, { headers: { authorization: `Bearer ${admin}` } });
    expect(silences.status).toBe(200);
    expect(token).toMatch(/^dev-/);
  }, 150_000);
});
