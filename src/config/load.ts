// Loads the config: YAML file (optional) overlaid by RELEASE_GUARD_* variables, validated once; secrets from env or files.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { keysAt, nearestKey } from './did-you-mean.js';
import { Config, type Secrets } from './schema.js';

/** A configuration problem; the message names every bad key, where it came from and how to fix it. */
export class ConfigError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConfigError';
  }
}

/** Environment variables that override a config key (DESIGN §7). */
export const ENV_KEYS: Record<string, keyof Config> = {
  RELEASE_GUARD_HOST: 'host',
  RELEASE_GUARD_PORT: 'port',
  RELEASE_GUARD_DATA_DIR: 'dataDir',
  RELEASE_GUARD_RULES_DIR: 'rulesDir',
  RELEASE_GUARD_PUBLIC_URL: 'publicUrl',
  RELEASE_GUARD_LOG_LEVEL: 'logLevel',
  RELEASE_GUARD_DEFAULT_SOURCE: 'defaultSource',
};

/** The tokens (the store URL is resolved on its own, only for a PostgreSQL store). */
type TokenKey = Exclude<keyof Secrets, 'storeUrl'>;

const SECRET_ENV: Record<TokenKey, string> = {
  token: 'RELEASE_GUARD_TOKEN',
  adminToken: 'RELEASE_GUARD_ADMIN_TOKEN',
  viewerToken: 'RELEASE_GUARD_VIEWER_TOKEN',
  githubSecret: 'RELEASE_GUARD_GITHUB_SECRET',
  gitlabToken: 'RELEASE_GUARD_GITLAB_TOKEN',
};

export interface LoadedConfig {
  config: Config;
  secrets: Secrets;
  /** The file read, or null when running on built-in defaults. */
  file: string | null;
  /** Folder that relative paths resolve against. */
  baseDir: string;
}

export interface LoadConfigOptions {
  /** Explicit --config path; otherwise $RELEASE_GUARD_CONFIG, then ./release-guard.yaml if it exists. */
  file?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** CLI flags win over env and file (e.g. --port). */
  overrides?: Partial<Record<keyof Config, unknown>>;
}

export function loadConfig(opts: LoadConfigOptions = {}): LoadedConfig {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const file = pickFile(opts.file ?? env.RELEASE_GUARD_CONFIG, cwd);
  const raw = file ? readYaml(file) : {};
  const origin: Record<string, string> = {};
  for (const key of Object.keys(raw)) origin[key] = file ?? '';
  for (const [name, key] of Object.entries(ENV_KEYS)) {
    const value = env[name];
    if (value !== undefined && value !== '') {
      raw[key] = value;
      origin[key] = `environment variable ${name}`;
    }
  }
  for (const [key, value] of Object.entries(opts.overrides ?? {})) {
    if (value !== undefined) {
      raw[key] = value;
      origin[key] = `command-line flag --${key}`;
    }
  }
  const parsed = Config.safeParse(raw);
  if (!parsed.success) throw new ConfigError(formatIssues(parsed.error.issues, origin, file));
  const baseDir = file ? path.dirname(file) : cwd;
  const config = {
    ...parsed.data,
    dataDir: path.resolve(baseDir, parsed.data.dataDir),
    rulesDir: path.resolve(baseDir, parsed.data.rulesDir),
    store: resolveStorePaths(parsed.data.store, baseDir),
  };
  return { config, secrets: loadSecrets(config, env, baseDir), file, baseDir };
}

function pickFile(explicit: string | undefined, cwd: string): string | null {
  if (explicit) {
    const p = path.resolve(cwd, explicit);
    if (!existsSync(p)) throw new ConfigError(`config file ${p} does not exist; pass an existing file with --config or RELEASE_GUARD_CONFIG`);
    return p;
  }
  const fallback = path.resolve(cwd, 'release-guard.yaml');
  return existsSync(fallback) ? fallback : null;
}

