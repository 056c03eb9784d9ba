// Compiles src/ to dist/ with esbuild (seconds, not tsc's minute) so the bench measures the CLI as installed (bin: dist/cli/index.js).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

/** Transpiles every src/**\/*.ts file one-to-one into dist/ (ESM, Node 20); no bundling, so the module graph is the shipped one. */
export async function buildDist(root: string): Promise<void> {
  const src = join(root, 'src');
  const files = readdirSync(src, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(src, f));
  await build({
    entryPoints: files,
    outdir: join(root, 'dist'),
    outbase: src,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    bundle: false,
    logLevel: 'error',
  });
}
