// Plug-in libraries load only when the config uses them: start-up and `--help` never pay for Datadog, pdjs or nodemailer.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const HEAVY = /node_modules\/(@datadog\/datadog-api-client|@pagerduty\/pdjs|nodemailer)\//;

/** Runs `body` in a fresh Node (with tsx) and answers which heavy plug-in libraries sit in the module cache after it. */
async function heavyLoadedAfter(body: string): Promise<string[]> {
  const script = `(async () => { ${body}; const libs = new Set(Object.keys(require.cache).map((k) => (${HEAVY.toString()}.exec(k) ?? [])[1]).filter(Boolean)); console.log(JSON.stringify([...libs].sort())); })().catch((e) => { console.error(e); process.exit(1); });`;
  const { stdout } = await run(process.execPath, ['--import', 'tsx', '-e', script], { cwd: process.cwd(), timeout: 120_000 });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as string[];
}

describe('lazy plug-ins', () => {
  it('loads none of the heavy plug-in libraries for the CLI, the daemon composition root, the registries and the config', async () => {
    const loaded = await heavyLoadedAfter(
      "await import('./src/main.ts'); await import('./src/cli/serve.ts'); await import('./src/sources/registry.ts'); await import('./src/actions/notify/registry.ts'); await import('./src/config/load.ts')",
    );
    expect(loaded).toEqual([]);
  }, 130_000);

  it('loads a library when a source or channel of its kind is created', async () => {
    const loaded = await heavyLoadedAfter(`
      const { createSource, SourceConfig } = await import('./src/sources/registry.ts');
      const { createNotifier, ChannelConfig } = await import('./src/actions/notify/registry.ts');
      const logger = { info() {}, warn() {}, error() {}, debug() {}, child() { return logger; } };
      await createSource('dd', SourceConfig.parse({ type: 'datadog', apiKeyEnv: 'K', appKeyEnv: 'A' }), { logger, baseDir: '.', env: { K: 'k', A: 'a' } });
      await createNotifier('mail', ChannelConfig.parse({ type: 'email', host: '127.0.0.1', port: 25, from: 'a@b.c', to: ['d@e.f'] }), { logger, baseDir: '.', env: {} })`);
    expect(loaded).toEqual(['@datadog/datadog-api-client', 'nodemailer']);
  }, 130_000);
});
