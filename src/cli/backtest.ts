// `release-guard backtest --rules DIR`: re-judges stored deploys under candidate rules (straight from the store; the
// daemon need not run) and prints which would change verdict, severity, rollback or time-to-rollback.
import { loadConfig } from '../config/load.js';
import { backtestTable, runBacktest } from '../review/backtest.js';
import { parseDuration } from '../rules/duration.js';
import { loadRules } from '../rules/index.js';
import { openStore } from '../store/open.js';

export interface BacktestCliOptions {
  rules: string;
  since: string;
  service?: string;
  environment?: string;
  config?: string;
  json?: boolean;
  rejudge?: boolean;
}

/** Returns the exit code: 0 done, 2 bad input (rules, duration). */
export async function backtestCommand(
  opts: BacktestCliOptions,
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
): Promise<number> {
  const seconds = parseDuration(opts.since);
  if (!seconds) {
    err.write(`backtest: --since ${opts.since} is not a duration; write it like 14d, 24h or 90m\n`);
    return 2;
  }
  const { config } = loadConfig({ file: opts.config });
  const [current, candidate] = await Promise.all([loadRules(config.rulesDir), loadRules(opts.rules)]);
  const store = await openStore(config.store, { dataDir: config.dataDir });
  try {
    const result = await runBacktest(
      store,
      current,
      candidate,
      { since: Date.now() / 1000 - seconds, service: opts.service, environment: opts.environment },
      { rejudgeCurrent: opts.rejudge },
    );
    out.write(opts.json ? `${JSON.stringify(result)}\n` : `${backtestTable(result)}\n`);
    return 0;
  } finally {
    await store.close();
  }
}
