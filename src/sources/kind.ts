// What every metric-source folder exports, so the registry can build config schemas and instances uniformly.
import type { Registry } from 'prom-client';
import type { z } from 'zod';
import type { Logger } from '../telemetry/logger.js';
import type { MetricSource } from './types.js';

export interface SourceDeps {
  logger: Logger;
  /** Directory that relative paths in the source config resolve against (the config file's folder, or cwd). */
  baseDir: string;
  /** The daemon's prom-client Registry, for source metrics (budget, effective interval); omit in tests and one-shot CLIs. */
  registry?: Registry;
  /** Where `…Env` secret settings are looked up; main passes process.env (default: process.env). */
  env?: Readonly<Record<string, string | undefined>>;
}

/**
 * A registered source kind: its `type`, the zod schema of its config (must include `type: z.literal(type)`), a factory.
 * A kind whose client library is heavy answers a Promise and imports the library inside `create`, so the library
 * is loaded only when a config uses that kind (start-up and `--help` never pay for it).
 */
export interface SourceKind<C extends z.ZodObject = z.ZodObject, S extends MetricSource | Promise<MetricSource> = MetricSource> {
  type: string;
  Config: C;
  create(name: string, config: z.infer<C>, deps: SourceDeps): S;
}
