// Reads a channel secret (routing key, webhook URL, SMTP password) from an environment variable or a file.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { NotifierDeps } from './kind.js';

/** Error text for a secret written into the config file itself. */
export const SECRET_IN_CONFIG = 'secrets are not read from the config file: name an environment variable (…Env) or a file (…File) that holds it';

/**
 * The secret named by `<key>Env` or `<key>File` in a channel config, trimmed. Throws an Error that names the
 * channel, the setting and how to fix it (never the value).
 */
export function readSecret(channel: string, key: string, config: Record<string, unknown>, deps: Pick<NotifierDeps, 'env' | 'baseDir'>): string {
  const envName = config[`${key}Env`];
  const file = config[`${key}File`];
  const where = `notifications.channels.${channel}`;
  if (typeof envName === 'string') {
    const value = deps.env[envName]?.trim();
    if (!value) throw new Error(`${where}.${key}Env: environment variable ${envName} is not set or empty; export it before starting the guard`);
    return value;
  }
  if (typeof file === 'string') {
    const full = path.resolve(deps.baseDir, file);
    let text: string;
    try {
      text = readFileSync(full, 'utf8').trim();
    } catch (err) {
      throw new Error(`${where}.${key}File: cannot read ${full} (${(err as NodeJS.ErrnoException).code ?? 'error'}); check the path and permissions`, {
        cause: err,
      });
    }
    if (!text) throw new Error(`${where}.${key}File: ${full} is empty; put the secret on its first line`);
    return text;
  }
  throw new Error(`${where}: set ${key}Env (an environment variable name) or ${key}File (a file path)`);
}

/** Adds an issue unless exactly one of `<key>Env` / `<key>File` is set (a refinement for channel schemas). */
export function oneSecretSource(key: string, required: boolean) {
  return (config: Record<string, unknown>, ctx: z.RefinementCtx): void => {
    const given = [`${key}Env`, `${key}File`].filter((k) => config[k] !== undefined);
    if (given.length > 1) ctx.addIssue({ code: 'custom', path: [`${key}File`], message: `set either ${key}Env or ${key}File, not both` });
    if (required && given.length === 0)
      ctx.addIssue({ code: 'custom', path: [`${key}Env`], message: `set ${key}Env (an environment variable name) or ${key}File (a file holding it)` });
  };
}
