// The watch loop against a real store, the demo source and the shipped rules, with an injected clock.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Responder } from '../../src/actions/responder.js';
import type { DeployRequest as DeployInput } from '../../src/watch/intake.js';
import { loadRules, resolveRules, type LoadedRules } from '../../src/rules/index.js';
import type { RuleSet } from '../../src/rules/schema.js';
import { demoSource } from '../../src/sources/demo/index.js';
import type { MetricSource } from '../../src/sources/types.js';
import { openTestStore } from '../store/backends.js';
import type { Store } from '../../src/store/interfaces.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { createGuardMetrics } from '../../src/telemetry/metrics.js';
import { createIntake } from '../../src/watch/intake.js';
import { FIRST_EVALUATION_DELAY_S, Watcher } from '../../src/watch/watcher.js';

const T0 = 1_763_647_200; // a whole minute
let dir: string;
let store: Store;
let rules: LoadedRules;
let clock: number;
let hookLog: string;

function rig(
  sources = new Map<string, MetricSource>([
    ['demo', demoSource.create('demo', { type: 'demo', seed: 7, timeScale: 1 }, { logger: silentLogger(), baseDir: '.' })],
  ]),
) {
  const logger = silentLogger();
  const metrics = createGuardMetrics(new Registry());
  const now = () => clock;
  const rulesFor = (d: { service: string; environment: string }): RuleSet => resolveRules(rules, d);
  const responder = new Responder({ store, logger, metrics, verdictUrl: (id) => `http://guard/v1/deploys/${id}`, now });
  const watcher = new Watcher({ store, sources, rulesFor, responder, logger, metrics, now });
  const intake = createIntake({ store, watcher, sources, defaultSource: 'demo', rulesFor, logger, metrics, now });
  return { watcher, intake };
}

const deploy = (over: Partial<DeployInput> = {}): DeployInput =>
  ({ service: 'shop', environment: 'production', version: 'v2', id: 'd-1', startedAt: T0, ...over }) as DeployInput;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'rg-watch-'));
  hookLog = path.join(dir, 'rollbacks.log');
  const rulesDir = path.join(dir, 'rules');
  await import('node:fs/promises').then((fs) => fs.cp(path.resolve('rules/default.yaml'), path.join(rulesDir, 'default.yaml'), { recursive: true }));
  await writeFile(
    path.join(rulesDir, 'shop.yaml'),
    [
      'match: {service: shop}',
      'hooks:',
      '  rollback:',
      '    - type: exec',
      '      name: record',
      '      command:',
      '        - node',
      '        - -e',
      `        - ${JSON.stringify(`require('fs').appendFileSync(${JSON.stringify(hookLog)}, process.env.RG_DEPLOY_ID + '\\n')`)}`,
    ].join('\n'),
  );
  rules = await loadRules(rulesDir);
  store = await openTestStore(dir);
  clock = T0 + 1;
});

afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

