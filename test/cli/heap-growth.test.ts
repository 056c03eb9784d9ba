// The heap growth `serve` sets at start-up, and when it leaves V8's own alone (README "Watch loop at scale").
import { describe, expect, it } from 'vitest';
import { HEAP_GROWING_PERCENT, LIMIT_FROM_BYTES, growthLimited, heapGrowthFlag } from '../../src/cli/heap-growth.js';

describe('heapGrowthFlag', () => {
  const ours = `--heap-growing-percent=${HEAP_GROWING_PERCENT}`;

  it('limits the growth when nothing sizes the heap', () => {
    expect(heapGrowthFlag([], undefined)).toBe(ours);
    expect(heapGrowthFlag(['--enable-source-maps', '--trace-gc'], '--dns-result-order=ipv4first')).toBe(ours);
    // Flags that only look alike are not heap flags.
    expect(heapGrowthFlag(['--max-semi-space-size=16', '--heapsnapshot-signal=SIGUSR2'], '--max-old-space-sizes')).toBe(ours);
  });

  it('leaves the heap alone when the command line or NODE_OPTIONS sizes it', () => {
    for (const flag of ['--max-old-space-size=384', '--max_old_space_size=384', '--max-heap-size=512', '--heap-growing-percent=100', '--optimize-for-size']) {
      expect(heapGrowthFlag([flag], undefined), flag).toBeNull();
      expect(heapGrowthFlag([], `--enable-source-maps ${flag}`), flag).toBeNull();
    }
    expect(heapGrowthFlag(['--max-old-space-size', '384'], undefined)).toBeNull();
  });

  it('limits the growth only while the old generation is large, and lifts it again well below that', () => {
    const MiB = 1024 * 1024;
    expect(LIMIT_FROM_BYTES).toBe(64 * MiB);
    expect(growthLimited(20 * MiB, false)).toBe(false);
    expect(growthLimited(64 * MiB, false)).toBe(true);
    expect(growthLimited(200 * MiB, true)).toBe(true);
    // Between half the size and the size, it stays as it was.
    expect(growthLimited(40 * MiB, true)).toBe(true);
    expect(growthLimited(40 * MiB, false)).toBe(false);
    expect(growthLimited(31 * MiB, true)).toBe(false);
  });
});
