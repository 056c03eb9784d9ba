#!/usr/bin/env node
// dist/cli/index.js, the package's `release-guard`: runs the CLI bundle (dist/cli/cli.cjs, built from
// src/cli/bundle.ts) with the code cache the build saved beside it for this command (src/cli/code-cache.ts).
// CommonJS (dist/cli/package.json says so), as the bundle is: an ES module entry made Node set up its ES module
// loader for nothing (~9 ms of every start).
import path from 'node:path';
import { cacheProfileOf, loadBundle } from './code-cache.js';
import type { main } from './program.js';

const bundle = path.join(import.meta.dirname, 'cli.cjs');
// main() reports its own failures; this catches a bundle that cannot be loaded at all.
Promise.resolve()
  .then(() => loadBundle<{ main: typeof main }>(bundle, cacheProfileOf(process.argv)).exports.main(process.argv))
  .catch((err: unknown) => {
    process.stderr.write(`release-guard: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(2);
  });
