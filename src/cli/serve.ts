// `release-guard serve`: runs the daemon until SIGTERM/SIGINT; SIGHUP reloads the rule files.
import { loadConfig } from '../config/load.js';
import { startGuard, type RunningGuard } from '../main.js';
import { createLogger } from '../telemetry/logger.js';
import { limitHeapGrowth } from './heap-growth.js';

export interface ServeOptions {
  config?: string;
  port?: string;
  dev?: boolean;
}

export async function serve(opts: ServeOptions): Promise<void> {
  // Garbage is collected at ~1.4× the live heap rather than V8's up to 4× (README "Watch loop at scale").
  limitHeapGrowth();
  const loaded = loadConfig({ file: opts.config, overrides: { port: opts.port } });
  const { config } = loaded;
  const logger = createLogger({ level: config.logLevel });
  const guard = await startGuard({ config, secrets: loaded.secrets, dev: Boolean(opts.dev), logger, baseDir: loaded.baseDir });
  process.stdout.write(banner(guard, Boolean(opts.dev), loaded.file, config.rulesDir, config.dataDir));
  if (!opts.dev && !config.publicUrl) {
    logger.warn(
      `publicUrl is not set: links in alerts and hook payloads point at ${guard.url}, which people and hooks elsewhere cannot open; set publicUrl (or RELEASE_GUARD_PUBLIC_URL) to the address they reach the guard at`,
    );
  }

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info(`${signal} received: finishing evaluations in flight and closing`);
    guard.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGHUP', () => {
    guard.reloadRules().catch((err: unknown) => logger.error((err as Error).message));
  });
}

/** A value inside double quotes in a POSIX shell: $VAR expands, a pasted literal stays literal. */
const dq = (value: string) => `"${value.replace(/(["\\$`])/g, '\\$1')}"`;

function banner(guard: RunningGuard, dev: boolean, configFile: string | null, rulesDir: string, dataDir: string): string {
  const probes = new Map(guard.sourceProbes.map((p) => [p.source, p]));
  const state = (name: string) => {
    const p = probes.get(name);
    if (!p) return '';
    return p.status === 'answers'
      ? ', answers'
      : p.status === 'not-probed'
        ? ', not probed: no throughput query in default.yaml'
        : `, NOT ANSWERING: ${p.problem}`;
  };
  const sources = [...guard.sources.values()]
    .map((s) => `${s.name} (${s.type}${s.timeScale !== 1 ? `, time runs ${s.timeScale}x` : ''}${state(s.name)})`)
    .join(', ');
  const lines = [
    '',
    `release-guard listening on ${guard.url} (PID ${process.pid}; reload the rules with: kill -HUP ${process.pid})`,
    `  config: ${configFile ?? 'built-in defaults (no release-guard.yaml)'}`,
    `  rules: ${rulesDir}`,
    `  data: ${dataDir}`,
    `  metric sources: ${sources}`,
    `  resumed watches: ${guard.resumed}`,
  ];
  if (dev) {
    lines.push(
      '',
      '  *** DEV MODE: not for production. The CI token below was ' +
        (guard.tokenOrigin === 'env' ? 'taken from RELEASE_GUARD_TOKEN' : `generated and kept in ${dataDir}/dev-token`) +
        '. ***',
    );
  }
  const auth = dq(`Authorization: Bearer ${dev ? guard.token : '$RELEASE_GUARD_TOKEN'}`).replace('\\$RELEASE_GUARD_TOKEN', '$RELEASE_GUARD_TOKEN');
  lines.push(`  token: ${dev ? guard.token : '(from RELEASE_GUARD_TOKEN / auth.tokenFile)'}`);
  if (dev && guard.adminToken)
    lines.push(
      `  admin token (silences, SRE actions): ${guard.adminToken}${guard.adminToken.startsWith('dev-admin-') ? ` (kept in ${dataDir}/dev-admin-token)` : ''}`,
    );
  lines.push(
    '',
    'Post a deploy (the demo source breaks it because of the label; drop the label for a healthy one):',
    `  curl -sS -X POST ${guard.url}/v1/deploys -H ${auth} -H "content-type: application/json" \\`,
    `    -d '{"service":"checkout","environment":"production","version":"v1.2.0","labels":{"demo":"broken-errors"}}'`,
    `Then read its verdict:  curl -sS ${guard.url}/v1/deploys -H ${auth}`,
    '',
  );
  return `${lines.join('\n')}\n`;
}
