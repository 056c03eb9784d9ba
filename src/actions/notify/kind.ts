// What every notifier folder exports, so the registry can build the config schema and instances uniformly.
import type { z } from 'zod';
import type { Logger } from '../../telemetry/logger.js';
import type { NotifierCapabilities } from './capabilities.js';
import type { Notifier } from './types.js';

export interface NotifierDeps {
  logger: Logger;
  /** Where `…Env` secret settings are looked up (main passes process.env). */
  env: Readonly<Record<string, string | undefined>>;
  /** Directory that `…File` settings resolve against (the config file's folder). */
  baseDir: string;
  /** Default: the global fetch. */
  fetch?: typeof fetch;
}

/**
 * A registered channel kind: its `type`, its config schema (with `type: z.literal(type)`), what it can do
 * (escaping, HTML, threading, resolvable incidents: the same object its notifiers carry), and a factory.
 */
export interface NotifierKind<C extends z.ZodType<{ type: string }> = z.ZodType<{ type: string }>, N extends Notifier | Promise<Notifier> = Notifier> {
  type: string;
  Config: C;
  capabilities: NotifierCapabilities;
  /**
   * Builds the channel; throws (or rejects) with an Error naming the channel and setting when a secret cannot be read.
   * A kind with a heavy library (pdjs, nodemailer) imports it inside `create`, so only configs that use it load it.
   */
  create(name: string, config: z.infer<C>, deps: NotifierDeps): N;
}
