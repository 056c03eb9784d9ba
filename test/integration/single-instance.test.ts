// Two daemons on one data dir: the second refuses to start, names the first one's PID, and the first is untouched.
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, startGuardProcess, type GuardProcess } from './guard-process.js';

const TOKEN = 'single-instance-token';
const guards: GuardProcess[] = [];
let dir: string;

afterAll(async () => {
  for (const g of guards) g.child.kill('SIGKILL');
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('single instance per data dir (real child processes)', () => {
  it('refuses a second serve on the same data dir, naming the running one', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'rg-single-'));
    await cp(path.resolve('rules/default.yaml'), path.join(dir, 'rules/default.yaml'));
    const configFile = path.join(dir, 'release-guard.yaml');
    await writeFile(configFile, ['dataDir: ./data', 'rulesDir: ./rules', 'logLevel: warn'].join('\n'));
    const first = await startGuardProcess(configFile, await freePort(), { RELEASE_GUARD_TOKEN: TOKEN });
    guards.push(first);
    const second = startGuardProcess(configFile, await freePort(), { RELEASE_GUARD_TOKEN: TOKEN });
    const error = await second.then(
      () => null,
      (err: unknown) => err as Error,
    );
    expect(error?.message).toContain(`in use by another release-guard (PID ${first.child.pid}`);
    expect(error?.message).toContain('guard exited with 2');
    expect(error?.message).not.toMatch(/\n\s+at /); // a refusal, not a crash: no stack trace
    expect((await fetch(`${first.url}/readyz`)).status).toBe(200);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    // The lock went with it: the next start succeeds.
    const third = await startGuardProcess(configFile, await freePort(), { RELEASE_GUARD_TOKEN: TOKEN });
    guards.push(third);
    expect((await fetch(`${third.url}/readyz`)).status).toBe(200);
  }, 60_000);
});
