// Replaces configured secret values wherever they turn up (hook output, API answers), as "[redacted]".
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const REDACTED = '[redacted]';
/** Shorter values are not redacted: a 3-character "secret" would blank out ordinary words. */
export const MIN_REDACTED_LENGTH = 6;

/** Replaces known secret values in text and in every string (keys included) inside a JSON-like value. */
export interface Redactor {
  text(s: string): string;
  deep<T>(value: T): T;
}

/**
 * A redactor over the values `secrets()` returns. They are worked out again only when `generation()` answers a new
 * value (rules are reloadable, so hook secrets may change: pass the rule set in force); without it, at every call.
 * A value holding no secret is answered as it is, after a scan that allocates nothing; only one that holds a secret
 * is copied with the secrets replaced.
 */
export function createRedactor(secrets: () => Iterable<string | null | undefined>, generation?: () => unknown): Redactor {
  const compute = (): string[] =>
    [...new Set([...secrets()].filter((v): v is string => typeof v === 'string' && v.trim().length >= MIN_REDACTED_LENGTH).map((v) => v.trim()))]
      // Longest first, so a secret that contains another is replaced whole.
      .sort((a, b) => b.length - a.length);
  let cached: { generation: unknown; values: string[] } | null = null;
  const current = (): string[] => {
    if (!generation) return compute();
    const g = generation();
    if (cached === null || cached.generation !== g) cached = { generation: g, values: compute() };
    return cached.values;
  };
  const replace = (s: string, values: string[]): string => values.reduce((acc, v) => (acc.includes(v) ? acc.split(v).join(REDACTED) : acc), s);
  const walk = (v: unknown, values: string[]): unknown => {
    if (typeof v === 'string') return replace(v, values);
    if (Array.isArray(v)) return v.map((x) => walk(x, values));
    if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [replace(k, values), walk(x, values)]));
    return v;
  };
  return {
    text: (s) => replace(s, current()),
    deep: <T>(value: T): T => {
      const values = current();
      return values.length === 0 || !holdsSecret(value, values) ? value : (walk(value, values) as T);
    },
  };
}

/** Whether any string inside a JSON-like value (keys included) contains one of `values`. */
function holdsSecret(v: unknown, values: readonly string[]): boolean {
  if (typeof v === 'string') return values.some((s) => v.includes(s));
  if (typeof v !== 'object' || v === null) return false;
  if (Array.isArray(v)) return v.some((x) => holdsSecret(x, values));
  for (const k in v) {
    if (!Object.prototype.hasOwnProperty.call(v, k)) continue;
    if (holdsSecret(k, values) || holdsSecret((v as Record<string, unknown>)[k], values)) return true;
  }
  return false;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Names of the environment variables a config (or a hook list) says hold secrets: every `…Env` and `secretEnv` value. */
export function secretEnvNames(config: unknown): string[] {
  const out: string[] = [];
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(visit);
    if (typeof v !== 'object' || v === null) return;
    for (const [k, x] of Object.entries(v)) {
      if (typeof x === 'string' && k.endsWith('Env') && ENV_NAME.test(x)) out.push(x);
      else visit(x);
    }
  };
  visit(config);
  return out;
}

/**
 * The secret values a config refers to: every `…Env` key's variable and every readable `…File` key's content,
 * anywhere in the object (channels, sources, hooks' `secretEnv`).
 */
export function referencedSecrets(config: unknown, env: Readonly<Record<string, string | undefined>>, baseDir: string): string[] {
  const out: string[] = secretEnvNames(config).map((name) => env[name] ?? '');
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(visit);
    if (typeof v !== 'object' || v === null) return;
    for (const [k, x] of Object.entries(v)) {
      if (typeof x === 'string' && k.endsWith('File')) out.push(readQuietly(path.resolve(baseDir, x)));
      else visit(x);
    }
  };
  visit(config);
  return out;
}

function readQuietly(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return '';
  }
}
