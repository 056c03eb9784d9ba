// Composition root: config → store, sources, rules, watcher, responder, HTTP server; and an orderly shutdown.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import path from 'node:path';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { createActionSide } from './actions/action-side.js';
import { createSilenceService } from './actions/silences/service.js';
import { createApp } from './api/app.js';
import { createReviewService } from './review/review-service.js';
import { packageDir } from './config/package-dir.js';
import type { Config, Secrets } from './config/schema.js';
import type { Deploy } from './judge/types.js';
import type { Hook, RuleSet } from './rules/schema.js';
import { loadRules, resolveRulesCached, type LoadedRules } from './rules/index.js';
import { probeSources, type SourceProbe } from './sources/probe.js';
import { createSource } from './sources/registry.js';
import type { MetricSource } from './sources/types.js';
import { lockDataDir, type DataDirLock } from './store/data-dir-lock.js';
import type { Store } from './store/interfaces.js';
import { openStore, type StoreContext } from './store/open.js';
import { StoreHealth, watchedStore } from './store/store-health.js';
import { LeaseKeeper } from './watch/lease-keeper.js';
import type { Logger } from './telemetry/logger.js';
import { createGuardMetrics } from './telemetry/metrics.js';
import { createRedactor, referencedSecrets, secretEnvNames } from './telemetry/redact.js';
import { createIntake } from './watch/intake.js';
import { Watcher } from './watch/watcher.js';
import { RecoveryWatch } from './watch/recovery.js';
import { SourceOutages } from './watch/source-outages.js';

export interface GuardOptions {
  config: Config;
  secrets: Secrets;
  /** Dev mode: a missing token is generated (and kept in dataDir/dev-token) instead of stopping start-up. */
  dev: boolean;
  logger: Logger;
  baseDir: string;
  /** Wall clock in Unix seconds; injectable for tests. */
  now?: () => number;
  /** Where notification channel secrets (…Env settings) are read; default process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Opens the configured store; default openStore (tests inject one they can fill up). */
  openStore?: (config: Config['store'], ctx: StoreContext) => Promise<Store>;
}

export interface RunningGuard {
  url: string;
  token: string;
  /** How the token was obtained, for the start-up banner. */
  tokenOrigin: 'env' | 'generated' | 'dev-token-file';
  /** The admin token (SRE actions, silences): configured, or in dev mode generated beside the dev token; else null. */
  adminToken: string | null;
  resumed: number;
  sources: ReadonlyMap<string, MetricSource>;
  /** Start-up probe of each network metric source: a problem says it did not answer. */
  sourceProbes: SourceProbe[];
  reloadRules(): Promise<void>;
  close(): Promise<void>;
}

/** Resolves the CI token: configured, or in dev mode generated once and kept in the data dir. */
export function resolveToken(secrets: Secrets, dataDir: string, dev: boolean): { token: string; origin: RunningGuard['tokenOrigin'] } {
  if (secrets.token) return { token: secrets.token, origin: 'env' };
  if (!dev) {
    throw new Error('no CI token configured: set RELEASE_GUARD_TOKEN (or auth.tokenFile in the config), or run with --dev to generate one for local use');
  }
  const file = path.join(dataDir, 'dev-token');
  if (existsSync(file)) {
    const kept = readFileSync(file, 'utf8').trim();
    if (!kept) throw new Error(`${file} is empty: delete it to have a new dev token generated`);
    return { token: kept, origin: 'dev-token-file' };
  }
  const token = `dev-${randomBytes(18).toString('base64url')}`;
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return { token, origin: 'generated' };
}

/** In dev mode a missing admin token is generated once and kept in dataDir/dev-admin-token, beside the dev token. */
export function resolveAdminToken(secrets: Secrets, dataDir: string, dev: boolean): string | null {
  if (secrets.adminToken) return secrets.adminToken;
  if (!dev) return null;
  const file = path.join(dataDir, 'dev-admin-token');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const token = `dev-admin-${randomBytes(18).toString('base64url')}`;
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return token;
}

/** Refuses blank secrets whatever their origin (env, file, or a caller of startGuard): an empty key verifies anything. */
export function refuseBlankSecrets(secrets: Secrets): void {
  for (const [key, value] of Object.entries(secrets)) {
    if (value !== null && value.trim() === '') throw new Error(`the ${key} secret is empty (or only white space); set it to a real secret, or leave it unset`);
  }
}

/** Starts the guard holding the data dir's lock (refused, naming the holder's PID, while another guard runs on it). */
export async function startGuard(opts: GuardOptions): Promise<RunningGuard> {
  const lock = lockDataDir(opts.config.dataDir);
  try {
    return await startLocked(opts, lock);
  } catch (err) {
    lock.release();
    throw err;
  }
}

