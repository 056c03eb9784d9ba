// Blank secrets are refused from every origin at start-up: env (load.test.ts), files, a kept dev token, and callers
// of startGuard, because an empty HMAC key or token would accept any request.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Config } from '../../src/config/schema.js';
import { refuseBlankSecrets, resolveToken, startGuard } from '../../src/main.js';
import { silentLogger } from '../../src/telemetry/logger.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'rg-blank-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const secrets = { token: 'a-real-ci-token', adminToken: null, githubSecret: null, gitlabToken: null };

describe('blank secrets', () => {
  it.each(['githubSecret', 'gitlabToken', 'adminToken', 'token'] as const)(
    'refuses a white-space %s handed to startGuard before opening anything',
    async (key) => {
      const config = Config.parse({ port: 0, dataDir: path.join(dir, 'data'), rulesDir: path.resolve('rules') });
      await expect(startGuard({ config, secrets: { ...secrets, [key]: ' ' }, dev: false, logger: silentLogger(), baseDir: dir })).rejects.toThrow(
        `the ${key} secret is empty (or only white space); set it to a real secret, or leave it unset`,
      );
      expect(() => refuseBlankSecrets({ ...secrets, [key]: '' })).toThrow(/is empty/);
      expect(() => refuseBlankSecrets(secrets)).not.toThrow();
    },
  );

  it('refuses an emptied dev-token file instead of running with an empty token', async () => {
    await writeFile(path.join(dir, 'dev-token'), ' \n');
    expect(() => resolveToken({ ...secrets, token: null }, dir, true)).toThrow(
      `${path.join(dir, 'dev-token')} is empty: delete it to have a new dev token generated`,
    );
  });
});
