// Rollback hooks through the outbox: a failing exec or http hook is retried until it works, runs once after that,
// and a hook that left the rules is reported, not guessed at.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { assembleDelivery, type DeliveryRuntime } from '../../src/actions/delivery.js';
import { NotificationsConfig } from '../../src/actions/notify/config.js';
import { Responder } from '../../src/actions/responder.js';
import type { Judgement } from '../../src/judge/types.js';
import type { Hook, RuleSet } from '../../src/rules/schema.js';
import { ExecHook, HttpHook } from '../../src/rules/schema.js';
import { openTestStore } from '../store/backends.js';
import type { Store } from '../../src/store/interfaces.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { createGuardMetrics } from '../../src/telemetry/metrics.js';
import { deployRecord, newWatch } from '../store/sample-records.js';
import { until } from '../integration/notify-rig.js';

let dir: string;
let store: Store;
let hooks: Hook[];
let runtime: DeliveryRuntime;
let responder: Responder;
const now = () => Date.now() / 1000;
const rollback: Judgement = {
  state: 'done',
  verdict: 'fail',
  severity: 'P1',
  rollback: true,
  rollbackAt: 1_763_647_440,
  evaluatedAt: 1_763_647_440,
  windowEnd: 1_763_649_000,
  reason: 'rollback',
  findings: [
    {
      rule: 'error-rate-spike',
      metric: 'error_rate',
      severity: 'P1',
      at: 1_763_647_440,
      observed: 0.08,
      baseline: 0.003,
      condition: 'ratio > 5',
      kind: 'breach',
      summary: 'error_rate 8% vs baseline 0.3%',
    },
  ],
};
const rules = () =>
  ({ severities: { P1: { rollback: true, failsVerdict: true, alert: [] } }, hooks: { rollback: hooks }, metrics: {}, window: 1800 }) as unknown as RuleSet;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'rg-hooks-'));
  store = await openTestStore(dir);
  await store.createDeploy(deployRecord(), newWatch());
  hooks = [];
  const notifications = NotificationsConfig.parse({ delivery: { minBackoff: '0.1s', maxBackoff: '0.2s', hookDeadline: '30s' } });
  runtime = await assembleDelivery({
    store,
    logger: silentLogger(),
    registry: new Registry(),
    notifications,
    notifierDeps: { env: {}, baseDir: dir },
    hooksFor: () => hooks,
    guardUrl: () => '',
    now,
  });
  responder = new Responder({
    store,
    logger: silentLogger(),
    metrics: createGuardMetrics(new Registry()),
    verdictUrl: (id) => `http://guard/v1/deploys/${id}`,
    now,
    delivery: runtime,
  });
  await runtime.outbox.start();
});
afterEach(async () => {
  await runtime.outbox.stop();
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

const rollbackAction = async () => (await store.getDeploy('d-42'))?.actions.find((a) => a.kind === 'rollback');

describe('rollback hooks through the outbox', () => {
  it('retries an exec hook that fails the first time, then records it succeeded, and never runs it again', async () => {
    const marker = path.join(dir, 'ran');
    const script = `const fs=require('fs');const n=fs.existsSync(${JSON.stringify(marker)})?fs.readFileSync(${JSON.stringify(marker)},'utf8').length:0;fs.appendFileSync(${JSON.stringify(marker)},'x');if(n===0){console.error('deployer busy');process.exit(1)}console.log('rolled back')`;
    hooks = [ExecHook.parse({ type: 'exec', name: 'undo', command: ['node', '-e', script], timeout: '10s' })];
    await responder.rollback(deployRecord(), rules(), rollback);
    expect(await rollbackAction()).toMatchObject({ status: 'pending', error: expect.stringContaining('exited with code 1') });
    const done = await until('the retry', async () => ((await rollbackAction())?.status === 'succeeded' ? rollbackAction() : null));
    expect(done?.output).toContain('rolled back');
    await responder.rollback(deployRecord(), rules(), rollback);
    await runtime.outbox.idle();
    expect(await readFile(marker, 'utf8')).toBe('xx');
  });

  it('retries an http hook answering 503 and posts the rollback event once it answers 200', async () => {
    const bodies: string[] = [];
    const server: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        bodies.push(body);
        res.writeHead(bodies.length === 1 ? 503 : 200).end(bodies.length === 1 ? 'busy' : 'ok');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    hooks = [
      HttpHook.parse({
        type: 'http',
        name: 'deployer',
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/rollback`,
        headers: { authorization: 'Bearer hook-secret-123' },
      }),
    ];
    await responder.rollback(deployRecord(), rules(), rollback);
    await until('the http hook to succeed', async () => (await rollbackAction())?.status === 'succeeded');
    expect(bodies).toHaveLength(2);
    expect(JSON.parse(bodies[1]!)).toMatchObject({
      event: 'rollback',
      deploy: { id: 'd-42', previousVersion: 'v1.1.9' },
      reason: 'error-rate-spike: error_rate 8% vs baseline 0.3%',
    });
    const stored = JSON.stringify(await store.listDeliveries({ deployId: 'd-42' }));
    expect(stored).not.toContain('hook-secret-123');
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('fails, without guessing, a pending hook call whose hook left the rules', async () => {
    hooks = [ExecHook.parse({ type: 'exec', name: 'undo', command: ['node', '-e', 'process.exit(1)'] })];
    await responder.rollback(deployRecord(), rules(), rollback);
    hooks = [];
    const action = await until('the refusal', async () => ((await rollbackAction())?.status === 'failed' ? rollbackAction() : null));
    expect(action?.error).toBe(
      'rollback hook "undo" is no longer in the rules for checkout/production; it was not run — roll back by hand or restore the hook',
    );
  });
});
