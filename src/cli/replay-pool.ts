// Judges replay's recordings on the main thread and on worker threads at once; the caller puts the results in order.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { LoadedRules } from '../rules/resolve.js';
import { replayFile, type ReplayedFile } from './replay-recording.js';

/** Below this many files the main thread judges alone: a worker's start-up (its own module loading) would not pay off. */
export const POOL_MIN_FILES = 48;

/** Worker threads beside the main thread: one per further core, at most this many. */
const MAX_WORKERS = 7;

/** Recordings handed to a worker ahead of its answers, so it never waits for the main thread between two. */
const AHEAD = 2;

/** A message to a worker: judge this file. */
export interface PoolTask {
  index: number;
  file: string;
}

/** A message from a worker: its modules are loaded, or one file is judged. */
export type PoolReply = { kind: 'ready' } | { kind: 'done'; index: number; result: ReplayedFile };

export interface PoolOptions {
  /** Worker threads to start (0: the main thread judges every file). */
  workers: number;
  /** Whether the main thread judges files too (default true; false leaves them to the workers, for tests). */
  mainThread?: boolean;
}

/** How many worker threads to start for `files` recordings (0: judge on the main thread only). */
export function poolWorkers(files: number): number {
  return files < POOL_MIN_FILES ? 0 : Math.max(0, Math.min(availableParallelism() - 1, MAX_WORKERS));
}

/**
 * Judges every file, calling `onResult(index, result)` once per file in whatever order they finish: the main thread
 * takes the next file whenever it is free, each worker (once its modules are loaded, so a slow start never delays the
 * main thread) keeps AHEAD files in hand. The files of a worker that fails are judged on the main thread. Output is
 * the same whoever judges a file: each is judged alone, from the same rules.
 */
export async function judgeFiles(
  loaded: LoadedRules,
  files: readonly string[],
  { workers, mainThread = true }: PoolOptions,
  onResult: (index: number, result: ReplayedFile) => void,
): Promise<void> {
  let next = 0;
  const take = (): number | undefined => (next < files.length ? next++ : undefined);
  let finished = 0;
  let allDone = (): void => {};
  const done = new Promise<void>((resolve) => (allDone = resolve));
  const deliver = (index: number, result: ReplayedFile): void => {
    onResult(index, result);
    if (++finished === files.length) allDone();
  };
  const judgeHere = (index: number): void => deliver(index, replayFile(loaded, files[index]!));
  let live = files.length > 0 ? workers : 0;
  // A worker that dies leaves its files to the main thread, and with it the rest when it was the last.
  const lost = (inHand: number[]): void => {
    inHand.forEach(judgeHere);
    if (--live === 0) for (let index = take(); index !== undefined; index = take()) judgeHere(index);
  };
  const pool = Array.from({ length: live }, () => startWorker(loaded, files, take, deliver, lost));
  try {
    for (let index = mainThread || pool.length === 0 ? take() : undefined; index !== undefined; index = take()) {
      judgeHere(index);
      // Lets the workers' answers in, and hands them their next files.
      if (pool.length > 0) await new Promise((resolve) => setImmediate(resolve));
    }
    if (finished < files.length) await done;
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
}

/** A worker fed from `take` (AHEAD files in hand once it is ready); `lost` gets the files in its hand when it ends. */
function startWorker(
  loaded: LoadedRules,
  files: readonly string[],
  take: () => number | undefined,
  deliver: (index: number, result: ReplayedFile) => void,
  lost: (inHand: number[]) => void,
): Worker {
  const worker = spawnWorker(loaded);
  const inHand = new Set<number>();
  const feed = (): void => {
    while (inHand.size < AHEAD) {
      const index = take();
      if (index === undefined) return;
      inHand.add(index);
      worker.postMessage({ index, file: files[index]! } satisfies PoolTask);
    }
  };
  worker.on('message', (reply: PoolReply) => {
    if (reply.kind === 'done') {
      inHand.delete(reply.index);
      deliver(reply.index, reply.result);
    }
    feed();
  });
  // 'error' is followed by 'exit'; a worker terminated at the end has nothing in hand.
  worker.once('exit', () => lost([...inHand]));
  worker.on('error', () => {});
  return worker;
}

/** A worker thread running replay-worker: the compiled .js beside this file, or from source (tsx, vitest) through tsx. */
function spawnWorker(loaded: LoadedRules): Worker {
  const fromSource = import.meta.url.endsWith('.ts');
  const url = new URL(fromSource ? './replay-worker.ts' : './replay-worker.js', import.meta.url);
  const workerData = { loaded };
  if (!fromSource) return new Worker(url, { workerData });
  const boot = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}); })`;
  return new Worker(boot, { eval: true, workerData });
}

/** Wraps `emit` to take results in any order and pass them on in index order (0, 1, 2, …), each as soon as it can. */
export function inIndexOrder<T>(emit: (index: number, value: T) => void): (index: number, value: T) => void {
  const waiting = new Map<number, T>();
  let due = 0;
  return (index, value) => {
    waiting.set(index, value);
    while (waiting.has(due)) {
      const next = waiting.get(due)!;
      waiting.delete(due);
      emit(due++, next);
    }
  };
}