function readYaml(file: string): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(file, 'utf8'), { prettyErrors: true });
  } catch (err) {
    throw new ConfigError(`config file ${file} is not valid YAML: ${(err as Error).message}`, { cause: err });
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new ConfigError(`config file ${file} must be a YAML mapping (key: value lines) at the top level`);
  return { ...(doc as Record<string, unknown>) };
}

function formatIssues(issues: z.core.$ZodIssue[], origin: Record<string, string>, file: string | null): string {
  const lines = issues.flatMap((issue) => {
    const key = issue.path.map(String).join('.') || '(top level)';
    const top = String(issue.path[0] ?? '');
    const where = origin[top] ?? (file ? file : 'built-in defaults');
    if (issue.code === 'unrecognized_keys') {
      // One line per unknown key, with the nearest allowed key when there is a likely one.
      const allowed = keysAt(Config, issue.path);
      return issue.keys.map((k) => {
        const near = nearestKey(k, allowed);
        const full = [...issue.path.map(String), k].join('.');
        const hint = near
          ? `did you mean "${near}"?`
          : allowed.length > 0
            ? `allowed here: ${allowed.join(', ')}`
            : `not a setting here; the README's "Configuration" section lists them`;
        return `  - ${full} (from ${origin[String(issue.path[0] ?? k)] ?? (file ? file : 'built-in defaults')}): unknown key; ${hint}`;
      });
    }
    return [`  - ${key} (from ${where}): ${issue.message}`];
  });
  return `invalid configuration:\n${lines.join('\n')}\nFix the keys above; the README's "Configuration" section lists every key and its default.`;
}

function loadSecrets(config: Config, env: NodeJS.ProcessEnv, baseDir: string): Secrets {
  const files: Record<TokenKey, string | undefined> = {
    token: config.auth.tokenFile,
    adminToken: config.auth.adminTokenFile,
    viewerToken: config.auth.viewerTokenFile,
    githubSecret: config.auth.githubSecretFile,
    gitlabToken: config.auth.gitlabTokenFile,
  };
  const out = {} as Secrets;
  for (const key of Object.keys(SECRET_ENV) as TokenKey[]) {
    const fromEnv = env[SECRET_ENV[key]];
    if (fromEnv !== undefined && fromEnv.trim() === '') {
      // An empty key would make HMACs forgeable and an empty X-Gitlab-Token match (issue #8): refuse, do not ignore.
      throw new ConfigError(`${SECRET_ENV[key]} is set but empty (or only white space); set it to the secret, or unset it`);
    }
    if (fromEnv) out[key] = fromEnv.trim();
    else if (files[key]) out[key] = readSecretFile(path.resolve(baseDir, files[key]), `auth.${key}File`);
    else out[key] = null;
  }
  if (config.store.kind === 'postgres') out.storeUrl = storeUrl(config, env, baseDir);
  return out;
}

/** The PostgreSQL URL: RELEASE_GUARD_STORE_URL, else store.urlFile, else store.url (which holds no password). */
function storeUrl(config: Config, env: NodeJS.ProcessEnv, baseDir: string): string | null {
  if (config.store.kind !== 'postgres') return null;
  const fromEnv = env.RELEASE_GUARD_STORE_URL?.trim();
  if (fromEnv) return fromEnv;
  if (config.store.urlFile) return readSecretFile(path.resolve(baseDir, config.store.urlFile), 'store.urlFile');
  if (config.store.url) return config.store.url;
  throw new ConfigError(
    'store.kind is postgres but no URL is set: set RELEASE_GUARD_STORE_URL, store.urlFile or store.url (postgres://user@host:5432/database)',
  );
}

function readSecretFile(file: string, key: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch (err) {
    throw new ConfigError(`${key}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'}); check the path and permissions`, { cause: err });
  }
  if (!text) throw new ConfigError(`${key}: ${file} is empty; put the secret on its first line`);
  return text;
}

/** A file path in the store config resolves against the config file's folder, like dataDir. */
function resolveStorePaths(store: Config['store'], baseDir: string): Config['store'] {
  return store.kind === 'sqlite' && store.path !== undefined ? { ...store, path: path.resolve(baseDir, store.path) } : store;
}
