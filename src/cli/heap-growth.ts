// How far `serve` lets V8's heap grow past what is live before a full collection (README "Watch loop at scale").
import { setFlagsFromString } from 'node:v8';

/**
 * The old generation may grow this many percent above what the last full collection left live. V8's own choice
 * with the large heap limit Node sets on a machine with several GB is up to 300% (4×): at 10,000 watches (~200 MiB
 * live, a few MiB promoted per second) it let the heap reach ~650 MiB, over the 500 MiB RSS target. A full collection marks what is live, so its
 * cost per promoted byte is the same for a small heap as for a large one, and a small heap's next limit is mostly
 * V8's minimum step above it, so a small daemon collects about as often as before (measured: README).
 */
export const HEAP_GROWING_PERCENT = 40;

/** V8 flags by which whoever starts the daemon sizes its heap themselves (V8 takes `_` for `-` in flag names). */
const OWN_HEAP_FLAG = /(^|\s)--(max[-_]old[-_]space[-_]size|max[-_]heap[-_]size|heap[-_]growing[-_]percent|optimize[-_]for[-_]size)(=|\s|$)/;

/** The V8 flag `serve` sets at start-up, or null when the command line or NODE_OPTIONS already sizes the heap. */
export function heapGrowthFlag(execArgv: readonly string[], nodeOptions: string | undefined): string | null {
  if ([...execArgv, nodeOptions ?? ''].some((arg) => OWN_HEAP_FLAG.test(arg))) return null;
  return `--heap-growing-percent=${HEAP_GROWING_PERCENT}`;
}

/** Sets heapGrowthFlag for this process (read by V8 at each full collection, so it applies from the next one on). */
export function limitHeapGrowth(): string | null {
  const flag = heapGrowthFlag(process.execArgv, process.env['NODE_OPTIONS']);
  if (flag) setFlagsFromString(flag);
  return flag;
}
