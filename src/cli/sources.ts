// `release-guard sources check`: runs a service's pre-flight queries (the ones a deploy's first tick runs) and reports each metric.
import type { Deploy } from '../judge/types.js';
import { ConfigError, loadConfig } from '../config/load.js';
import { loadRules, resolveRules } from '../rules/index.js';
import { createSource } from '../sources/registry.js';
import type { QueryResult } from '../sources/types.js';
import { formatDuration } from '../rules/duration.js';
import { createLogger, type Logger } from '../telemetry/logger.js';
import { metricsToQuery } from '../watch/queries.js';

export interface SourcesCheckOptions {
  service: string;
  environment: string;
  /** Fills {{version}} in templates. */
  version?: string;
  /** Config file (default: $RELEASE_GUARD_CONFIG or ./release-guard.yaml). */
  config?: string;
  /** Rule directory instead of the config's rulesDir. */
  rules?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  logger?: Logger;
  /** Wall clock in Unix seconds. */
  now?: () => number;
}

/** The outcome for one metric. */
export interface MetricCheck {
  metric: string;
  unit: string;
  status: 'ok' | 'no data' | 'error';
  points: number;
  last: number | null;
  message: string | null;
}

export interface SourcesCheckReport {
  ok: boolean;
  source: string;
  sourceType: string;
  service: string;
  environment: string;
  /** Seconds of history queried (the baseline) and the step. */
  range: number;
  step: number;
  checks: MetricCheck[];
}

function outcome(metric: string, unit: string, result: QueryResult): MetricCheck {
  if (result.kind === 'error') return { metric, unit, status: 'error', points: 0, last: null, message: result.message };
  if (result.kind === 'no-data' || result.points.length === 0) {
    return {
      metric,
      unit,
      status: 'no data',
      points: 0,
      last: null,
      message: 'the query returned no points: check the metric names and labels in its template',
    };
  }
  return { metric, unit, status: 'ok', points: result.points.length, last: result.points.at(-1)![1], message: null };
}

/**
 * Resolves the rules for service/environment, builds their metric source from the config and runs every query a
 * deploy's first tick would run: the baseline history up to now, at the rule interval. Config and rule problems
 * throw (ConfigError, RuleError); query problems are reported per metric.
 */
export async function checkSources(opts: SourcesCheckOptions): Promise<SourcesCheckReport> {
  const env = opts.env ?? process.env;
  const { config, baseDir } = loadConfig({ file: opts.config, env, cwd: opts.cwd });
  const rules = resolveRules(await loadRules(opts.rules ?? config.rulesDir), { service: opts.service, environment: opts.environment });
  const name = rules.source ?? config.defaultSource;
  const sourceConfig = config.sources[name];
  if (!sourceConfig) {
    throw new ConfigError(
      `the rules for ${opts.service}/${opts.environment} use metric source "${name}", which is not configured; add it under sources: in the config or change source: in ${rules.sources.at(-1) ?? 'the rule file'}`,
    );
  }
  const logger = opts.logger ?? createLogger({ level: 'warn', destination: process.stderr });
  const source = await createSource(name, sourceConfig, { logger, baseDir, env });
  const now = Math.floor((opts.now ?? (() => Date.now() / 1000))());
  const deploy: Deploy = { id: 'sources-check', service: opts.service, environment: opts.environment, version: opts.version ?? 'unknown', startedAt: now };
  const range = rules.baseline.duration;
  try {
    const checks = await Promise.all(
      metricsToQuery(rules).map(async ([metric, decl]) => {
        const result = await source.query({ metric, decl, deploy, scope: 'deploy', start: now - range, end: now, step: rules.interval });
        return outcome(metric, decl.unit, result);
      }),
    );
    return {
      ok: checks.every((c) => c.status === 'ok'),
      source: name,
      sourceType: sourceConfig.type,
      service: opts.service,
      environment: opts.environment,
      range,
      step: rules.interval,
      checks,
    };
  } finally {
    await source.close?.();
  }
}

function formatValue(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(4)));
}

/** The report as people read it: one line per metric, then a summary line. */
export function formatSourcesCheck(r: SourcesCheckReport): string {
  const width = Math.max(...r.checks.map((c) => c.metric.length));
  const lines = [`source ${r.source} (${r.sourceType}) for ${r.service}/${r.environment}: last ${formatDuration(r.range)} at ${formatDuration(r.step)} steps`];
  for (const c of r.checks) {
    const detail = c.status === 'ok' ? `${c.points} points, last ${formatValue(c.last!)} ${c.unit}` : c.message;
    lines.push(`  ${c.status.padEnd(7)}  ${c.metric.padEnd(width)}  ${detail}`);
  }
  const failed = r.checks.filter((c) => c.status !== 'ok').length;
  lines.push(
    failed === 0 ? `ok: all ${r.checks.length} metrics answered` : `FAILED: ${failed} of ${r.checks.length} metrics would make a deploy's watch blind`,
  );
  return lines.join('\n');
}
