// Config typos: one line per unknown key, with the key that was probably meant.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nearestKey } from '../../src/config/did-you-mean.js';
import { loadConfig } from '../../src/config/load.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'rg-dym-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('unknown config keys', () => {
  it('say which key was probably meant, at any depth, one line each', async () => {
    const file = path.join(dir, 'release-guard.yaml');
    await writeFile(file, 'prot: 8080\nnotifications:\n  lifecyle: [slack]\n  delivery: {deadlin: 1h}\nzzz: 1\n');
    let message = '';
    try {
      loadConfig({ file, env: {} });
    } catch (err) {
      message = (err as Error).message;
    }
    const lines = message.split('\n').filter((l) => l.startsWith('  - '));
    expect(lines.sort()).toEqual([
      `  - notifications.delivery.deadlin (from ${file}): unknown key; did you mean "deadline"?`,
      `  - notifications.lifecyle (from ${file}): unknown key; did you mean "lifecycle"?`,
      `  - prot (from ${file}): unknown key; did you mean "port"?`,
      `  - zzz (from ${file}): unknown key; allowed here: host, port, dataDir, rulesDir, store, publicUrl, logLevel, sources, defaultSource, auth, intake, watch, notifications`,
    ]);
  });

  it('suggests only near keys', () => {
    expect(nearestKey('prot', ['host', 'port'])).toBe('port');
    expect(nearestKey('PORT', ['host', 'port'])).toBe('port');
    expect(nearestKey('colour', ['host', 'port'])).toBeNull();
  });
});
