#!/usr/bin/env node
// dist/cli/index.js, the package's `release-guard`: runs the CLI bundle (dist/cli/cli.cjs, built from
// src/cli/bundle.ts) with the code cache the build saved beside it for this command (src/cli/code-cache.ts).
import path from 'node:path';
import { cacheProfileOf, loadBundle } from './code-cache.js';
import type { main } from './program.js';

const bundle = path.join(import.meta.dirname, 'cli.cjs');
await loadBundle<{ main: typeof main }>(bundle, cacheProfileOf(process.argv)).exports.main(process.argv);
