// Builds what the package runs from (`npm install` runs it as `prepare`, `npm run build` by hand): the CLI bundled by
// esbuild into dist/cli, and the review UI into dist/ui (scripts/build-ui.ts). Type checking is `npm run typecheck`.
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { build, type Plugin } from 'esbuild';
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
 * Bundles src/cli/index.ts (the `release-guard` bin) and the replay worker into `outDir`/cli: one ESM file per entry
 * plus shared chunks beside them (so `new URL('./replay-worker.js', import.meta.url)` finds the worker), with each
 * command's dynamic import still its own chunk, loaded only when the command runs.
 */
export async function buildCli(outDir = path.join(ROOT, 'dist')): Promise<void> {
  const { dependencies } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  await rm(path.join(outDir, 'cli'), { recursive: true, force: true });
  await build({
    entryPoints: { 'cli/index': path.join(ROOT, 'src/cli/index.ts'), 'cli/replay-worker': path.join(ROOT, 'src/cli/replay-worker.ts') },
    outdir: outDir,
    chunkNames: 'cli/[name]-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: true,
    external: Object.keys(dependencies).filter((name) => !BUNDLED.has(name)),
    // commander is CommonJS: its require() calls of Node built-ins need a require in an ES module.
    banner: { js: "import { createRequire as __rgCreateRequire } from 'node:module'; const require = __rgCreateRequire(import.meta.url);" },
    plugins: [englishZod],
    logLevel: 'warning',
  });
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
