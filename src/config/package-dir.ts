// The installed package's own directory, wherever the running code sits in it: src/ (tsx) or dist/cli/ (the bundle).
import { existsSync } from 'node:fs';
import path from 'node:path';

/** The nearest directory at or above `from` that holds a package.json: the package root for code inside it. */
export function packageDir(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`release-guard: no package.json in ${from} or above it; reinstall release-guard`);
  }
}
