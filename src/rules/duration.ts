// Parses rule-file durations such as "90s", "1m", "1h30m" into seconds.
import { z } from 'zod';

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };
const PART = /(\d+(?:\.\d+)?)(s|m|h|d)/g;
const WHOLE = /^(?:\d+(?:\.\d+)?(?:s|m|h|d))+$/;

/** Seconds in a duration string, or null if it is not one ("1m", "90s", "1h30m", "0s"). */
export function parseDuration(text: string): number | null {
  const trimmed = text.trim();
  if (!WHOLE.test(trimmed)) return null;
  let seconds = 0;
  for (const m of trimmed.matchAll(PART)) seconds += Number(m[1]) * (UNIT_SECONDS[m[2] as string] ?? 0);
  return seconds;
}

/** Formats seconds back the way SREs write them: 90 → "1m30s", 3600 → "1h". */
export function formatDuration(seconds: number): string {
  if (seconds === 0) return '0s';
  let rest = Math.round(seconds);
  let out = '';
  for (const [unit, size] of [
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) out += `${n}${unit}`;
    rest -= n * size;
  }
  return out;
}

/** A duration field: accepts "1m"-style strings, yields seconds. */
export const Duration = z.string().transform((text, ctx) => {
  const seconds = parseDuration(text);
  if (seconds === null) {
    ctx.addIssue({ code: 'custom', message: `"${text}" is not a duration; write it like 30s, 1m, 1h30m` });
    return z.NEVER;
  }
  return seconds;
});
