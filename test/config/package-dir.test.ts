// packageDir: the package root for code anywhere inside it, past dist/cli's package.json that only marks CommonJS.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageDir } from '../../src/config/package-dir.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'rg-package-dir-'));
  await mkdir(path.join(root, 'pkg/dist/cli'), { recursive: true });
  await writeFile(path.join(root, 'pkg/package.json'), JSON.stringify({ name: 'release-guard', version: '1.2.3' }));
  await writeFile(path.join(root, 'pkg/dist/cli/package.json'), JSON.stringify({ type: 'commonjs' }));
  await mkdir(path.join(root, 'broken/src'), { recursive: true });
  await writeFile(path.join(root, 'broken/src/package.json'), '{ not json');
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('packageDir', () => {
  it('is the nearest directory whose package.json names a package', () => {
    expect(packageDir(path.join(root, 'pkg/dist/cli'))).toBe(path.join(root, 'pkg'));
    expect(packageDir(path.join(root, 'pkg'))).toBe(path.join(root, 'pkg'));
  });

  it('passes over a package.json it cannot read, and says so when there is none above', () => {
    expect(() => packageDir(path.join(root, 'broken/src'))).toThrow(/no package.json in .*broken\/src or above it; reinstall release-guard/);
  });
});
