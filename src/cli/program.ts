// The `release-guard` command line: serve | demo | rules check | sources check | replay | export | store copy | silence | deploy | wait | deploys.
// Each command imports its module when it runs (start-up within 3× of `node -e 0`); only the commands that call a
// running guard register from their own modules, loaded for them and the program's help (see clientCommands).
// src/cli/index.ts runs it from the sources; the package runs it from its bundle (src/cli/launch.ts).
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { packageDir } from '../config/package-dir.js';

/**
 * Exit codes, one table for every command (README "CLI"; test/cli/exit-codes.test.ts enforces it):
 * 0 done / all good; 1 a check ran and found a problem (rules or sources check failed, a recording could not be
 * read, the demo's verdicts were not as expected); 2 the command could not do its job: usage error (unknown option,
 * missing argument), bad config or rules, no token, data dir locked, port in use, the guard unreachable or refusing
 * the call.
 */
export const EXIT = { ok: 0, problem: 1, cannotRun: 2 } as const;

/** The whole program, every command but those clientCommands adds. */
export function buildProgram(): Command {
  const { version } = JSON.parse(readFileSync(path.join(packageDir(import.meta.dirname), 'package.json'), 'utf8')) as { version: string };

  const program = new Command();
  program
    .name('release-guard')
    .description('Guards production releases: watches each deploy, judges it against its baseline, rolls back and alerts.')
    .version(version, '-V, --version', 'print the release-guard version')
    // Usage errors come back as CommanderError (exit code 2 below) instead of commander's own exit 1.
    .exitOverride()
    .showHelpAfterError()
    // Program options only before the subcommand, so a root --version never swallows `deploy --version v1.2.0`.
    .enablePositionalOptions();

  program
    .command('serve')
    .description('run the daemon')
    .option('-c, --config <file>', 'config file (default: $RELEASE_GUARD_CONFIG or ./release-guard.yaml if present)')
    .option('-p, --port <n>', 'port to listen on (overrides config and RELEASE_GUARD_PORT)')
    .option('--dev', 'dev mode: generate a CI token if none is configured (never in production)')
    .action(async (opts: { config?: string; port?: string; dev?: boolean }) => (await import('./serve.js')).serve(opts));

  program
    .command('demo')
    .description('post a healthy and a broken deploy to the running guard (or start one) and show both verdicts')
    .option('--url <url>', 'guard base URL (default http://127.0.0.1:<port from config>)')
    .option('--token <token>', 'CI token (default $RELEASE_GUARD_TOKEN or data/dev-token)')
    .option('--timeout <seconds>', 'give up after this long', '150')
    .action(async (opts: { url?: string; token?: string; timeout?: string }) => {
      const { demo } = await import('./demo.js');
      process.exitCode = await demo(opts);
    });

  const rules = program.command('rules').description('work with rule files');
  rules
    .command('check [dir]')
    .description('validate every rule file in dir (default ./rules); exits 1 on any problem')
    .option('-c, --config <file>', 'also check the rules against this config: their sources exist and have a query for every watched metric')
    .action(async (dir: string | undefined, opts: { config?: string }) => {
      const [{ loadConfig }, { checkRules }, { sourceProblems }] = await Promise.all([
        import('../config/load.js'),
        import('../rules/check.js'),
        import('./rules-sources.js'),
      ]);
      const config = opts.config ? loadConfig({ file: opts.config }).config : null;
      const result = await checkRules(dir ?? config?.rulesDir ?? 'rules', config ? (loaded) => sourceProblems(loaded, config) : undefined);
      (result.ok ? process.stdout : process.stderr).write(`${result.report}\n`);
      process.exitCode = result.ok ? 0 : 1;
    });

  const sources = program.command('sources').description('work with metric sources');
  sources
    .command('check')
    .description("run a service's pre-flight queries against its metric source; exits non-zero if any metric errors or has no data")
    .requiredOption('-s, --service <name>', 'service to check')
    .option('-e, --environment <name>', 'environment (selects the rule files and fills {{environment}})', 'production')
    .option('--deploy-version <version>', 'fills {{version}} in query templates', 'unknown')
    .option('-c, --config <file>', 'config file (default: $RELEASE_GUARD_CONFIG or ./release-guard.yaml if present)')
    .option('-r, --rules <dir>', "rule directory (default: the config's rulesDir)")
    .action(async (opts: { service: string; environment: string; deployVersion: string; config?: string; rules?: string }) => {
      const { checkSources, formatSourcesCheck } = await import('./sources.js');
      const report = await checkSources({
        service: opts.service,
        environment: opts.environment,
        version: opts.deployVersion,
        config: opts.config,
        rules: opts.rules,
      });
      process.stdout.write(`${formatSourcesCheck(report)}\n`);
      process.exitCode = report.ok ? 0 : 1;
    });

  program
    .command('replay <paths...>')
    .description('judge recordings (files or directories of *.json) offline; prints JSON Lines (DESIGN §4)')
    .option('-r, --rules <dir>', 'rule directory', 'rules')
    .option('--workers <n>', 'worker threads judging beside the main thread (default: one per two further cores, none on 2 cores; 0: none)', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number of threads, 0 or more');
      return n;
    })
    .action(async (paths: string[], opts: { rules: string; workers?: number }) => {
      const { runReplay, tuneCompilerForBatch } = await import('./replay.js');
      tuneCompilerForBatch();
      process.exitCode = await runReplay(paths, { rulesDir: opts.rules, ...(opts.workers !== undefined ? { workers: opts.workers } : {}) }, process.stdout);
    });

  program
    .command('export [deployId]')
    .description('write what the guard saw for a deploy as a recording (release-guard/recording@1); --labelled: every labelled deploy plus labels.json')
    .option('-c, --config <file>', 'config file (for the data dir)')
    .option('-o, --out <file>', 'write to a file instead of stdout')
    .option('--labelled <dir>', 'write a recording of every deploy with SRE feedback, and labels.json, into dir')
    .action(async (deployId: string | undefined, opts: { config?: string; out?: string; labelled?: string }) => {
      if (!deployId && !opts.labelled) throw new Error('export needs a deploy id, or --labelled <dir> for every labelled deploy');
      const [{ loadConfig }, { openStore }, { exportLabelled, exportRecording }] = await Promise.all([
        import('../config/load.js'),
        import('../store/open.js'),
        import('./export.js'),
      ]);
      const { config } = loadConfig({ file: opts.config });
      const store = await openStore(config.store, { dataDir: config.dataDir });
      try {
        if (opts.labelled) {
          const n = await exportLabelled(store, opts.labelled);
          process.stderr.write(`wrote ${n} labelled recordings and labels.json to ${opts.labelled}\n`);
          return;
        }
        const json = `${JSON.stringify(await exportRecording(store, deployId as string), null, 2)}\n`;
        if (opts.out) writeFileSync(opts.out, json);
        else process.stdout.write(json);
      } finally {
        await store.close();
      }
    });

  program
    .command('backtest')
    .description('re-judge stored deploys under candidate rules and print which would change (reads the store; no daemon needed)')
    .requiredOption('-r, --rules <dir>', 'candidate rule directory')
    .option('--since <duration>', 'deploys started within this long', '14d')
    .option('-s, --service <name>', 'only this service')
    .option('-e, --environment <name>', 'only this environment')
    .option('-c, --config <file>', 'config file (for the data dir and the rules in force)')
    .option('--json', 'print the diff as JSON')
    .option('--rejudge', 're-judge under the rules in force too, instead of comparing with the stored verdicts')
    .action(async (opts: { rules: string; since: string; service?: string; environment?: string; config?: string; json?: boolean; rejudge?: boolean }) => {
      const { backtestCommand } = await import('./backtest.js');
      process.exitCode = await backtestCommand(opts);
    });

  const store = program.command('store').description("work with the guard's store");
  store
    .command('copy')
    .description("copy a single guard's history from its SQLite file into PostgreSQL (ids kept, one transaction, row counts verified)")
    .requiredOption('--from <path>', "the guard's SQLite file, its data dir, or its config file")
    .option('--to <url|file>', "postgres://user@host/db, or the replicas' config file (default $RELEASE_GUARD_STORE_URL)")
    .option('--schema <name>', "target schema (default the --to config's store.schema, else public)")
    .option('--replace', 'delete what the target schema holds first (in the same transaction) instead of refusing')
    .action(async (opts: { from: string; to?: string; schema?: string; replace?: boolean }) => {
      const { storeCopy } = await import('./store-copy.js');
      await storeCopy(opts, (line) => process.stdout.write(`${line}\n`));
    });

  return program;
}

