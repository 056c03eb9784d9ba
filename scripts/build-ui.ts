// Builds the review UI: src/ui/main.ts (+ uPlot and CSS) bundled and minified by esbuild into dist/ui/assets/.
import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { build } from 'esbuild';

const ROOT = path.resolve(import.meta.dirname, '..');

/** Builds into `outDir` (default dist/ui) and returns the gzip size of the script in bytes. */
export async function buildUi(outDir = path.join(ROOT, 'dist/ui')): Promise<{ jsGzipBytes: number }> {
  await mkdir(path.join(outDir, 'assets'), { recursive: true });
  await build({
    entryPoints: { app: path.join(ROOT, 'src/ui/main.ts') },
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2022',
    outdir: path.join(outDir, 'assets'),
    logLevel: 'warning',
    legalComments: 'none',
  });
  await copyFile(path.join(ROOT, 'src/ui/index.html'), path.join(outDir, 'index.html'));
  return { jsGzipBytes: gzipSync(readFileSync(path.join(outDir, 'assets/app.js'))).length };
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  const { jsGzipBytes } = await buildUi();
  process.stdout.write(`review UI built into dist/ui (app.js ${(jsGzipBytes / 1024).toFixed(1)} KB gzip)\n`);
}
