// How far `serve` lets V8's heap grow past what is live before a full collection (README "Watch loop at scale").
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';

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

/**
 * The old generation's size from which the growth is limited. Below it the growth is V8's own: a small heap is cheap to
 * let grow, and limiting it made a small daemon under a burst of POSTs collect all of it every ~150 ms (53 full
 * collections in an 8 s load; ~8% fewer POSTs answered). 10,000 watches pass it within seconds of their ingest.
 */
export const LIMIT_FROM_BYTES = 64 * 1024 * 1024;

/** How often `serve` looks at the old generation's size. */
const CHECK_MS = 1000;

/** Whether the growth is limited after a look at the old generation (`used` bytes); off again below half, so it does not flap. */
export function growthLimited(used: number, limited: boolean): boolean {
  return used >= (limited ? LIMIT_FROM_BYTES / 2 : LIMIT_FROM_BYTES);
}

/**
 * Sets heapGrowthFlag for this process while its old generation is large (growthLimited, looked at every second; V8
 * reads the flag at each full collection, so it applies from the next one on), and V8's own growth while it is not.
 */
export function limitHeapGrowth(): string | null {
  const flag = heapGrowthFlag(process.execArgv, process.env['NODE_OPTIONS']);
  if (!flag) return null;
  let limited = false;
  const look = (): void => {
    const old = getHeapSpaceStatistics().find((s) => s.space_name === 'old_space')?.space_used_size ?? 0;
    const next = growthLimited(old, limited);
    if (next === limited) return;
    limited = next;
    setFlagsFromString(next ? flag : '--heap-growing-percent=0');
  };
  look();
  setInterval(look, CHECK_MS).unref();
  return flag;
}
