// SIGHUP's rule reload: a broken or rule-dropping reload is refused, the previous rules stay, and the guard alerts.
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Config } from '../../src/config/schema.js';
import { startGuard, type RunningGuard } from '../../src/main.js';
import { openStore } from '../../src/store/open.js';
import { silentLogger } from '../../src/telemetry/logger.js';

let dir: string;
let guard: RunningGuard | null;
const rulesDir = () => path.join(dir, 'rules');
const secrets = { token: 'reload-test-token', adminToken: null, githubSecret: null, gitlabToken: null };

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'rg-reload-'));
  await cp(path.resolve('rules/default.yaml'), path.join(rulesDir(), 'default.yaml'));
  const config = Config.parse({ port: 0, dataDir: path.join(dir, 'data'), rulesDir: rulesDir(), logLevel: 'silent' });
  guard = await startGuard({ config, secrets, dev: false, logger: silentLogger(), baseDir: dir, env: {} });
});
afterEach(async () => {
  await guard?.close();
  await rm(dir, { recursive: true, force: true });
});

/** The guard's own alerts, read from the store once the guard is closed. */
async function guardAlerts(): Promise<string[]> {
  await guard?.close();
  guard = null;
  const store = await openStore({ kind: 'sqlite' }, { dataDir: path.join(dir, 'data') });
  try {
    return (await store.listDeliveries({ event: 'guard-alert', limit: 100 })).map((d) => JSON.stringify(d.payload));
  } finally {
    await store.close();
  }
}

describe('rule reload', () => {
  it('refuses an emptied default.yaml and alerts; the previous rules stay in force', async () => {
    await writeFile(path.join(rulesDir(), 'default.yaml'), '');
    await expect(guard!.reloadRules()).rejects.toThrow(/NOT reloaded, the previous rules stay in force: [^]*no rule judges error_rate or latency_p95/);
    const alerts = await guardAlerts();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toContain('NOT reloaded');
  });

  it('refuses a reload that would drop every rule even when the files opt out of error and latency rules', async () => {
    await writeFile(path.join(rulesDir(), 'default.yaml'), 'version: 1\nallowNoErrorOrLatencyRules: true\n');
    await expect(guard!.reloadRules()).rejects.toThrow(/define no rules at all \(\d+ now\); a reload never drops every rule/);
    expect(await guardAlerts()).toHaveLength(1);
  });

  it('accepts a valid edit without alerting', async () => {
    await writeFile(path.join(rulesDir(), 'shop.yaml'), 'match: {service: shop}\nwindow: 10m\n');
    await guard!.reloadRules();
    expect(await guardAlerts()).toEqual([]);
  });
});
