// "Unknown key prot; did you mean port?": the keys a config section allows, and the nearest one to a typo.
import type { z } from 'zod';

interface Def {
  type?: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  valueType?: z.ZodType;
  in?: z.ZodType;
}

const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** The keys an object schema at `path` (inside `schema`) allows; [] when the path does not lead to an object. */
export function keysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let current: z.ZodType | undefined = schema;
  const rest = [...path];
  for (let guard = 0; current && guard < 64; guard++) {
    const def = defOf(current);
    if (def.innerType) current = def.innerType;
    else if (def.in && def.type === 'pipe') current = def.in;
    else if (rest.length === 0) return def.shape ? Object.keys(def.shape) : [];
    else {
      const seg = rest.shift()!;
      current = def.shape ? def.shape[String(seg)] : def.valueType;
    }
  }
  return [];
}

/** Edit distance counting a swap of two neighbours as one edit (optimal string alignment), for short keys. */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/** The allowed key closest to `key` (case-insensitive; at most a third of its letters off), or null. */
export function nearestKey(key: string, allowed: readonly string[]): string | null {
  let best: { key: string; d: number } | null = null;
  for (const candidate of allowed) {
    const d = distance(key.toLowerCase(), candidate.toLowerCase());
    if (d <= Math.max(1, Math.floor(candidate.length / 3)) && (!best || d < best.d)) best = { key: candidate, d };
  }
  return best?.key ?? null;
}
