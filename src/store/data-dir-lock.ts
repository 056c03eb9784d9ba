// One guard per data dir: an exclusive lock file naming the holder's PID, as Prometheus locks its storage dir.
import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';

/** What the lock file holds: who has the data dir. */
export interface LockHolder {
  pid: number;
  hostname: string;
  /** ISO time the holder took the lock. */
  since: string;
}

export interface DataDirLock {
  readonly file: string;
  /** Removes the lock file if it is still ours. Safe to call twice. */
  release(): void;
}

/** The data dir is held by another live guard; the message names its PID and the fix. */
export class DataDirLockedError extends Error {
  constructor(
    readonly file: string,
    readonly holder: LockHolder,
  ) {
    super(
      `data dir ${path.dirname(file)} is in use by another release-guard (PID ${holder.pid} on ${holder.hostname}, since ${holder.since}); ` +
        `stop that process (kill ${holder.pid}) or give this one its own data dir (RELEASE_GUARD_DATA_DIR or dataDir in the config). ` +
        `If no such process runs, delete ${file}`,
    );
    this.name = 'DataDirLockedError';
  }
}

/** Lock files this process holds: a second guard in the same process is refused too. */
const heldHere = new Set<string>();

/** Whether a process with this PID runs on this machine (EPERM: it runs, as another user). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readHolder(file: string): LockHolder | null {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<LockHolder>;
    if (typeof parsed.pid !== 'number' || !Number.isInteger(parsed.pid) || parsed.pid <= 0) return null;
    return { pid: parsed.pid, hostname: String(parsed.hostname ?? 'unknown host'), since: String(parsed.since ?? 'unknown time') };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    return null;
  }
}

/**
 * Takes `<dataDir>/lock` exclusively (O_CREAT|O_EXCL). A lock left by a process that no longer runs on this host is
 * stale and taken over; a live holder, or one on another host (a shared volume), makes this throw DataDirLockedError.
 */
export function lockDataDir(dataDir: string, pid: number = process.pid): DataDirLock {
  mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, 'lock');
  const me: LockHolder = { pid, hostname: hostname(), since: new Date().toISOString() };
  if (heldHere.has(file)) throw new DataDirLockedError(file, readHolder(file) ?? me);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o644);
      try {
        writeSync(fd, `${JSON.stringify(me)}\n`);
      } finally {
        closeSync(fd);
      }
      let released = false;
      heldHere.add(file);
      return {
        file,
        release() {
          if (released) return;
          released = true;
          heldHere.delete(file);
          if (readHolder(file)?.pid === pid) unlinkSync(file);
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST')
        throw new Error(`cannot create the lock file ${file}: ${(err as Error).message}; check the data dir's permissions`, { cause: err });
    }
    const holder = readHolder(file);
    const sameHost = holder?.hostname === me.hostname;
    if (holder && (!sameHost || (holder.pid !== pid && alive(holder.pid)))) throw new DataDirLockedError(file, holder);
    // Stale: its process is gone, it is unreadable (a crash mid-write), or it names our own PID without this process
    // holding it (a container restarted: PID 1 again). Take it over.
    try {
      unlinkSync(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  throw new Error(`could not take the lock file ${file}: another process keeps recreating it; is another release-guard starting on this data dir?`);
}
