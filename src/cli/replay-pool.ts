// Judges replay's recordings on the main thread and on worker threads at once; the caller puts the results in order.
import { availableParallelism } from 'node:os';
import path from 'node:path';
import type { Worker } from 'node:worker_threads';
import type { LoadedRules } from '../rules/resolve.js';
import { replayFile, type ReplayedFile } from './replay-recording.js';

/** Below this many files the main thread judges alone: a worker's start-up (its own module loading) would not pay off. */
export const POOL_MIN_FILES = 48;

/** Worker threads beside the main thread: at most this many. */
const MAX_WORKERS = 7;

/** Recordings handed to a worker ahead of its answers, so it never waits for the main thread between two. */
const AHEAD = 2;

/** A message to a worker: the rules (sent once, first), or a file to judge. */
export type PoolTask = { kind: 'rules'; loaded: LoadedRules } | { kind: 'judge'; index: number; file: string };

/** A message from a worker: its modules are loaded, or one file is judged. */
export type PoolReply = { kind: 'ready' } | { kind: 'done'; index: number; result: ReplayedFile };

/**
 * How many worker threads to start for `files` recordings on `cores` cores (0: judge on the main thread only). One
 * per two further cores: a replay thread keeps about one and a half cores busy, V8 compiling its hot code and
 * collecting its garbage on background threads (500 recordings on the 2-core bench machine: 2.7 s of CPU in 1.8 s),
 * so on two cores a worker only competes with the main thread's compiler (measured slower, 2.0–2.2 s against 1.8 s).
 */
export function poolWorkers(files: number, cores = availableParallelism()): number {
  return files < POOL_MIN_FILES ? 0 : Math.max(0, Math.min(Math.floor((cores - 1) / 2), MAX_WORKERS));
}

/** One worker thread and what the pool knows of it; events that come before judge() are kept, not lost. */
interface PoolWorker {
  thread: Worker;
  ready: boolean;
  exited: boolean;
  /** Files handed to it and not answered yet. */
  inHand: Set<number>;
  /** Set by judge(): called on 'ready' and after each answer, and when the thread ends. */
  onMessage: (reply: PoolReply) => void;
  onExit: () => void;
}

/**
 * Worker threads for `replay`, started before the rules are loaded so that their own module loading overlaps the
 * main thread's; `judge` then shares the files out between them and the main thread.
 */
export class ReplayPool {
  private readonly workers: PoolWorker[];

  constructor(count: number) {
    this.workers = Array.from({ length: count }, () => startWorker());
  }

  /**
   * Judges every file, calling `onResult(index, result)` once per file in whatever order they finish: the main thread
   * takes the next file whenever it is free, each worker (once its modules are loaded, so a slow start never delays
   * the main thread) keeps AHEAD files in hand. The files of a worker that fails are judged on the main thread, and
   * with the last worker gone, all that are left. The output is the same whoever judges a file: each is judged
   * alone, from the same rules. `mainThread: false` leaves the files to the workers (for tests). Ends the workers.
   */
  async judge(loaded: LoadedRules, files: readonly string[], onResult: (index: number, result: ReplayedFile) => void, mainThread = true): Promise<void> {
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
    const live = (): PoolWorker[] => this.workers.filter((w) => !w.exited);
    const drain = (): void => {
      for (let index = take(); index !== undefined; index = take()) judgeHere(index);
    };
    for (const w of this.workers) {
      const feed = (): void => {
        for (let index = w.inHand.size < AHEAD ? take() : undefined; index !== undefined; index = w.inHand.size < AHEAD ? take() : undefined) {
          w.inHand.add(index);
          w.thread.postMessage({ kind: 'judge', index, file: files[index]! } satisfies PoolTask);
        }
      };
      w.onMessage = (reply) => {
        if (reply.kind === 'done') {
          w.inHand.delete(reply.index);
          deliver(reply.index, reply.result);
        }
        feed();
      };
      w.onExit = () => {
        const lost = [...w.inHand];
        w.inHand.clear();
        lost.forEach(judgeHere);
        if (live().length === 0) drain();
      };
      if (w.exited) continue;
      w.thread.postMessage({ kind: 'rules', loaded } satisfies PoolTask);
      if (w.ready) feed();
    }
    try {
      if (mainThread || live().length === 0) {
        for (let index = take(); index !== undefined; index = take()) {
          judgeHere(index);
          // Lets the workers' answers in, and hands them their next files.
          if (live().length > 0) await new Promise((resolve) => setImmediate(resolve));
        }
      }
      if (finished < files.length) await done;
    } finally {
      await this.close();
    }
  }

  /** Ends the worker threads (after judge(), or when the rules could not be loaded). */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.thread.terminate()));
  }
}

function startWorker(): PoolWorker {
  const w: PoolWorker = { thread: spawnWorker(), ready: false, exited: false, inHand: new Set(), onMessage: () => {}, onExit: () => {} };
  w.thread.on('message', (reply: PoolReply) => {
    if (reply.kind === 'ready') w.ready = true;
    w.onMessage(reply);
  });
  // A worker that fails ('error', then 'exit') leaves its files to the main thread: the output does not change.
  w.thread.on('error', () => {});
  w.thread.once('exit', () => {
    w.exited = true;
    w.onExit();
  });
  return w;
}

/**
 * A worker thread running replay-worker, beside this file and of its kind: replay-worker.cjs beside the CLI bundle
 * (dist/cli/cli.cjs), or from source (tsx, vitest) replay-worker.ts through tsx.
 */
function spawnWorker(): Worker {
  // Loaded here, when a worker is asked for (~5 ms): the default on two cores starts none.
  const { Worker } = process.getBuiltinModule('node:worker_threads');
  const here = import.meta.url;
  const fromSource = here.endsWith('.ts');
  const url = new URL(`./replay-worker${path.extname(new URL(here).pathname)}`, here);
  if (!fromSource) return new Worker(url);
  const boot = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}); })`;
  return new Worker(boot, { eval: true });
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