describe('watcher', () => {
  it('passes a healthy deploy at the end of the window, judging every step up to it', async () => {
    const { watcher, intake } = rig();
    await intake.ingest(deploy({ labels: { demo: 'healthy' } }), 'api');
    clock = T0 + 31 * 60;
    await watcher.evaluate('d-1');
    await watcher.stop();
    const view = await store.getDeploy('d-1');
    expect(view?.findings).toEqual([]);
    expect(view?.watch?.status).toBe('pass');
    expect(view?.watch?.evaluatedAt).toBe(T0 + 30 * 60);
    expect(view?.verdict).toMatchObject({ verdict: 'pass', rollback: false, rollbackAt: null });
    expect(view?.actions.filter((a) => a.kind === 'rollback')).toHaveLength(0);
  });

  it('rolls back a broken deploy exactly once, even when evaluated again and after a restart', async () => {
    const first = rig();
    await first.intake.ingest(deploy({ labels: { demo: 'broken-errors' } }), 'api');
    clock = T0 + 10 * 60;
    await first.watcher.evaluate('d-1');
    await first.watcher.evaluate('d-1');
    await first.watcher.stop();
    const view = await store.getDeploy('d-1');
    expect(view?.verdict).toMatchObject({ verdict: 'fail', severity: 'P1', rollback: true });
    // broken-errors starts 2 minutes in (the point at minute 2 is bad); error-rate-spike acts on the second bad point
    expect(view?.verdict?.rollbackAt).toBe(T0 + 3 * 60);
    expect(view?.findings.map((f) => f.rule)).toContain('error-rate-spike');
    const rollbacks = view?.actions.filter((a) => a.kind === 'rollback') ?? [];
    expect(rollbacks).toMatchObject([{ target: 'record', status: 'succeeded' }]);

    const second = rig();
    expect(await second.watcher.start()).toBe(0);
    await second.watcher.evaluate('d-1');
    await second.watcher.stop();
    expect((await readFile(hookLog, 'utf8')).trim().split('\n')).toEqual(['d-1']);
  });

  it('is idempotent on deploy id and supersedes an older watch of the same service and environment', async () => {
    const { watcher, intake } = rig();
    const a = await intake.ingest(deploy({ id: 'd-1' }), 'api');
    const again = await intake.ingest(deploy({ id: 'd-1' }), 'api');
    expect(a.created).toBe(true);
    expect(again.created).toBe(false);
    await expect(intake.ingest(deploy({ id: 'd-1', version: 'changed', commit: 'c2' }), 'api')).rejects.toMatchObject({
      status: 409,
      fields: ['version', 'commit'],
    });
    expect((await store.getDeploy('d-1'))?.deploy.version).toBe('v2');
    clock = T0 + 5 * 60;
    await intake.ingest(deploy({ id: 'd-2', version: 'v3', startedAt: T0 + 5 * 60 }), 'api');
    await intake.ingest(deploy({ id: 'd-3', environment: 'staging', startedAt: T0 + 5 * 60 }), 'api');
    await watcher.stop();
    expect((await store.getDeploy('d-1'))?.watch).toMatchObject({ status: 'superseded', supersededBy: 'd-2' });
    expect((await store.getDeploy('d-2'))?.watch?.status).toBe('watching');
    expect((await store.getDeploy('d-3'))?.watch?.status).toBe('watching');
  });

  it('is blind, not failing, when the source errors, and never rolls back for it', async () => {
    const failing: MetricSource = {
      type: 'test',
      name: 'demo',
      timeScale: 1,
      query: async () => ({ kind: 'error', message: 'connection refused', retryable: true }),
    };
    const { watcher, intake } = rig(new Map([['demo', failing]]));
    await intake.ingest(deploy(), 'api');
    clock = T0 + 31 * 60;
    await watcher.evaluate('d-1');
    await watcher.stop();
    const view = await store.getDeploy('d-1');
    expect(view?.verdict).toMatchObject({ verdict: 'inconclusive', rollback: false });
    expect(view?.findings.every((f) => f.kind === 'blind')).toBe(true);
    // one blind finding per metric the rules watch, each under its own name, so none hides another
    expect(view?.findings.map((f) => f.rule).sort()).toEqual(
      ['cpu', 'error_rate', 'health', 'latency_p95', 'memory', 'throughput'].map((m) => `source-blind:${m}`),
    );
    expect(view?.actions.filter((a) => a.kind === 'rollback')).toHaveLength(0);
  });

  it('judges only the steps the source has answered for: pending data (a rate-limited cache) is not silence', async () => {
    const demo = demoSource.create('demo', { type: 'demo', seed: 7, timeScale: 1 }, { logger: silentLogger(), baseDir: '.' });
    let answeredUntil: number | null = T0 + 60;
    const lagging: MetricSource = {
      type: 'test',
      name: 'demo',
      timeScale: 1,
      query: async (q) => {
        const r = await demo.query(q);
        if (answeredUntil === null || r.kind !== 'value' || q.end <= answeredUntil) return r;
        return { kind: 'value', points: r.points.filter(([t]) => t <= answeredUntil!), answeredUntil };
      },
    };
    const { watcher, intake } = rig(new Map([['demo', lagging]]));
    await intake.ingest(deploy({ labels: { demo: 'healthy' } }), 'api');
    clock = T0 + 10 * 60;
    await watcher.evaluate('d-1');
    let view = await store.getDeploy('d-1');
    expect(view?.watch).toMatchObject({ status: 'watching', evaluatedAt: T0 + 60 });
    expect(view?.findings).toEqual([]);
    answeredUntil = null;
    await watcher.evaluate('d-1');
    await watcher.stop();
    view = await store.getDeploy('d-1');
    expect(view?.watch).toMatchObject({ status: 'watching', evaluatedAt: T0 + 10 * 60 });
    expect(view?.findings).toEqual([]);
  });

  it('refuses a deploy whose rules name a source that is not configured', async () => {
    const { watcher, intake } = rig(new Map());
    await expect(intake.ingest(deploy(), 'api')).rejects.toThrow(/metric source "demo", which is not configured/);
    await watcher.stop();
    expect(await store.getDeploy('d-1')).toBeNull();
  });

  it('runs the first evaluation (at deploy start) a second after the POST, and never for a deploy superseded in between', async () => {
    const { watcher, intake } = rig();
    const posted = performance.now();
    await intake.ingest(deploy({ id: 'd-old' }), 'api');
    await intake.ingest(deploy({ id: 'd-new' }), 'api');
    // Answered before any evaluation: nothing judged yet.
    expect((await store.getDeploy('d-new'))!.watch!.evaluatedAt).toBeNull();
    for (let i = 0; i < 100 && (await store.getDeploy('d-new'))!.watch!.evaluatedAt === null; i++) await new Promise((r) => setTimeout(r, 50));
    const waited = performance.now() - posted;
    const fresh = (await store.getDeploy('d-new'))!;
    // Judged at the deploy start (the clock is 1 s past it; the first step is a minute away), with its baselines fetched.
    expect(fresh.watch!.evaluatedAt).toBe(T0);
    expect(waited).toBeGreaterThanOrEqual(FIRST_EVALUATION_DELAY_S * 1000 - 50);
    expect((await store.observations('d-new')).series['error_rate']!.length).toBeGreaterThan(0);
    const old = (await store.getDeploy('d-old'))!;
    expect(old.watch).toMatchObject({ status: 'superseded', evaluatedAt: null });
    expect(await store.observations('d-old')).toEqual({ series: {}, control: {}, blind: [] });
    await watcher.stop();
  });
});
