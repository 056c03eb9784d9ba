// Several real `release-guard serve` processes sharing one PostgreSQL schema, a recorder standing in for the
// rollback hook endpoint and Slack, and helpers to read the shared tables while they work.
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { DeployView } from '../../src/store/records.js';
import { testSchema, type TestSchema } from '../store/pg-schema.js';
import { freePort, startGuardProcess, type GuardProcess } from './guard-process.js';

export const TOKEN = 'replica-test-token';

/** Records every rollback hook call (by deploy id) and every Slack message (its whole body: text and blocks). */
export class Recorder {
  readonly hooks: Array<{ deployId: string; at: number }> = [];
  readonly messages: string[] = [];
  private server: Server | null = null;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (b: Buffer) => (body += b.toString()));
      req.on('end', () => {
        const json = JSON.parse(body || '{}') as { deploy?: { id: string } };
        if (req.url === '/hook') this.hooks.push({ deployId: json.deploy?.id ?? '?', at: Date.now() });
        else this.messages.push(body);
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  hookCounts(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const h of this.hooks) counts.set(h.deployId, (counts.get(h.deployId) ?? 0) + 1);
    return counts;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server?.closeAllConnections();
  }
}

export interface RigOptions {
  /** Series seconds per wall second of the demo source. */
  timeScale: number;
  /** Lease length, e.g. "3s". */
  lease: string;
  window: string;
  /** The recovery check's window after a rollback (rules' `recovery.window`); default the rules' default. */
  recovery?: string;
}

/** A temp dir with rules and one config per replica, a fresh schema, and the recorder. */
export class ReplicaRig {
  dir = '';
  pg!: TestSchema;
  readonly recorder = new Recorder();
  readonly replicas = new Map<string, GuardProcess>();

  constructor(private readonly opts: RigOptions) {}

  async setUp(): Promise<this> {
    this.dir = await mkdtemp(path.join(os.tmpdir(), 'rg-replicas-'));
    this.pg = await testSchema('rg_rep');
    await this.recorder.start();
    await cp(path.resolve('rules/default.yaml'), path.join(this.dir, 'rules/default.yaml'));
    await writeFile(
      path.join(this.dir, 'rules/shop.yaml'),
      [
        'match: {service: shop}',
        `window: ${this.opts.window}`,
        ...(this.opts.recovery ? [`recovery: {window: ${this.opts.recovery}}`] : []),
        'hooks:',
        '  rollback:',
        '    - type: http',
        '      name: deployer',
        `      url: ${this.recorder.url}/hook`,
      ].join('\n'),
    );
    return this;
  }

  /** Starts replica `name` (its own config file naming it) and waits until it is ready. */
  async start(name: string): Promise<GuardProcess> {
    const config = path.join(this.dir, `${name}.yaml`);
    await writeFile(
      config,
      [
        `dataDir: ./data-${name}`,
        'rulesDir: ./rules',
        'logLevel: info',
        'sources:',
        `  demo: {type: demo, seed: 5, timeScale: ${this.opts.timeScale}}`,
        'defaultSource: demo',
        'store:',
        '  kind: postgres',
        `  schema: ${this.pg.schema}`,
        `  lease: ${this.opts.lease}`,
        `  replica: ${name}`,
        '  poolSize: 4',
        'notifications:',
        '  channels:',
        '    slack: {type: slack, webhookUrlEnv: TEST_SLACK_URL}',
      ].join('\n'),
    );
    const guard = await startGuardProcess(
      config,
      await freePort(),
      {
        RELEASE_GUARD_TOKEN: TOKEN,
        RELEASE_GUARD_STORE_URL: this.pg.url,
        TEST_SLACK_URL: `${this.recorder.url}/slack`,
      },
      120_000,
    );
    this.replicas.set(name, guard);
    return guard;
  }

  async post(replica: string, body: Record<string, unknown>): Promise<void> {
    const res = await fetch(`${this.replicas.get(replica)!.url}/v1/deploys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (res.status !== 202) throw new Error(`POST /v1/deploys to ${replica} answered ${res.status}: ${await res.text()}`);
  }

  async view(replica: string, id: string): Promise<DeployView> {
    const res = await fetch(`${this.replicas.get(replica)!.url}/v1/deploys/${id}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    return (await res.json()) as DeployView;
  }

  /** Open watches per lease holder, straight from the shared table. */
  async holders(): Promise<Record<string, number>> {
    const rows = await this.pg.sql<{ holder: string | null; n: string }>(
      `SELECT lease_holder AS holder, COUNT(*) AS n FROM watches WHERE status = 'watching' GROUP BY 1`,
    );
    return Object.fromEntries(rows.map((r) => [r.holder ?? '(none)', Number(r.n)]));
  }

  /** Waits until no delivery is pending or being sent. */
  async outboxEmpty(timeoutMs = 60_000): Promise<void> {
    await until(
      'an empty outbox',
      async () => Number((await this.pg.sql<{ n: string }>(`SELECT COUNT(*) AS n FROM deliveries WHERE status IN ('pending','sending')`))[0]!.n) === 0,
      timeoutMs,
    );
  }

  async tearDown(): Promise<void> {
    for (const g of this.replicas.values()) if (g.child.exitCode === null) g.child.kill('SIGKILL');
    await Promise.all([...this.replicas.values()].map((g) => g.exited));
    await this.recorder.stop();
    await this.pg.drop();
    await rm(this.dir, { recursive: true, force: true });
  }
}

export async function until<T>(what: string, fn: () => Promise<T | null | false>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const v = await fn();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}
