// What the Dockerfile ships: a context without local state or secrets, and a runtime without the TypeScript toolchain.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const ignore = readFileSync('.dockerignore', 'utf8')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'));
const dockerfile = readFileSync('Dockerfile', 'utf8');

describe('Docker image', () => {
  it('keeps node_modules, the data dir, databases, dev tokens and the lock file out of the build context', () => {
    for (const pattern of ['**/node_modules', 'data', '**/*.db', '**/*.db-wal', '**/dev-token', '**/dev-admin-token', '.git', '.env'])
      expect(ignore).toContain(pattern);
    // The context must still have what the Dockerfile copies.
    for (const needed of ['src', 'rules', 'dashboards', 'package.json', 'package-lock.json']) expect(ignore).not.toContain(needed);
  });

  it('prunes tsx and typescript from the runtime node_modules and runs compiled JavaScript with node', () => {
    expect(dockerfile).toMatch(/npm pkg delete dependencies\.tsx dependencies\.typescript/);
    expect(dockerfile).toMatch(/test ! -e node_modules\/typescript && test ! -e node_modules\/tsx/);
    expect(dockerfile).toMatch(/CMD \["node", "dist\/cli\/index\.js", "serve"\]/);
    expect(dockerfile.split('FROM ').at(-1)).not.toMatch(/tsx|typescript/);
  });
});
