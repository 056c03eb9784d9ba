#!/usr/bin/env node
// The `release-guard` command line: serve | demo | rules check | sources check | replay | export.
import { writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { loadConfig } from '../config/load.js';
import { openStore } from '../store/open.js';
import { checkRules } from '../rules/check.js';
import { demo } from './demo.js';
import { registerDeployCommand } from './deploy.js';
import { registerDeploysCommands } from './deploys.js';
import { exportRecording } from './export.js';
import { runReplay } from './replay.js';
import { serve } from './serve.js';
import { registerSilenceCommands } from './silence.js';
import { checkSources, formatSourcesCheck } from './sources.js';
import { registerWaitCommand } from './wait.js';

const program = new Command();
program
  .name('release-guard')
  .description('Guards production releases: watches each deploy, judges it against its baseline, rolls back and alerts.')
  .showHelpAfterError()
  // Program options only before the subcommand, so a root --version never swallows `deploy --version v1.2.0`.
  .enablePositionalOptions();

program
  .command('serve')
  .description('run the daemon')
  .option('-c, --config <file>', 'config file (default: $RELEASE_GUARD_CONFIG or ./release-guard.yaml if present)')
  .option('-p, --port <n>', 'port to listen on (overrides config and RELEASE_GUARD_PORT)')
  .option('--dev', 'dev mode: generate a CI token if none is configured (never in production)')
  .action(async (opts: { config?: string; port?: string; dev?: boolean }) => serve(opts));

program
  .command('demo')
  .description('post a healthy and a broken deploy to the running guard (or start one) and show both verdicts')
  .option('--url <url>', 'guard base URL (default http://127.0.0.1:<port from config>)')
  .option('--token <token>', 'CI token (default $RELEASE_GUARD_TOKEN or data/dev-token)')
  .option('--timeout <seconds>', 'give up after this long', '150')
  .action(async (opts: { url?: string; token?: string; timeout?: string }) => {
    process.exitCode = await demo(opts);
  });

const rules = program.command('rules').description('work with rule files');
rules
  .command('check [dir]')
  .description('validate every rule file in dir (default ./rules); exits non-zero on any error')
  .action(async (dir?: string) => {
    const result = await checkRules(dir ?? 'rules');
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
    const report = await checkSources({ service: opts.service, environment: opts.environment, version: opts.deployVersion, config: opts.config, rules: opts.rules });
    process.stdout.write(`${formatSourcesCheck(report)}\n`);
    process.exitCode = report.ok ? 0 : 1;
  });

program
  .command('replay <paths...>')
  .description('judge recordings (files or directories of *.json) offline; prints JSON Lines (DESIGN §4)')
  .option('-r, --rules <dir>', 'rule directory', 'rules')
  .action(async (paths: string[], opts: { rules: string }) => {
    process.exitCode = await runReplay(paths, { rulesDir: opts.rules }, process.stdout);
  });

program
  .command('export <deployId>')
  .description('write what the guard saw for a deploy as a recording (release-guard/recording@1)')
  .option('-c, --config <file>', 'config file (for the data dir)')
  .option('-o, --out <file>', 'write to a file instead of stdout')
  .action(async (deployId: string, opts: { config?: string; out?: string }) => {
    const { config } = loadConfig({ file: opts.config });
    const store = await openStore(config.store, { dataDir: config.dataDir });
    try {
      const json = `${JSON.stringify(await exportRecording(store, deployId), null, 2)}\n`;
      if (opts.out) writeFileSync(opts.out, json);
      else process.stdout.write(json);
    } finally {
      await store.close();
    }
  });

registerSilenceCommands(program);
registerDeployCommand(program);
registerWaitCommand(program);
registerDeploysCommands(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  const e = err as Error;
  const known = ['ConfigError', 'RuleError'].includes(e.name) || /^(no CI token|port \d+|no deploy with id)/.test(e.message);
  process.stderr.write(`release-guard: ${e.message}\n`);
  if (!known && e.stack) process.stderr.write(`${e.stack}\n`);
  process.exit(2);
});
