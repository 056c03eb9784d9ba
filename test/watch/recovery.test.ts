// The recovery check after a rollback: pure assessment by the judge's own clearing, and the live check driven by the
// demo source (which heals after a rollback unless told not to), ending in "recovered" or a P0 escalation.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Responder } from '../../src/actions/responder.js';
import type { Point } from '../../src/judge/types.js';
import { loadRules, resolveRules, type LoadedRules } from '../../src/rules/index.js';
import { demoSource } from '../../src/sources/demo/index.js';
import { openTestStore } from '../store/backends.js';
import type { Store } from '../../src/store/interfaces.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { createGuardMetrics } from '../../src/telemetry/metrics.js';
import { createIntake } from '../../src/watch/intake.js';
import { RecoveryWatch, assessRecovery } from '../../src/watch/recovery.js';
import { Watcher } from '../../src/watch/watcher.js';
import { TEST_RULES } from '../integration/notify-rig.js';

const T0 = 1_763_647_200;
let dir: string;
let loaded: LoadedRules;
let store: Store;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'rg-recovery-'));
  await mkdir(path.join(dir, 'rules'));
  await writeFile(path.join(dir, 'rules/default.yaml'), TEST_RULES);
  await writeFile(path.join(dir, 'rules/shop.yaml'), 'match: {service: shop}\nrecovery: {window: 8m}\n');
  loaded = await loadRules(path.join(dir, 'rules'));
  store = await openTestStore(dir);
});
afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

/** error_rate every minute: 0.2% for the hour before T0, then `after(t)`. */
function errorRate(after: (t: number) => number, until: number): Point[] {
  const points: Point[] = [];
  for (let t = T0 - 3600; t <= until; t += 60) points.push([t, t <= T0 ? 0.002 : after(t)]);
  return points;
}

describe('assessRecovery', () => {
  const rules = () => resolveRules(loaded, { service: 'shop', environment: 'production' });
  const deploy = { id: 'd-1', service: 'shop', environment: 'production', version: 'v2', startedAt: T0 };
  const rolledBackAt = T0 + 120;

  it('recovers once the findings have been clear for clearAfter (3) steps after the rollback', () => {
    const series = { error_rate: errorRate((t) => (t <= rolledBackAt ? 0.6 : 0.002), T0 + 600) };
    const at = (upTo: number) => assessRecovery({ rules: rules(), deploy, obs: { series }, rolledBackAt, upTo, verify: ['outage-error-rate'] });
    expect(at(rolledBackAt + 120)).toMatchObject({ recovered: false });
    const done = at(rolledBackAt + 180);
    expect(done).toMatchObject({ recovered: true, summary: 'outage-error-rate cleared 3m after the rollback; the metrics are back to their baseline' });
    expect(done.cleared.map((f) => [f.rule, f.clearedAt])).toEqual([['outage-error-rate', rolledBackAt + 180]]);
  });

  it('says what still breaches, with the latest value against the baseline', () => {
    const series = { error_rate: errorRate(() => 0.6, T0 + 900) };
    const a = assessRecovery({ rules: rules(), deploy, obs: { series }, rolledBackAt, upTo: rolledBackAt + 480, verify: ['outage-error-rate'] });
    expect(a).toMatchObject({
      recovered: false,
      summary: '8m after the rollback still breaching: outage-error-rate: error_rate 60% vs baseline 0.2% (value >= 0.25)',
    });
  });

  it('counts a gap as not yet recovered', () => {
    const series = { error_rate: errorRate((t) => (t <= rolledBackAt ? 0.6 : 0.002), T0 + 600).filter(([t]) => t <= rolledBackAt) };
    expect(assessRecovery({ rules: rules(), deploy, obs: { series }, rolledBackAt, upTo: rolledBackAt + 300, verify: ['outage-error-rate'] }).recovered).toBe(
      false,
    );
  });
});

describe('RecoveryWatch', () => {
  let clock: number;
  function rig() {
    const logger = silentLogger();
    const metrics = createGuardMetrics(new Registry());
    const now = () => clock;
    const sources = new Map([['demo', demoSource.create('demo', { type: 'demo', seed: 4, timeScale: 1 }, { logger, baseDir: '.' })]]);
    const rulesFor = (d: { service: string; environment: string }) => resolveRules(loaded, d);
    const responder = new Responder({ store, logger, metrics, verdictUrl: (id) => `http://guard/v1/deploys/${id}`, now });
    const recovery = new RecoveryWatch({ store, sources, rulesFor, responder, logger, now });
    const watcher = new Watcher({ store, sources, rulesFor, responder, recovery, logger, metrics, now });
    const intake = createIntake({ store, watcher, sources, defaultSource: 'demo', rulesFor, logger, metrics, now });
    return { watcher, recovery, intake };
  }

  it('follows an outage through the rollback to "recovered" and tells the lifecycle channels', async () => {
    const { watcher, recovery, intake } = rig();
    clock = T0 + 1;
    await intake.ingest({ id: 'd-1', service: 'shop', environment: 'production', version: 'v2', startedAt: T0, labels: { demo: 'outage' } }, 'api');
    clock = T0 + 6 * 60;
    await watcher.evaluate('d-1');
    // The watch caught up at minute 6: the finding dates from minute 2, the rollback fired at minute 6.
    expect(await store.getRecovery('d-1')).toMatchObject({
      status: 'checking',
      rolledBackAt: T0 + 360,
      windowEnd: T0 + 360 + 480,
      rules: ['outage-error-rate'],
    });
    clock = T0 + 12 * 60;
    await recovery.check('d-1');
    expect(await store.getRecovery('d-1')).toMatchObject({
      status: 'recovered',
      checkedAt: T0 + 720,
      summary: 'outage-error-rate cleared 3m after the rollback; the metrics are back to their baseline',
    });
    await Promise.all([watcher.stop(), recovery.stop()]);
    const events = (await store.listDeliveries({ deployId: 'd-1' })).map((d) => d.event).sort();
    expect(events).toContain('recovered');
    expect(events).not.toContain('not-recovered');
  });

  it('escalates with a P0 page when the rollback does not bring the metrics back', async () => {
    const { watcher, recovery, intake } = rig();
    clock = T0 + 1;
    await intake.ingest(
      { id: 'd-2', service: 'shop', environment: 'production', version: 'v2', startedAt: T0, labels: { demo: 'outage', 'demo-rollback': 'no-effect' } },
      'api',
    );
    clock = T0 + 20 * 60;
    await watcher.evaluate('d-2');
    await recovery.check('d-2');
    await Promise.all([watcher.stop(), recovery.stop()]);
    const rec = await store.getRecovery('d-2');
    expect(rec).toMatchObject({ status: 'not-recovered', rolledBackAt: T0 + 720, checkedAt: T0 + 1200 });
    expect(rec?.summary).toMatch(/^8m after the rollback still breaching: outage-error-rate: error_rate \d+(\.\d+)?% vs baseline 0\.\d+% \(value >= 0\.25\)$/);
    const page = (await store.listDeliveries({ deployId: 'd-2', event: 'not-recovered' }))[0];
    expect(page).toMatchObject({ severity: 'P0', dedupKey: 'alert:d-2:rollback-did-not-recover:log' });
  });
});
