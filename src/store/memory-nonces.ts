// A NonceStore in memory, for an app built without a store (tests, tools); it forgets on restart.
import type { NonceStore } from './interfaces.js';

export function memoryNonceStore(): NonceStore {
  const seen = new Map<string, number>();
  return {
    rememberNonce: async (key, expiresAt, now) => {
      for (const [k, exp] of seen) if (exp <= now) seen.delete(k);
      if (seen.has(key)) return false;
      seen.set(key, expiresAt);
      return true;
    },
    seenNonce: async (key, now) => (seen.get(key) ?? 0) > now,
  };
}
