// Readiness follows the store: a replica cut off from PostgreSQL answers /readyz 503 and stops renewing (its leases
// lapse for others to take), and is ready again once PostgreSQL is reachable. The cut is a real TCP proxy dropped.
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, connect, type Server, type Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Config } from '../../src/config/schema.js';
import { startGuard, type RunningGuard } from '../../src/main.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { TEST_PG_URL, testSchema, type TestSchema } from '../store/pg-schema.js';
import { until } from './replica-rig.js';

/** A TCP proxy to the test PostgreSQL that can be cut (every connection dropped, new ones refused) and restored. */
class CuttableProxy {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  port = 0;

  async open(): Promise<void> {
    const target = new URL(TEST_PG_URL);
    this.server = createServer((client) => {
      const upstream = connect(Number(target.port || 5432), target.hostname);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => s.destroy());
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
  }

  async cut(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server?.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    await closed;
  }

  url(): string {
    const u = new URL(TEST_PG_URL);
    u.port = String(this.port);
    return u.toString();
  }
}

let schema: TestSchema;
let dir: string;
let guard: RunningGuard | null = null;
const proxy = new CuttableProxy();

beforeAll(async () => {
  schema = await testSchema('rg_ready');
  dir = await mkdtemp(path.join(os.tmpdir(), 'rg-ready-'));
  await proxy.open();
});
afterAll(async () => {
  await guard?.close().catch(() => undefined);
  await proxy.cut().catch(() => undefined);
  await schema.drop();
  await rm(dir, { recursive: true, force: true });
});

async function readiness(url: string): Promise<{ http: number; reason?: string }> {
  const res = await fetch(`${url}/readyz`);
  const body = (await res.json()) as { reason?: string };
  return body.reason === undefined ? { http: res.status } : { http: res.status, reason: body.reason };
}

describe('readiness of a replica', () => {
  it('is unready while PostgreSQL is unreachable and ready again when it is back', async () => {
    const config = Config.parse({
      port: 0,
      dataDir: dir,
      rulesDir: path.resolve('rules'),
      store: { kind: 'postgres', schema: schema.schema, lease: '1s', replica: 'ready-test', poolSize: 2 },
    });
    guard = await startGuard({
      config,
      secrets: { token: 't', adminToken: null, githubSecret: null, gitlabToken: null, storeUrl: proxy.url() },
      dev: false,
      logger: silentLogger(),
      baseDir: dir,
    });
    expect(await readiness(guard.url)).toEqual({ http: 200 });

    await proxy.cut();
    const down = await until(
      'unready',
      async () => {
        const r = await readiness(guard!.url);
        return r.http === 503 ? r : null;
      },
      20_000,
    );
    expect(down.reason).toMatch(/^cannot reach the store: |no lease round succeeded/);

    await proxy.open();
    await until('ready again', async () => (await readiness(guard!.url)).http === 200, 20_000);
  }, 60_000);
});
