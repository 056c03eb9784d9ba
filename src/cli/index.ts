#!/usr/bin/env node
// `release-guard` from the sources (`npm start`, `tsx src/cli/index.ts …`); the package runs dist/cli/index.js, the
// same program from its bundle (src/cli/launch.ts).
import { main } from './program.js';

await main(process.argv);
