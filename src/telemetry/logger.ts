// The guard's structured logger (pino), created once in main.ts and passed down; secrets are redacted by path.
import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';

export type Logger = PinoLogger;

export interface LoggerOptions {
  level?: string;
  /** Pretty single-line output for humans (the CLI, --dev); JSON otherwise. */
  destination?: NodeJS.WritableStream;
}

const REDACT = ['token', 'secret', 'password', 'authorization', 'headers.authorization', '*.token', '*.secret', '*.password', '*.apiKey', '*.appKey'];

export function createLogger(opts: LoggerOptions = {}): Logger {
  const options = { level: opts.level ?? 'info', redact: { paths: REDACT, censor: '[redacted]' }, base: undefined };
  return opts.destination ? pino(options, opts.destination as DestinationStream) : pino(options);
}

/** A logger that drops everything, for tests. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
