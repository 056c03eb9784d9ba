// A `replay` worker thread: judges the recordings the main thread hands it, one message each (src/cli/replay-pool.ts).
import { parentPort, workerData } from 'node:worker_threads';
import type { LoadedRules } from '../rules/resolve.js';
import { replayFile } from './replay-recording.js';
import type { PoolReply, PoolTask } from './replay-pool.js';

const port = parentPort!;
const { loaded } = workerData as { loaded: LoadedRules };
port.on('message', ({ index, file }: PoolTask) => port.postMessage({ kind: 'done', index, result: replayFile(loaded, file) } satisfies PoolReply));
port.postMessage({ kind: 'ready' } satisfies PoolReply);
