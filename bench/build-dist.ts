// Builds dist/ as `npm install` does (scripts/build.ts: the bundled CLI), so the bench measures the CLI as installed (bin: dist/cli/index.js).
import { join } from 'node:path';
import { buildCli } from '../scripts/build.js';

/** The shipped CLI bundle in root/dist/cli (the review UI, which no bench reads, is left as it is). */
export async function buildDist(root: string): Promise<void> {
  await buildCli(join(root, 'dist'));
}
