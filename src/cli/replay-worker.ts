// A `replay` worker thread: judges the recordings the main thread hands it, one message each (src/cli/replay-pool.ts).
import { parentPort } from 'node:worker_threads';
import type { LoadedRules } from '../rules/resolve.js';
import { replayFile } from './replay-recording.js';
import type { PoolReply, PoolTask } from './replay-pool.js';

const port = parentPort!;
// The rules come first (the pool starts this thread while the main thread is still loading them), then the files.
let loaded: LoadedRules | undefined;
port.on('message', (task: PoolTask) => {
  if (task.kind === 'rules') loaded = task.loaded;
  else port.postMessage({ kind: 'done', index: task.index, result: replayFile(loaded!, task.file) } satisfies PoolReply);
});
port.postMessage({ kind: 'ready' } satisfies PoolReply);
