// Replicas under faults: one paused (SIGSTOP) past its lease while another takes over, then resumed, must not act on
// the work it lost; PostgreSQL connections killed mid-tick (pg_terminate_backend) must not cause a double action.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReplicaRig, until } from './replica-rig.js';
import type { DeployView } from '../../src/store/records.js';

const TIME_SCALE = 20;
const INTERVAL_MS = (60 / TIME_SCALE) * 1000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function allVerdicts(rig: ReplicaRig, replica: string, ids: string[]) {
  return until<DeployView[]>(
    'every verdict',
    async () => {
      const views = await Promise.all(ids.map((id) => rig.view(replica, id)));
      return views.every((v) => v.verdict) ? views : null;
    },
    120_000,
  );
}

function expectOnce(rig: ReplicaRig, rolledBack: string[]): void {
  expect([...rig.recorder.hookCounts()].sort()).toEqual(rolledBack.sort().map((id) => [id, 1]));
  expect(rig.recorder.messages.filter((m, i) => rig.recorder.messages.indexOf(m) !== i)).toEqual([]);
}

describe('a replica paused past its lease', () => {
  const rig = new ReplicaRig({ timeScale: TIME_SCALE, lease: '3s', window: '10m' });
  beforeAll(() => rig.setUp(), 60_000);
  afterAll(() => rig.tearDown(), 60_000);

  it('performs no action on the work another replica took over while it was stopped', async () => {
    const paused = await rig.start('p1');
    await rig.start('p2');
    const ids = Array.from({ length: 8 }, (_, i) => `stop-${i}`);
    for (const [i, id] of ids.entries()) {
      await rig.post('p1', {
        id,
        service: 'shop',
        environment: `env-${i}`,
        version: 'v2',
        previousVersion: 'v1',
        labels: { demo: i % 2 === 0 ? 'broken-errors' : 'healthy' },
      });
    }
    expect(await rig.holders()).toEqual({ p1: 8 });
    // Paused after its first steps, before any rollback is due (errors start 2 min in: 6 s of wall time).
    await sleep(1.5 * INTERVAL_MS);
    paused.child.kill('SIGSTOP');
    await until('p2 holding every watch', async () => (await rig.holders()).p2 === 8 || ((await rig.holders()).p1 ?? 0) === 0, 30_000);
    const views = await allVerdicts(rig, 'p2', ids);
    await rig.outboxEmpty();
    const hooksBefore = rig.recorder.hooks.length;
    const messagesBefore = rig.recorder.messages.length;

    paused.child.kill('SIGCONT');
    // Its timers fire at once on resume; give it several intervals to try to act.
    await sleep(3 * INTERVAL_MS);
    expect(rig.recorder.hooks.length).toBe(hooksBefore);
    expect(rig.recorder.messages.length).toBe(messagesBefore);
    expectOnce(
      rig,
      views.filter((v) => v.verdict?.rollback).map((v) => v.deploy.id),
    );
    expect(views.filter((v) => v.verdict?.rollback).map((v) => v.deploy.labels?.demo)).toEqual([
      'broken-errors',
      'broken-errors',
      'broken-errors',
      'broken-errors',
    ]);
    // It learns of the loss at a watch tick or at its next lease round, whichever comes first after SIGCONT.
    expect(paused.output()).toMatch(/lost the lease on the watch of stop-|lease on the watch of stop-\d lost|leases: took \d+ watch\(es\), lost [1-9]/);
    expect((await fetch(`${paused.url}/readyz`)).status).toBe(200);
  }, 240_000);
});

describe('PostgreSQL connections killed mid-tick', () => {
  const rig = new ReplicaRig({ timeScale: TIME_SCALE, lease: '3s', window: '10m' });
  beforeAll(() => rig.setUp(), 60_000);
  afterAll(() => rig.tearDown(), 60_000);

  it('replicas recover without a double action', async () => {
    await rig.start('k1');
    await rig.start('k2');
    const ids = Array.from({ length: 10 }, (_, i) => `kill-${i}`);
    for (const [i, id] of ids.entries()) {
      await rig.post(i % 2 ? 'k1' : 'k2', {
        id,
        service: 'shop',
        environment: `env-${i}`,
        version: 'v2',
        previousVersion: 'v1',
        labels: { demo: i % 3 === 0 ? 'broken-errors' : 'healthy' },
      });
    }
    let killed = 0;
    for (let round = 0; round < 12; round++) {
      await sleep(INTERVAL_MS / 2);
      const rows = await rig.pg.sql<{ ok: boolean }>(
        `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name IN ('release-guard/k1', 'release-guard/k2')`,
      );
      killed += rows.filter((r) => r.ok).length;
    }
    expect(killed).toBeGreaterThan(10);
    const views = await allVerdicts(rig, 'k1', ids);
    await rig.outboxEmpty();
    const rolledBack = views.filter((v) => v.verdict?.rollback).map((v) => v.deploy.id);
    expect(rolledBack.sort()).toEqual(ids.filter((_, i) => i % 3 === 0).sort());
    expectOnce(rig, rolledBack);
    for (const name of ['k1', 'k2']) expect((await fetch(`${rig.replicas.get(name)!.url}/readyz`)).status).toBe(200);
  }, 240_000);
});
