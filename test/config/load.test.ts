// Config loading: file + RELEASE_GUARD_* overrides, defaults, secrets from env or files, errors that name key and fix.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'rg-config-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const write = async (name: string, text: string) => {
  const file = path.join(dir, name);
  await writeFile(file, text);
  return file;
};

describe('loadConfig', () => {
  it('runs on built-in defaults with no file: demo source, ./data, ./rules, port 8080', () => {
    const { config, file, secrets } = loadConfig({ cwd: dir, env: {} });
    expect(file).toBeNull();
    expect(config.port).toBe(8080);
    expect(config.host).toBe('127.0.0.1');
    expect(config.dataDir).toBe(path.join(dir, 'data'));
    expect(config.rulesDir).toBe(path.join(dir, 'rules'));
    expect(config.defaultSource).toBe('demo');
    expect(config.sources.demo).toMatchObject({ type: 'demo', timeScale: 30 });
    expect(secrets).toEqual({ token: null, adminToken: null, viewerToken: null, githubSecret: null, gitlabToken: null });
  });

  it('reads ./release-guard.yaml, resolves paths against its folder, and lets env and flags override it', async () => {
    await write('release-guard.yaml', 'port: 9000\ndataDir: state\nlogLevel: warn\n');
    const env = { RELEASE_GUARD_PORT: '9100', RELEASE_GUARD_RULES_DIR: '/etc/rg/rules', RELEASE_GUARD_TOKEN: ' t0k ' };
    const a = loadConfig({ cwd: dir, env });
    expect(a.file).toBe(path.join(dir, 'release-guard.yaml'));
    expect(a.config).toMatchObject({ port: 9100, dataDir: path.join(dir, 'state'), rulesDir: '/etc/rg/rules', logLevel: 'warn' });
    expect(a.secrets.token).toBe('t0k');
    expect(loadConfig({ cwd: dir, env, overrides: { port: '9200' } }).config.port).toBe(9200);
  });

  it('reads secrets from files named in auth.*File, env winning over the file', async () => {
    await write('token.txt', 'from-file\n');
    await write('gh.txt', 'gh-secret\n');
    const file = await write('c.yaml', 'auth:\n  tokenFile: token.txt\n  githubSecretFile: gh.txt\n');
    expect(loadConfig({ file, cwd: dir, env: {} }).secrets).toMatchObject({ token: 'from-file', githubSecret: 'gh-secret' });
    expect(loadConfig({ file, cwd: dir, env: { RELEASE_GUARD_TOKEN: 'env' } }).secrets.token).toBe('env');
  });

  it.each(['RELEASE_GUARD_TOKEN', 'RELEASE_GUARD_ADMIN_TOKEN', 'RELEASE_GUARD_GITHUB_SECRET', 'RELEASE_GUARD_GITLAB_TOKEN'])(
    'refuses %s set to white space or empty: an empty key would accept any HMAC or X-Gitlab-Token',
    (name) => {
      for (const value of [' ', '', '\t\n']) {
        expect(() => loadConfig({ cwd: dir, env: { [name]: value } })).toThrow(
          new ConfigError(`${name} is set but empty (or only white space); set it to the secret, or unset it`),
        );
      }
    },
  );

  it('refuses a secret file with only white space, and reads the intake clock-skew bound', async () => {
    await write('blank.txt', '  \n');
    const file = await write('c.yaml', 'auth:\n  gitlabTokenFile: blank.txt\nintake:\n  maxClockSkew: 2m\n');
    expect(() => loadConfig({ file, cwd: dir, env: {} })).toThrow(/auth.gitlabTokenFile: .*blank.txt is empty/);
    expect(loadConfig({ cwd: dir, env: {} }).config.intake.maxClockSkew).toBe(300);
    const ok = await write('d.yaml', 'intake:\n  maxClockSkew: 2m\n');
    expect(loadConfig({ file: ok, cwd: dir, env: {} }).config.intake.maxClockSkew).toBe(120);
  });

  it('names every bad key, where it came from, and how to fix it', async () => {
    const file = await write('c.yaml', 'port: eighty\nlogLevel: loud\nsources:\n  prod: {type: graphite}\n');
    let err: unknown;
    try {
      loadConfig({ file, cwd: dir, env: { RELEASE_GUARD_DEFAULT_SOURCE: 'nope' } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const msg = (err as Error).message;
    expect(msg).toContain(`port (from ${file})`);
    expect(msg).toContain('logLevel');
    expect(msg).toMatch(/sources\.prod.*graphite.*demo, recording/s);
    expect(msg).toContain('port must be a whole number from 0 to 65535');
    expect(msg).toContain('README');
  });

  it('checks that defaultSource names a configured source, saying where the value came from', () => {
    expect(() => loadConfig({ cwd: dir, env: { RELEASE_GUARD_DEFAULT_SOURCE: 'nope' } })).toThrow(
      /defaultSource \(from environment variable RELEASE_GUARD_DEFAULT_SOURCE\): defaultSource "nope" is not one of the configured sources \(demo\)/,
    );
  });

  it('refuses secrets written into the config file', async () => {
    const file = await write('c.yaml', 'auth:\n  token: hunter2\n');
    expect(() => loadConfig({ file, cwd: dir, env: {} })).toThrow(/auth\.token.*RELEASE_GUARD_\*/s);
    expect(() => loadConfig({ file, cwd: dir, env: {} })).not.toThrow(/hunter2/);
  });

  it('explains a missing --config file, a non-mapping file, bad YAML and an unreadable secret file', async () => {
    expect(() => loadConfig({ file: 'missing.yaml', cwd: dir, env: {} })).toThrow(/missing\.yaml does not exist/);
    expect(() => loadConfig({ file: 'missing.yaml', cwd: dir, env: {} })).toThrow(ConfigError);
    const list = await write('list.yaml', '- a\n- b\n');
    expect(() => loadConfig({ file: list, cwd: dir, env: {} })).toThrow(/must be a YAML mapping/);
    const bad = await write('bad.yaml', 'port: [1,\n');
    expect(() => loadConfig({ file: bad, cwd: dir, env: {} })).toThrow(/not valid YAML/);
    const noSecret = await write('s.yaml', 'auth:\n  tokenFile: nowhere.txt\n');
    expect(() => loadConfig({ file: noSecret, cwd: dir, env: {} })).toThrow(/auth\.tokenFile: cannot read .*nowhere\.txt \(ENOENT\)/);
  });
});
