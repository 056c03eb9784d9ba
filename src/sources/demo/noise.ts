// Hash-based randomness for the demo source: every value is a pure function of its key, never of call order.
// A key is hashed in parts (the series' key once per query, then each point's time) rather than built as a string:
// a watch tick asks for a few points of ten series, and the strings were most of what the source allocated.

/** The FNV-1a state of the empty string. */
export const FNV_OFFSET = 0x811c9dc5;

/** The FNV-1a state after `s`, continuing from state `h`: fnv(fnv(h, a), b) === fnv(h, a + b). */
export function fnv(h: number, s: string): number {
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h;
}

/** Digits of a whole number, least significant first (fnvNumber's scratch; never held across calls). */
const digits = new Uint8Array(16);

/** fnv(h, String(n)), without building the string for a whole number (times, counters). */
export function fnvNumber(h: number, n: number): number {
  if (!Number.isSafeInteger(n)) return fnv(h, String(n));
  if (n < 0) {
    h ^= 0x2d; // '-'
    h = Math.imul(h, 0x01000193);
    n = -n;
  }
  let count = 0;
  do {
    digits[count++] = n % 10;
    n = Math.floor(n / 10);
  } while (n > 0);
  while (count > 0) {
    h ^= 0x30 + digits[--count]!;
    h = Math.imul(h, 0x01000193);
  }
  return h;
}

/** An FNV-1a state finished with the murmur3 avalanche, so nearby keys give unrelated numbers. */
function avalanche(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** FNV-1a over a string, finished with the murmur3 avalanche. */
export function hash32(key: string): number {
  return avalanche(fnv(FNV_OFFSET, key));
}

/** A uniform number in [0, 1) from an FNV-1a state (uniform(key) is uniformOf(fnv(FNV_OFFSET, key))). */
export function uniformOf(h: number): number {
  return avalanche(h) / 0x1_0000_0000;
}

/** A uniform number in [0, 1) determined by `key` alone. */
export function uniform(key: string): number {
  return uniformOf(fnv(FNV_OFFSET, key));
}

/**
 * Bell-shaped noise in [-1, 1] determined by `key` (mean of three uniforms, rescaled).
 * Bounded on purpose, so that a "healthy" demo series can never wander past its documented range.
 */
export function noise(key: string): number {
  return noiseOf(fnv(FNV_OFFSET, key));
}

/** noise(key) from the FNV-1a state of the key (fnv(FNV_OFFSET, key)). */
export function noiseOf(h: number): number {
  const sum = uniformOf(fnv(h, '#a')) + uniformOf(fnv(h, '#b')) + uniformOf(fnv(h, '#c'));
  return (sum - 1.5) / 1.5;
}

/**
 * Smooth noise in [-1, 1] that changes slowly with `t`: hashed knots every `period` seconds, eased between.
 * Used for slowly varying gauges such as memory.
 */
export function smoothNoise(key: string, t: number, period: number): number {
  return smoothNoiseOf(fnv(FNV_OFFSET, key), t, period);
}

/** smoothNoise(key, t, period) from the FNV-1a state of the key. */
export function smoothNoiseOf(h: number, t: number, period: number): number {
  const x = t / period;
  const k = Math.floor(x);
  const f = x - k;
  const ease = f * f * (3 - 2 * f);
  const at = fnv(h, '@');
  const a = uniformOf(fnvNumber(at, k)) * 2 - 1;
  const b = uniformOf(fnvNumber(at, k + 1)) * 2 - 1;
  return a + (b - a) * ease;
}
