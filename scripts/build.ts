// Builds what the package runs from (`npm install` runs it as `prepare`, `npm run build` by hand): the CLI bundled by
// esbuild into dist/cli, and the review UI into dist/ui (scripts/build-ui.ts). Type checking is `npm run typecheck`.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build, type Plugin } from 'esbuild';
import { CACHE_PROFILES } from '../src/cli/code-cache.js';
import { buildUi } from './build-ui.js';

const ROOT = path.resolve(import.meta.dirname, '..');

/**
 * The pure-JS libraries every command loads at start-up, bundled into the CLI: one file parses and compiles in a
 * fraction of the time Node's module loader takes over their hundreds (zod alone: ~60 ms as files, ~28 ms as one).
 * Every other dependency stays an import from node_modules: the native sqlite3 addon, pino (its transports start
 * worker threads from file paths), and the clients a config may never use, which load only when it does.
 */
const BUNDLED = new Set(['commander', 'yaml', 'zod']);

/**
 * Builds the CLI into `outDir`/cli:
 * - cli.cjs, the whole program in one CommonJS bundle (src/cli/bundle.ts), and replay-worker.cjs beside it. Each
 *   command still imports its modules when it runs (esbuild runs a module's code on its first import), and the
 *   libraries a config may never use stay in node_modules.
 * - cli.cjs.replay.cache and cli.cjs.commands.cache, V8's code caches of that bundle (src/cli/code-cache.ts), each
 *   written by a node process that compiles the bundle, runs it as those commands would (a replay of demo
 *   recordings under `rulesDir`, when given; the program's help) and saves what V8 compiled. One bundle, not an ES
 *   module per command: Node 20 gives a code cache to a script only.
 * - index.js, the `release-guard` bin (src/cli/launch.ts), which runs cli.cjs with its cache; CommonJS, as the
 *   package.json beside it says.
 */
export async function buildCli(outDir = path.join(ROOT, 'dist'), rulesDir: string | null = path.join(ROOT, 'rules')): Promise<void> {
  const { dependencies } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  const cli = path.join(outDir, 'cli');
  await rm(cli, { recursive: true, force: true });
  await build({
    entryPoints: { 'cli/cli': path.join(ROOT, 'src/cli/bundle.ts'), 'cli/replay-worker': path.join(ROOT, 'src/cli/replay-worker.ts') },
    outdir: outDir,
    outExtension: { '.js': '.cjs' },
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    sourcemap: true,
    external: Object.keys(dependencies).filter((name) => !BUNDLED.has(name)),
    // The sources are ES modules: what they read of import.meta, from the CommonJS module's own file name.
    define: { 'import.meta.url': '__rgImportMetaUrl', 'import.meta.dirname': '__dirname' },
    // import() as require(): a script run through node:vm has no module loader for import() (and needs none: every
    // library the bundle leaves out can be required).
    supported: { 'dynamic-import': false },
    // No comments or indentation: a third less to read, and no non-ASCII character in a comment, which made Node
    // decode the whole file the slow way, into a two-byte string (~20 ms of every start). Names stay; the source
    // map points at the sources.
    minifyWhitespace: true,
    banner: { js: 'const __rgImportMetaUrl = require("node:url").pathToFileURL(__filename).href;' },
    plugins: [englishZod, lazyChildProcess],
    logLevel: 'warning',
  });
  await build({
    entryPoints: [path.join(ROOT, 'src/cli/launch.ts')],
    outfile: path.join(cli, 'index.js'),
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    define: { 'import.meta.dirname': '__dirname' },
    logLevel: 'warning',
  });
  // index.js is CommonJS although the package's "type" is "module" (an ES module entry costs every start Node's ES
  // module loader): this package.json, naming no package, says so for dist/cli.
  await writeFile(path.join(cli, 'package.json'), `${JSON.stringify({ type: 'commonjs' })}\n`);
  await writeCodeCaches(path.join(cli, 'cli.cjs'), rulesDir !== null && existsSync(rulesDir) ? rulesDir : null);
}

/** Runs src/cli/code-cache-train.ts, bundled into a scratch directory, with plain node: each cache of `bundle`. */
async function writeCodeCaches(bundle: string, rulesDir: string | null): Promise<void> {
  const work = await mkdtemp(path.join(tmpdir(), 'rg-code-cache-'));
  try {
    const trainer = path.join(work, 'train.mjs');
    await build({
      entryPoints: [path.join(ROOT, 'src/cli/code-cache-train.ts')],
      outfile: trainer,
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      logLevel: 'warning',
    });
    // The V8 flags of a plain `node dist/cli/index.js`: a cache made under other flags is refused.
    const env = { ...process.env };
    delete env['NODE_OPTIONS'];
    for (const profile of CACHE_PROFILES) {
      const run = spawnSync(process.execPath, [trainer, bundle, profile, path.join(work, profile), ...(rulesDir ? [rulesDir] : [])], { env, encoding: 'utf8' });
      // A cache only saves start-up time: without one the CLI compiles its bundle as it loads, so the install goes on.
      if (run.status !== 0)
        process.stderr.write(`warning: no ${profile} code cache for ${bundle} (exit ${run.status}), commands start slower: ${run.stderr}\n`);
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * zod's `z.locales` namespace re-exports its error messages in some fifty languages: half of the bundled zod, parsed
 * by every command at start-up, for messages the guard only ever gives in English (zod's default, set from the `en`
 * module itself). The bundle gets a namespace of that one locale instead.
 */
const englishZod: Plugin = {
  name: 'english-zod',
  setup(b) {
    b.onLoad({ filter: /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, () => ({ contents: 'export { default as en } from "./en.js";' }));
  },
};

/**
 * commander requires node:child_process when it loads, for the executable subcommands (`git-style` commands run as
 * their own programs) that release-guard does not have: loading it, and the networking modules it pulls in, cost
 * every command ~4 ms. commander gets a stand-in that loads the module on its first spawn instead.
 */
const lazyChildProcess: Plugin = {
  name: 'lazy-child-process',
  setup(b) {
    b.onResolve({ filter: /^node:child_process$/ }, (args) =>
      /[\\/]node_modules[\\/]commander[\\/]/.test(args.importer) ? { path: 'commander-child-process', namespace: 'lazy-child-process' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'lazy-child-process' }, () => ({
      contents: 'module.exports = { spawn: (...args) => require("node:child_process").spawn(...args) };',
      loader: 'js',
    }));
  },
};

/** The whole build: dist/ emptied, then the CLI and the review UI. */
export async function buildAll(outDir = path.join(ROOT, 'dist')): Promise<void> {
  await rm(outDir, { recursive: true, force: true });
  await buildCli(outDir);
  await buildUi(path.join(outDir, 'ui'));
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  await buildAll();
  process.stdout.write('release-guard built into dist/ (CLI bundle in dist/cli, review UI in dist/ui)\n');
}
