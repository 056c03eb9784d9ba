// Where the guard is and how to authenticate, from flags and the environment; shared by deploy, wait and deploys.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { parseDuration } from '../rules/duration.js';
import { AUTH_MODES, createGuardClient, type AuthMode, type GuardClient } from './guard-client.js';

type Env = Readonly<Record<string, string | undefined>>;

/** A problem with the command line or its environment: printed as one line, exit 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface TargetFlags {
  url?: string;
  tokenFile?: string;
  auth?: string;
}

export const DEFAULT_URL = 'http://127.0.0.1:8080';

/** Adds --url, --token-file and --auth to a command. */
export function targetOptions(c: Command): Command {
  return c
    .option('--url <url>', `guard base URL (default $RELEASE_GUARD_URL or ${DEFAULT_URL})`)
    .option('--token-file <file>', 'file holding the CI token (default $RELEASE_GUARD_TOKEN)')
    .option('--auth <mode>', 'signed (HMAC of time, method, path and body; the default) or bearer (default $RELEASE_GUARD_AUTH)');
}

const isLoopback = (url: URL) => ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);

/**
 * Resolves URL, token and auth mode. The token comes from --token-file, else $RELEASE_GUARD_TOKEN, else (only for a
 * guard on this machine) `data/dev-token` as `npm start` writes it. Deliberately no --token flag: a token on the
 * command line ends up in process lists and CI logs.
 */
export function resolveTarget(flags: TargetFlags, env: Env, cwd: string): { url: string; token: string; auth: AuthMode } {
  const raw = flags.url ?? env.RELEASE_GUARD_URL ?? DEFAULT_URL;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`--url "${raw.slice(0, 200)}" is not a URL; write it like https://guard.example.com`);
  }
  if (!['http:', 'https:'].includes(url.protocol)) throw new UsageError(`--url must be http(s), got ${url.protocol}`);
  const auth = (flags.auth ?? env.RELEASE_GUARD_AUTH ?? 'signed').trim();
  if (!(AUTH_MODES as readonly string[]).includes(auth))
    throw new UsageError(`--auth (or RELEASE_GUARD_AUTH) must be one of ${AUTH_MODES.join(', ')}, got "${auth.slice(0, 40)}"`);
  return { url: url.href.replace(/\/+$/, ''), token: readToken(flags, env, cwd, url), auth: auth as AuthMode };
}

function readToken(flags: TargetFlags, env: Env, cwd: string, url: URL): string {
  if (flags.tokenFile) {
    let text: string;
    try {
      text = readFileSync(path.resolve(cwd, flags.tokenFile), 'utf8');
    } catch (err) {
      throw new UsageError(`cannot read --token-file ${flags.tokenFile}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
    }
    const token = text.trim();
    if (!token) throw new UsageError(`--token-file ${flags.tokenFile} is empty; put the guard's CI token in it`);
    return token;
  }
  const fromEnv = env.RELEASE_GUARD_TOKEN?.trim();
  if (fromEnv) return fromEnv;
  const devToken = path.resolve(cwd, 'data/dev-token');
  if (isLoopback(url) && existsSync(devToken)) return readFileSync(devToken, 'utf8').trim();
  throw new UsageError('no CI token: set RELEASE_GUARD_TOKEN (e.g. from your CI secret store) or pass --token-file FILE');
}

/** "45m", "90s", "1h30m" or plain seconds ("600"). */
export function parseTimeout(text: string, flag = '--timeout'): number {
  const seconds = /^\d+(\.\d+)?$/.test(text.trim()) ? Number(text) : parseDuration(text);
  if (seconds === null || !(seconds > 0)) throw new UsageError(`${flag} "${text.slice(0, 40)}" is not a duration; write it like 45m, 90s or 1h30m`);
  return seconds;
}

/** A client for posting (retries ~30 s) and one for polling (one attempt; the wait loop itself retries). */
export function clientsFor(target: { url: string; token: string; auth: AuthMode }): { post: GuardClient; poll: GuardClient } {
  return { post: createGuardClient(target), poll: createGuardClient({ ...target, attempts: 1, requestTimeoutMs: 10_000 }) };
}
