// `release-guard silence add|list|expire` against the real API on a free port.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSilenceService } from '../../src/actions/silences/service.js';
import { createApp } from '../../src/api/app.js';
import { silenceAdd, silenceExpire, silenceList } from '../../src/cli/silence.js';
import { openTestStore } from '../store/backends.js';
import type { Store } from '../../src/store/interfaces.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { FakeIntake } from '../api/fake-intake.js';
import { ADMIN_TOKEN, CI_TOKEN } from '../api/start-app.js';

const NOW = 1_763_650_000;
let dir: string;
let store: Store;
let server: Server;
let opts: { url: string; token: string };
let lines: string[];
const out = (l: string) => void lines.push(l);

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'rg-cli-silence-'));
  store = await openTestStore(dir);
  const app = createApp({
    auth: { token: CI_TOKEN, adminToken: ADMIN_TOKEN, githubSecret: null, gitlabToken: null },
    intake: new FakeIntake(),
    registry: new Registry(),
    logger: silentLogger(),
    notReadyReason: () => null,
    silences: createSilenceService(store, () => NOW),
  });
  server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  opts = { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, token: ADMIN_TOKEN };
  lines = [];
});
afterEach(async () => {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

describe('release-guard silence', () => {
  it('adds, lists and expires a silence, one line each', async () => {
    await silenceAdd({ ...opts, service: 'checkout', environment: 'production', for: '90m', reason: 'failover drill', by: 'alice' }, out);
    await silenceAdd({ ...opts, service: 'search', for: '1h', reason: 'reindex', by: 'bob' }, out);
    await silenceList(opts, out);
    await silenceExpire('1', { ...opts, by: 'carol' }, out);
    await silenceList({ ...opts, all: true, service: 'checkout' }, out);
    expect(lines).toEqual([
      'silenced: #1 active checkout/production until 2025-11-20T16:16:40Z by alice: failover drill (muted 0)',
      'silenced: #2 active search/* until 2025-11-20T15:46:40Z by bob: reindex (muted 0)',
      '#2 active search/* until 2025-11-20T15:46:40Z by bob: reindex (muted 0)',
      '#1 active checkout/production until 2025-11-20T16:16:40Z by alice: failover drill (muted 0)',
      'expired: #1 expired checkout/production ended 2025-11-20T14:46:40Z (expired by carol) by alice: failover drill (muted 0)',
      '#1 expired checkout/production ended 2025-11-20T14:46:40Z (expired by carol) by alice: failover drill (muted 0)',
    ]);
  });

  it('says what the guard refused, and what to do without a token or a guard', async () => {
    await expect(silenceAdd({ ...opts, service: 'checkout', reason: 'x', by: 'a' }, out)).rejects.toThrow(
      'the guard answered 400 invalid silence: endsAt: give either endsAt or duration (e.g. "2h")',
    );
    await expect(silenceList({ ...opts, token: 'wrong' }, out)).rejects.toThrow(/^the guard answered 401 unauthorized: invalid credentials/);
    await expect(silenceList({ url: 'http://127.0.0.1:9', token: 't' }, out)).rejects.toThrow(
      /^cannot reach the guard at http:\/\/127\.0\.0\.1:9 .*is it running\? pass --url$/,
    );
  });
});
