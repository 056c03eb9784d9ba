// A full disk, and the space given back: 503 with a clear message, /readyz says unwritable, the guard alerts around
// its outbox, reads keep working, and the rollback decided while the disk was full fires once when space returns.
// Simulated on the guard's own SQLite connection (injected), without root: max_page_count capped at the current size
// with the free pages packed makes SQLite fail any write needing a new page with SQLITE_FULL "database or disk is
// full", as on ENOSPC. A real full disk also fails the writes that would fit in a partly filled page (every WAL append
// needs disk), which max_page_count alone lets through; `PRAGMA query_only` adds that, so no write at all succeeds.
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Config } from '../../src/config/schema.js';
import { startGuard, type RunningGuard } from '../../src/main.js';
import { SQLITE_FILE } from '../../src/store/config.js';
import { openDb, type Db } from '../../src/store/sqlite/db.js';
import { sqliteStore } from '../../src/store/sqlite/index.js';
import { migrate } from '../../src/store/sqlite/migrate.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { until } from './notify-rig.js';
import { SlackStandIn } from './stand-ins/slack.js';

const TOKEN = 'disk-full-token';
const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
let dir: string;
let db: Db;
let guard: RunningGuard;
let slack: SlackStandIn;
let hookLog: string;

/** Packs every free byte of the database under a page limit: what a full disk leaves the guard. */
async function fillDisk(): Promise<void> {
  const { page_count: pages } = (await db.get<{ page_count: number }>('PRAGMA page_count'))!;
  await db.run(`PRAGMA max_page_count = ${pages + 1}`);
  for (const size of [65536, 4096, 512, 64, 8, 1]) {
    for (;;) {
      const done = await db.run('INSERT INTO store_probe (at, pad) VALUES (0, zeroblob(?))', [size]).then(
        () => false,
        () => true,
      );
      if (done) break;
    }
  }
}

async function freeDisk(): Promise<void> {
  await db.run('PRAGMA query_only = 0');
  await db.run('PRAGMA max_page_count = 1073741823');
  await db.run('DELETE FROM store_probe WHERE at = 0');
}

const post = (body: unknown) => fetch(`${guard.url}/v1/deploys`, { method: 'POST', headers: auth, body: JSON.stringify(body) });

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'rg-diskfull-'));
  hookLog = path.join(dir, 'rollbacks.log');
  await cp(path.resolve('rules/default.yaml'), path.join(dir, 'rules/default.yaml'));
  const hook = `require('fs').appendFileSync(process.argv.at(-1), process.env.RG_DEPLOY_ID + '\\\\n')`;
  await writeFile(
    path.join(dir, 'rules/shop.yaml'),
    [
      'match: {service: shop}',
      'window: 12m',
      'hooks:',
      '  rollback:',
      '    - type: exec',
      '      name: record',
      `      command: ["node", "-e", "${hook}", ${JSON.stringify(hookLog)}]`,
    ].join('\n'),
  );
  slack = await new SlackStandIn().start();
  const config = Config.parse({
    port: 0,
    dataDir: path.join(dir, 'data'),
    rulesDir: path.join(dir, 'rules'),
    sources: { demo: { type: 'demo', seed: 4, timeScale: 60 } },
    notifications: { channels: { ops: { type: 'slack', webhookUrlEnv: 'RG_SLACK' } }, guardAlerts: ['ops'], lifecycle: [] },
  });
  // The SQLite store on a connection this test keeps, to fill its disk (the default store file in the data dir).
  const openStore = async (_config: unknown, ctx: { dataDir: string }) => {
    db = await openDb(path.join(ctx.dataDir, SQLITE_FILE));
    await migrate(db);
    return sqliteStore(db);
  };
  guard = await startGuard({
    config,
    secrets: { token: TOKEN, adminToken: null, githubSecret: null, gitlabToken: null },
    dev: false,
    logger: silentLogger(),
    baseDir: dir,
    env: { RG_SLACK: slack.webhook('ops') },
    openStore,
  });
});

afterAll(async () => {
  await guard?.close();
  await slack?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('disk full', () => {
  it('refuses writes with 503, stays readable, alerts, and loses no rollback when space returns', async () => {
    expect((await post({ id: 'broken', service: 'shop', environment: 'production', version: 'v2', labels: { demo: 'broken-errors' } })).status).toBe(202);
    await fillDisk();
    // A deploy whose labels need a fresh page: refused for the full disk.
    const labels = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`label-${i}`, 'x'.repeat(200)]));
    const refused = await post({ service: 'cart', environment: 'production', version: 'v9', labels });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('30');
    const body = (await refused.json()) as { error: string; message: string };
    expect(body.error).toBe('store unwritable');
    expect(body.message).toMatch(/^release-guard cannot write its store \(database or disk is full\), so nothing from this request was kept; retry in 30s/);

    const ready = await fetch(`${guard.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { reason: string }).reason).toMatch(/^store unwritable since .*: database or disk is full; free space in /);
    const read = await fetch(`${guard.url}/v1/deploys/broken`, { headers: auth });
    expect(read.status).toBe(200);
    await until(
      'the store-unwritable alert on the guard-alert route',
      () => slack.accepted.some((m) => JSON.stringify(m.message).includes('cannot write its store')),
      10_000,
    );

    // Every write fails from here on, as on a full disk. The rollback is due about 3 series minutes (3 s) in; it
    // cannot be written to the outbox, so the hook is not run (write-ahead) and the watch retries.
    await db.run('PRAGMA query_only = 1');
    await new Promise((r) => setTimeout(r, 6000));
    const before = await readFile(hookLog, 'utf8').catch(() => '');
    expect(before).toBe('');

    await freeDisk();
    await until('ready again', async () => (await fetch(`${guard.url}/readyz`)).status === 200, 20_000);
    await until('the rollback hook', async () => (await readFile(hookLog, 'utf8').catch(() => '')).includes('broken'), 20_000);
    const view = await until(
      'the verdict',
      async () => {
        const v = (await (await fetch(`${guard.url}/v1/deploys/broken`, { headers: auth })).json()) as {
          verdict: { verdict: string; rollback: boolean } | null;
        };
        return v.verdict ? v : null;
      },
      30_000,
    );
    expect(view.verdict).toMatchObject({ verdict: 'fail', rollback: true });
    expect((await readFile(hookLog, 'utf8')).trim().split('\n')).toEqual(['broken']);
    expect((await post({ service: 'cart', environment: 'production', version: 'v9', labels })).status).toBe(202);
  }, 90_000);
});