async function startLocked(opts: GuardOptions, lock: DataDirLock): Promise<RunningGuard> {
  const { config, logger } = opts;
  refuseBlankSecrets(opts.secrets);
  const now = opts.now ?? (() => Date.now() / 1000);
  const { token, origin } = resolveToken(opts.secrets, config.dataDir, opts.dev);
  const adminToken = resolveAdminToken(opts.secrets, config.dataDir, opts.dev);
  let rules: LoadedRules = await loadRules(config.rulesDir);
  const rulesFor = (d: Pick<Deploy, 'service' | 'environment'>): RuleSet => resolveRulesCached(rules, d);

  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const metrics = createGuardMetrics(registry);
  const sources = new Map<string, MetricSource>(
    await Promise.all(
      Object.entries(config.sources).map(
        async ([name, c]) => [name, await createSource(name, c, { logger, baseDir: opts.baseDir, registry, env: opts.env ?? process.env })] as const,
      ),
    ),
  );
  mkdirSync(config.dataDir, { recursive: true });
  const rawStore = await (opts.openStore ?? openStore)(config.store, { dataDir: config.dataDir, postgresUrl: opts.secrets.storeUrl ?? null, logger });
  // Late-bound: the alert and the resume need the action side and the watcher, built on top of the store.
  let storeUnwritable = (_reason: string): void => undefined;
  let storeWritable = (_seconds: number): void => undefined;
  const storeHealth = new StoreHealth({
    probe: () => rawStore.probeWrite(now()),
    onUnwritable: (reason) => storeUnwritable(reason),
    onWritable: (seconds) => storeWritable(seconds),
    now,
  });
  const store = watchedStore(rawStore, storeHealth);
  const leased = store.leases !== undefined;
  const env = opts.env ?? process.env;
  const redactor = createRedactor(
    () => [
      token,
      ...Object.values(opts.secrets),
      ...referencedSecrets(config, env, opts.baseDir),
      ...rules.files.flatMap((f) => hookSecrets(f.file.hooks?.rollback ?? [], env)),
    ],
    // Worked out again when the rules are reloaded (SIGHUP), which is also when secret files are read again.
    () => rules,
  );

  let ready = false;
  let publicUrl = config.publicUrl ?? '';
  const verdictUrl = (id: string) => `${publicUrl.replace(/\/$/, '')}/v1/deploys/${encodeURIComponent(id)}`;
  const actions = await createActionSide({
    store,
    logger,
    registry,
    metrics,
    notifications: config.notifications,
    env: opts.env ?? process.env,
    baseDir: opts.baseDir,
    hooksFor: (d) => rulesFor(d).hooks.rollback,
    verdictUrl,
    guardUrl: () => publicUrl,
    now,
    guardRoute: () => config.notifications.guardAlerts ?? rulesFor({ service: '', environment: '' }).severities.P2.alert,
    hookDeps: {
      env,
      redact: redactor.text,
      secretEnvNames: () => [...secretEnvNames(config), ...rules.files.flatMap((f) => secretEnvNames(f.file.hooks ?? {}))],
    },
  }).catch(async (err: unknown) => {
    await store.close();
    throw err;
  });
  const responder = actions.responder;
  const recovery = new RecoveryWatch({ store, sources, rulesFor, responder, logger, now, leased });
  const outages = new SourceOutages({ alert: (key, reason, deploy) => responder.guardAlert(key, reason, 'P2', deploy), logger, now, store });
  const watcher = new Watcher({ store, sources, rulesFor, responder, recovery, logger, metrics, now, outages, leased, concurrency: config.watch.concurrency });
  const keeper = store.leases ? new LeaseKeeper({ leases: store.leases, watcher, recovery, onResumed: (r) => actions.resumed(r), logger, now }) : null;
  const intake = createIntake({ store, watcher, sources, defaultSource: config.defaultSource, rulesFor, logger, metrics, now });
  const app = createApp({
    auth: { token, adminToken, viewerToken: opts.secrets.viewerToken ?? null, githubSecret: opts.secrets.githubSecret, gitlabToken: opts.secrets.gitlabToken },
    intake,
    registry,
    logger,
    notReadyReason: () => {
      if (!ready) return 'resuming watches from the store';
      const full = storeHealth.unwritable();
      if (full) return `store unwritable since ${new Date(full.since * 1000).toISOString()}: ${full.reason}; free space in ${config.dataDir}`;
      return keeper?.notReadyReason() ?? null;
    },
    silences: createSilenceService(store, now),
    nonces: store,
    now,
    maxClockSkewSeconds: config.intake.maxClockSkew,
    redact: redactor.deep,
    review: createReviewService({ store, responder, recovery, rulesFor, stopWatch: (id, reason) => intake.stop(id, reason), logger, now }),
    tuning: { rules: () => rules, store, now },
    uiDir: path.join(packageDir(import.meta.dirname), 'dist/ui'),
  });

  storeUnwritable = (reason) => {
    const message = `release-guard cannot write its store in ${config.dataDir} (${reason}): deploys are refused with 503 and watches pause until space returns; free space in the data dir now`;
    logger.error({ dataDir: config.dataDir, reason }, message);
    void responder
      .guardAlertDirect(`store-unwritable:${Math.floor(now())}`, message, 'P1')
      .then((sent) => logger.warn({ sent }, 'store-unwritable alert sent around the outbox'));
  };
  storeWritable = (seconds) => {
    logger.warn({ seconds }, `store writable again after ${seconds}s: resuming every watch now`);
    void store.activeWatches().then(
      (views) => views.forEach((v) => watcher.schedule(v.deploy.id, 0)),
      (err: unknown) => logger.error({ err }, 'could not resume watches after the store recovered'),
    );
  };
  const server = await listen(app, config.port, config.host);
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host}:${port}`;
  if (!publicUrl) publicUrl = url;
  await actions.start();
  actions.checkRouting(rules);
  await outages.load();
  let resumed = await watcher.start();
  await recovery.start();
  const sourceProbes = await probeSources(sources, rulesFor({ service: '', environment: '' }).metrics['throughput']!, { now: now(), timeoutMs: 5000 });
  for (const p of sourceProbes.filter((x) => x.problem !== null)) {
    logger.warn(
      { source: p.source, problem: p.problem },
      `metric source ${p.source} does not answer at start-up: ${p.problem}; watches on it will be blind until it does`,
    );
  }
  if (keeper) resumed = (await keeper.start()).watches.taken.length;
  ready = true;

  return {
    url,
    token,
    tokenOrigin: origin,
    adminToken,
    resumed,
    sources,
    sourceProbes,
    async reloadRules() {
      const refuse = async (why: string, cause?: unknown): Promise<never> => {
        const message = `rules in ${config.rulesDir} NOT reloaded, the previous rules stay in force: ${why}`;
        await responder
          .guardAlert(`rules-refused:${now()}`, message)
          .catch((err: unknown) => logger.error({ err }, 'could not queue the alert for a refused rule reload'));
        throw new Error(message, { cause });
      };
      let next: LoadedRules;
      try {
        next = await loadRules(config.rulesDir);
      } catch (err) {
        return refuse((err as Error).message, err);
      }
      if (ruleCount(next) === 0 && ruleCount(rules) > 0) {
        return refuse(
          `the new rule files define no rules at all (${ruleCount(rules)} now); a reload never drops every rule: restart the guard if that is really meant`,
        );
      }
      rules = next;
      logger.info({ files: rules.files.map((f) => f.path), rules: ruleCount(rules) }, 'rules reloaded');
    },
    async close() {
      ready = false;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await closed;
      await keeper?.stop();
      await watcher.stop();
      await recovery.stop();
      await actions.stop();
      await Promise.all([...sources.values()].map((s) => s.close?.()));
      storeHealth.stop();
      await store.close();
      lock.release();
    },
  };
}

function ruleCount(loaded: LoadedRules): number {
  return loaded.files.reduce((n, f) => n + (f.file.rules?.length ?? 0), 0);
}

/** Values of a hook set that must never be shown: signing keys, sensitive headers, secret-looking variables. */
function hookSecrets(hooks: readonly Hook[], env: Readonly<Record<string, string | undefined>>): string[] {
  const secretName = /TOKEN|SECRET|KEY|PASS|CREDENTIAL|AUTH/i;
  return hooks.flatMap((h) =>
    h.type === 'http'
      ? [
          h.secretEnv ? env[h.secretEnv] : undefined,
          ...Object.entries(h.headers ?? {})
            .filter(([n]) => secretName.test(n))
            .map(([, v]) => v),
        ].filter((v): v is string => !!v)
      : (h.env ?? []).filter((n) => secretName.test(n)).map((n) => env[n] ?? ''),
  );
}

function listen(app: ReturnType<typeof createApp>, port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host);
    server.once('listening', () => resolve(server));
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'EADDRINUSE'
          ? new Error(`port ${port} on ${host} is already in use; stop the other process or pass --port / RELEASE_GUARD_PORT`, { cause: err })
          : err,
      );
    });
  });
}
