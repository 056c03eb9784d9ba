// Secrets of metric sources (tokens, passwords, API keys): read from a named environment variable or a file, never from the config.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { z } from 'zod';

/** The error for a secret written into the config file itself. */
export const SECRET_IN_CONFIG = 'secrets are not read from the config file: name an environment variable (…Env) or a file (…File) instead';

/** A config key that must never hold a secret value. */
export const NoSecretHere = z.never({ error: SECRET_IN_CONFIG }).optional();

/** Where one secret comes from, as configured: `env` names a variable, `file` a path (relative to the config's folder). */
export interface SecretRef {
  /** Config key names, for messages: e.g. "auth.tokenEnv". */
  envKey: string;
  fileKey: string;
  env?: string | undefined;
  file?: string | undefined;
}

export type SecretValue = { ok: true; value: string } | { ok: false; message: string };

export interface SecretContext {
  env: Readonly<Record<string, string | undefined>>;
  baseDir: string;
}

/**
 * Reads a secret now (files are re-read at every call, so a rotated secret file takes effect without a restart).
 * The value never appears in a message; the messages say which setting to fix.
 */
export async function readSecret(ref: SecretRef, ctx: SecretContext): Promise<SecretValue> {
  if (ref.env !== undefined) {
    const value = ctx.env[ref.env]?.trim();
    if (value) return { ok: true, value };
    return { ok: false, message: `environment variable ${ref.env} (${ref.envKey}) is not set or empty; export it before starting release-guard` };
  }
  if (ref.file !== undefined) {
    const path = resolve(ctx.baseDir, ref.file);
    try {
      const value = (await readFile(path, 'utf8')).trim();
      if (value) return { ok: true, value };
      return { ok: false, message: `${ref.fileKey} ${path} is empty; put the secret on its first line` };
    } catch (err) {
      return {
        ok: false,
        message: `${ref.fileKey} ${path} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'}); check the path and permissions`,
      };
    }
  }
  return { ok: false, message: `neither ${ref.envKey} nor ${ref.fileKey} is set` };
}

/** Refinement: exactly one of the two keys is set. */
export function oneOf(a: string, b: string) {
  return (value: Record<string, unknown>, ctx: z.RefinementCtx): void => {
    const count = (value[a] !== undefined ? 1 : 0) + (value[b] !== undefined ? 1 : 0);
    if (count !== 1) ctx.addIssue({ code: 'custom', path: [a], message: `set exactly one of ${a} (an environment variable name) or ${b} (a file path)` });
  };
}
