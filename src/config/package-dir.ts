// The installed package's own directory, wherever the running code sits in it: src/ (tsx) or dist/cli/ (the bundle).
import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The nearest directory at or above `from` whose package.json names a package: the package root for code inside it.
 * (dist/cli/package.json only marks the bin as CommonJS: it names no package.)
 */
export function packageDir(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (namesAPackage(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`release-guard: no package.json in ${from} or above it; reinstall release-guard`);
  }
}

function namesAPackage(file: string): boolean {
  try {
    const json = JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown };
    return typeof json.name === 'string';
  } catch {
    return false;
  }
}
