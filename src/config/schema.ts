// The daemon's configuration file schema (YAML) — defaults live here and nowhere else.
import { z } from 'zod';
import { SourceConfig } from '../sources/registry.js';
import { NotificationsConfig } from '../actions/notify/config.js';
import { DEFAULT_STORE, StoreConfig } from '../store/config.js';
import { Duration } from '../rules/duration.js';

const SECRET_IN_FILE = 'secrets are not read from the config file: set the RELEASE_GUARD_* environment variable or point *File at a file';

export const AuthConfig = z
  .object({
    /** Files holding secrets (one line each); the matching RELEASE_GUARD_* variable wins over a file. */
    tokenFile: z.string().optional(),
    adminTokenFile: z.string().optional(),
    viewerTokenFile: z.string().optional(),
    githubSecretFile: z.string().optional(),
    gitlabTokenFile: z.string().optional(),
    token: z.never({ error: SECRET_IN_FILE }).optional(),
    adminToken: z.never({ error: SECRET_IN_FILE }).optional(),
    viewerToken: z.never({ error: SECRET_IN_FILE }).optional(),
    githubSecret: z.never({ error: SECRET_IN_FILE }).optional(),
    gitlabToken: z.never({ error: SECRET_IN_FILE }).optional(),
  })
  .strict();
export type AuthConfig = z.infer<typeof AuthConfig>;

/** How deploy events are accepted (README "HTTP API"). */
export const IntakeConfig = z
  .object({
    /** How far ahead of the guard's clock a deploy's startedAt may be; later ones are refused with 400. */
    maxClockSkew: Duration.default(300),
  })
  .strict();
export type IntakeConfig = z.infer<typeof IntakeConfig>;

/** The watch loop (README "Performance"). */
export const WatchConfig = z
  .object({
    /** Evaluations in flight at most; due ones wait their turn in due-time order (a restart with many open watches catches up without a memory spike). */
    concurrency: z.number().int().min(1).max(1024).default(32),
  })
  .strict();
export type WatchConfig = z.infer<typeof WatchConfig>;

export const DEFAULT_SOURCES = { demo: { type: 'demo' as const, seed: 1, timeScale: 30 } };

export const Config = z
  .object({
    host: z.string().min(1).default('127.0.0.1'),
    port: z.coerce.number({ error: 'port must be a whole number from 0 to 65535' }).int().min(0).max(65535).default(8080),
    /** SQLite database and dev token live here. */
    dataDir: z.string().min(1).default('./data'),
    rulesDir: z.string().min(1).default('./rules'),
    /** Where deploys, verdicts and the outbox are kept: `{kind: sqlite, path?}` (the default, in the data dir), or `{kind: postgres, …}` shared by replicas. */
    store: StoreConfig.default(DEFAULT_STORE),
    /** Base URL people use to reach the guard (links in alerts and hooks); default http://host:port. */
    publicUrl: z.url().optional(),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** Metric sources by name; rule files pick one with `source:`. */
    sources: z.record(z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'source names are lower-case letters, digits, - and _'), SourceConfig).default(DEFAULT_SOURCES),
    /** Source used when the rule file does not name one. */
    defaultSource: z.string().default('demo'),
    auth: AuthConfig.default({}),
    intake: IntakeConfig.prefault({}),
    watch: WatchConfig.prefault({}),
    /** Alert channels, lifecycle messages, the daily digest, templates and delivery retries (README "Alerts"). */
    notifications: NotificationsConfig.prefault({}),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (!(c.defaultSource in c.sources)) {
      ctx.addIssue({
        code: 'custom',
        path: ['defaultSource'],
        message: `defaultSource "${c.defaultSource}" is not one of the configured sources (${Object.keys(c.sources).join(', ') || 'none'}); add it under sources: or pick one of those`,
      });
    }
  });
export type Config = z.infer<typeof Config>;

/** Secrets resolved from env or files; never logged. */
export interface Secrets {
  token: string | null;
  adminToken: string | null;
  /** Read-only: the review UI and GET routes. */
  viewerToken?: string | null;
  githubSecret: string | null;
  gitlabToken: string | null;
  /** PostgreSQL URL with its password (RELEASE_GUARD_STORE_URL or store.urlFile); null when unset. */
  storeUrl?: string | null;
}
