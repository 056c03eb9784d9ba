// Hash-based randomness for the demo source: every value is a pure function of its key, never of call order.

/** FNV-1a over a string, finished with the murmur3 avalanche so nearby keys give unrelated numbers. */
export function hash32(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A uniform number in [0, 1) determined by `key` alone. */
export function uniform(key: string): number {
  return hash32(key) / 0x1_0000_0000;
}

/**
 * Bell-shaped noise in [-1, 1] determined by `key` (mean of three uniforms, rescaled).
 * Bounded on purpose, so that a "healthy" demo series can never wander past its documented range.
 */
export function noise(key: string): number {
  const sum = uniform(`${key}#a`) + uniform(`${key}#b`) + uniform(`${key}#c`);
  return (sum - 1.5) / 1.5;
}

/**
 * Smooth noise in [-1, 1] that changes slowly with `t`: hashed knots every `period` seconds, eased between.
 * Used for slowly varying gauges such as memory.
 */
export function smoothNoise(key: string, t: number, period: number): number {
  const x = t / period;
  const k = Math.floor(x);
  const f = x - k;
  const ease = f * f * (3 - 2 * f);
  const a = uniform(`${key}@${k}`) * 2 - 1;
  const b = uniform(`${key}@${k + 1}`) * 2 - 1;
  return a + (b - a) * ease;
}