// `silence`, `deploy`, `wait` and `deploys` call a running guard: their modules load its API client and the schemas
// of its answers. They are registered unless the command line names one of the commands above, which never need
// them (`replay` judging hundreds of recordings pays for every module it loads); the program's help lists them all.
const NEEDS_NO_CLIENT = new Set(['serve', 'demo', 'rules', 'sources', 'replay', 'export', 'backtest', 'store']);

/** Adds the commands that call a running guard to `program`. */
export async function clientCommands(program: Command): Promise<void> {
  const [silence, deploy, wait, deploys] = await Promise.all([import('./silence.js'), import('./deploy.js'), import('./wait.js'), import('./deploys.js')]);
  silence.registerSilenceCommands(program);
  deploy.registerDeployCommand(program);
  wait.registerWaitCommand(program);
  deploys.registerDeploysCommands(program);
}

/** Runs the command line `argv` (process.argv: node, the script, then the arguments); exits the process on an error. */
export async function main(argv: readonly string[]): Promise<void> {
  const program = buildProgram();
  const named = argv.slice(2).find((arg) => !arg.startsWith('-'));
  if (named === undefined || !NEEDS_NO_CLIENT.has(named)) await clientCommands(program);
  await program.parseAsync(argv as string[]).catch((err: unknown) => {
    if (err instanceof CommanderError) {
      // Help and --version are not errors; commander has printed the usage message already.
      const fine = ['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(err.code);
      process.exit(fine ? EXIT.ok : EXIT.cannotRun);
    }
    const e = err as Error;
    const known =
      ['ConfigError', 'RuleError', 'DataDirLockedError', 'CopyRefusedError'].includes(e.name) || /^(no CI token|port \d+|no deploy with id)/.test(e.message);
    process.stderr.write(`release-guard: ${e.message}\n`);
    if (!known && e.stack) process.stderr.write(`${e.stack}\n`);
    process.exit(EXIT.cannotRun);
  });
}
