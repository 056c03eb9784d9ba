// The guard's structured logger (pino), created once in main.ts and passed down; secrets are redacted by path.
import { destination, pino, type DestinationStream, type Logger as PinoLogger } from 'pino';

export type Logger = PinoLogger;

export interface LoggerOptions {
  level?: string;
  /** Pretty single-line output for humans (the CLI, --dev); JSON otherwise. */
  destination?: NodeJS.WritableStream;
}

const REDACT = ['token', 'secret', 'password', 'authorization', 'headers.authorization', '*.token', '*.secret', '*.password', '*.apiKey', '*.appKey'];

export function createLogger(opts: LoggerOptions = {}): Logger {
  const options = { level: opts.level ?? 'info', redact: { paths: REDACT, censor: '[redacted]' }, base: undefined };
  // Standard output is written asynchronously and in batches: lines are gathered up to 4 KiB and written at the latest
  // every 250 ms, so a busy guard does not pay a write per line; pino flushes what is pending when the process
  // exits. Only a SIGKILL can lose lines, those of the last quarter second.
  return pino(options, opts.destination ? (opts.destination as DestinationStream) : destination({ dest: 1, sync: false, minLength: 4096, periodicFlush: 250 }));
}

/** A logger that drops everything, for tests. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
