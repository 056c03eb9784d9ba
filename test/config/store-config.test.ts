// `store: {kind: postgres}`: defaults, the URL's password kept out of the file, the URL from env or a file.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'rg-store-config-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const withFile = async (yaml: string) => writeFile(path.join(dir, 'release-guard.yaml'), yaml);

describe('store: postgres', () => {
  it('applies the defaults and takes a URL without a password from the file', async () => {
    await withFile('store: {kind: postgres, url: "postgres://guard@db:5432/rg"}\n');
    const { config, secrets } = loadConfig({ cwd: dir, env: {} });
    expect(config.store).toEqual({ kind: 'postgres', url: 'postgres://guard@db:5432/rg', schema: 'public', poolSize: 10, lease: 30 });
    expect(secrets.storeUrl).toBe('postgres://guard@db:5432/rg');
  });

  it('refuses a password in the file and says where to put it', async () => {
    await withFile('store: {kind: postgres, url: "postgres://guard:hunter2@db:5432/rg"}\n');
    expect(() => loadConfig({ cwd: dir, env: {} })).toThrow(ConfigError);
    expect(() => loadConfig({ cwd: dir, env: {} })).toThrow(
      /store\.url .*must not hold a password: set RELEASE_GUARD_STORE_URL, point store\.urlFile at a file/,
    );
  });

  it('prefers RELEASE_GUARD_STORE_URL, then store.urlFile', async () => {
    await writeFile(path.join(dir, 'db-url'), 'postgres://guard:s3cret@db:5432/rg\n');
    await withFile('store: {kind: postgres, urlFile: db-url, lease: 9s, replica: guard-0}\n');
    expect(loadConfig({ cwd: dir, env: {} }).secrets.storeUrl).toBe('postgres://guard:s3cret@db:5432/rg');
    expect(loadConfig({ cwd: dir, env: { RELEASE_GUARD_STORE_URL: 'postgres://x:y@other/rg' } }).secrets.storeUrl).toBe('postgres://x:y@other/rg');
    expect(loadConfig({ cwd: dir, env: {} }).config.store).toMatchObject({ lease: 9, replica: 'guard-0' });
  });

  it('needs some URL, and names every way to give one', async () => {
    await withFile('store: {kind: postgres}\n');
    expect(() => loadConfig({ cwd: dir, env: {} })).toThrow(
      'store.kind is postgres but no URL is set: set RELEASE_GUARD_STORE_URL, store.urlFile or store.url',
    );
  });

  it('lists postgres among the store kinds', async () => {
    await withFile('store: {kind: mysql}\n');
    expect(() => loadConfig({ cwd: dir, env: {} })).toThrow(/store\.kind must be one of: sqlite, postgres/);
  });
});
