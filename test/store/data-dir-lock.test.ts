// One guard per data dir: the lock file refuses a second holder, names its PID, and a stale lock is taken over.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DataDirLockedError, lockDataDir } from '../../src/store/data-dir-lock.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'rg-lock-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A process that runs until killed, standing in for another guard. */
function otherProcess() {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    pid: child.pid!,
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

describe('lockDataDir', () => {
  it('writes a lock naming this process and removes it on release', async () => {
    const lock = lockDataDir(dir);
    const holder = JSON.parse(await readFile(path.join(dir, 'lock'), 'utf8')) as { pid: number; hostname: string };
    expect(holder.pid).toBe(process.pid);
    expect(holder.hostname).toBe(hostname());
    lock.release();
    expect(existsSync(path.join(dir, 'lock'))).toBe(false);
    lockDataDir(dir).release();
  });

  it('refuses a second lock in the same process', () => {
    const lock = lockDataDir(dir);
    try {
      expect(() => lockDataDir(dir)).toThrow(DataDirLockedError);
    } finally {
      lock.release();
    }
  });

  it('refuses while another live process holds it, naming its PID; takes a stale lock over once it is gone', async () => {
    const other = otherProcess();
    await writeFile(path.join(dir, 'lock'), JSON.stringify({ pid: other.pid, hostname: hostname(), since: '2026-01-01T00:00:00Z' }));
    let error: unknown = null;
    try {
      lockDataDir(dir);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(DataDirLockedError);
    expect((error as Error).message).toContain(`PID ${other.pid}`);
    expect((error as Error).message).toContain(`kill ${other.pid}`);
    await other.kill();
    const lock = lockDataDir(dir);
    expect(JSON.parse(await readFile(path.join(dir, 'lock'), 'utf8')).pid).toBe(process.pid);
    lock.release();
  });

  it('refuses a lock held from another host (a shared volume), since its PID cannot be checked', async () => {
    await writeFile(path.join(dir, 'lock'), JSON.stringify({ pid: 12345, hostname: 'other-host.example', since: 'x' }));
    expect(() => lockDataDir(dir)).toThrow(/PID 12345 on other-host\.example/);
  });

  it('takes over a lock naming its own PID that this process does not hold (a container restarted as PID 1 again)', async () => {
    await writeFile(path.join(dir, 'lock'), JSON.stringify({ pid: 4242, hostname: hostname(), since: 'x' }));
    const lock = lockDataDir(dir, 4242);
    expect(JSON.parse(await readFile(path.join(dir, 'lock'), 'utf8')).since).not.toBe('x');
    lock.release();
  });

  it('takes over an unreadable lock file (a crash while writing it)', async () => {
    await writeFile(path.join(dir, 'lock'), '{"pid": 1');
    lockDataDir(dir).release();
  });
});
