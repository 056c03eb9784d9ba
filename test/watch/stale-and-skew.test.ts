// Stale deploy events are judged in retrospect without a rollback; a deploy dated ahead supersedes only once started.
import { existsSync } from 'node:fs';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Responder } from '../../src/actions/responder.js';
import type { DeployInput } from '../../src/api/deploy-input.js';
import { loadRules, resolveRules, type LoadedRules } from '../../src/rules/index.js';
import { demoSource } from '../../src/sources/demo/index.js';
import type { Store } from '../../src/store/interfaces.js';
import { openTestStore } from '../store/backends.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { createGuardMetrics } from '../../src/telemetry/metrics.js';
import { createIntake } from '../../src/watch/intake.js';
import { Watcher } from '../../src/watch/watcher.js';

const T0 = 1_763_647_200;
let dir: string;
let store: Store;
let rules: LoadedRules;
let clock: number;
let hookLog: string;

function rig() {
  const logger = silentLogger();
  const metrics = createGuardMetrics(new Registry());
  const now = () => clock;
  const sources = new Map([['demo', demoSource.create('demo', { type: 'demo', seed: 7, timeScale: 1 }, { logger, baseDir: '.' })]]);
  const rulesFor = (d: { service: string; environment: string }) => resolveRules(rules, d);
  const responder = new Responder({ store, logger, metrics, verdictUrl: (id) => `http://guard/v1/deploys/${id}`, now });
  const watcher = new Watcher({ store, sources, rulesFor, responder, logger, metrics, now });
  return { watcher, intake: createIntake({ store, watcher, sources, defaultSource: 'demo', rulesFor, logger, metrics, now }) };
}

const deploy = (over: Partial<DeployInput> = {}): DeployInput =>
  ({ service: 'shop', environment: 'production', version: 'v2', id: 'd-1', startedAt: T0, ...over }) as DeployInput;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'rg-stale-'));
  hookLog = path.join(dir, 'rollbacks.log');
  const rulesDir = path.join(dir, 'rules');
  await cp(path.resolve('rules/default.yaml'), path.join(rulesDir, 'default.yaml'));
  const script = `require('fs').appendFileSync(${JSON.stringify(hookLog)}, process.env.RG_DEPLOY_ID + '\\n')`;
  await writeFile(
    path.join(rulesDir, 'shop.yaml'),
    ['match: {service: shop}', 'hooks:', '  rollback:', '    - type: exec', '      name: record', `      command: [node, -e, ${JSON.stringify(script)}]`].join(
      '\n',
    ),
  );
  rules = await loadRules(rulesDir);
  store = await openTestStore(dir);
});

afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

describe('stale deploy events', () => {
  it('judges a deploy reported after its window in retrospect: a verdict that says so, no rollback, no hook', async () => {
    clock = T0 + 2 * 86_400; // redelivered two days later
    const { watcher, intake } = rig();
    await intake.ingest(deploy({ labels: { demo: 'broken-errors' } }), 'github');
    await watcher.evaluate('d-1'); // POST answers before the first evaluation; run it here
    await watcher.stop();
    const view = await store.getDeploy('d-1');
    expect(view?.watch?.status).toBe('fail');
    expect(view?.verdict).toMatchObject({ verdict: 'fail', rollback: false, rollbackAt: null });
    expect(view?.verdict?.reason).toMatch(
      /^retrospective: the deploy was reported 48\.0 h after it started, after its window closed; judged on the data the source still has\. A live watch would have rolled back at series time \d+; nothing was run\./,
    );
    expect(view?.actions.filter((a) => a.kind === 'rollback')).toEqual([]);
    expect(existsSync(hookLog)).toBe(false);
  });

  it('still rolls back a live deploy reported late but inside its window', async () => {
    clock = T0 + 60;
    const { watcher, intake } = rig();
    await intake.ingest(deploy({ labels: { demo: 'broken-errors' } }), 'api');
    clock = T0 + 10 * 60;
    await watcher.evaluate('d-1');
    await watcher.stop();
    expect((await store.getDeploy('d-1'))?.verdict).toMatchObject({ verdict: 'fail', rollback: true });
  });
});

describe('clock skew', () => {
  it('lets a deploy dated ahead of the clock supersede the live watch only once it has started', async () => {
    clock = T0 + 60;
    const { watcher, intake } = rig();
    await intake.ingest(deploy({ id: 'd-1', labels: { demo: 'healthy' } }), 'api');
    await intake.ingest(deploy({ id: 'd-2', version: 'v3', startedAt: T0 + 60 + 240, labels: { demo: 'healthy' } }), 'api');
    expect((await store.getDeploy('d-1'))?.watch?.status).toBe('watching');
    clock = T0 + 60 + 240 + 61;
    await watcher.evaluate('d-2');
    await watcher.stop();
    expect((await store.getDeploy('d-1'))?.watch).toMatchObject({ status: 'superseded', supersededBy: 'd-2' });
    expect((await store.getDeploy('d-2'))?.watch?.status).toBe('watching');
  });
});
