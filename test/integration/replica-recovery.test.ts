// A replica SIGKILLed while it runs recovery checks after rollbacks: another replica takes the checks over and
// finishes them — "recovered" for a service the rollback healed, the P0 "did not recover" for one it did not —
// with each rollback hook and each recovery message sent exactly once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReplicaRig, until } from './replica-rig.js';

const TIME_SCALE = 20;
const INTERVAL_MS = (60 / TIME_SCALE) * 1000;

const rig = new ReplicaRig({ timeScale: TIME_SCALE, lease: '3s', window: '10m', recovery: '6m' });
beforeAll(() => rig.setUp(), 60_000);
afterAll(() => rig.tearDown(), 60_000);

interface RecoveryRow {
  deploy_id: string;
  status: string;
  holder: string | null;
  checked_at: number | null;
}

const recoveries = () => rig.pg.sql<RecoveryRow>(`SELECT deploy_id, status, lease_holder AS holder, checked_at FROM recoveries ORDER BY deploy_id`);

describe('a replica killed during recovery checks', () => {
  it('leaves them to another replica, which finishes each once: no double hook, alert or notice', async () => {
    const doomed = await rig.start('c1');
    await rig.start('c2');
    // All broken: rolled back about 2–3 minutes in. Two heal after the rollback, two do not (the P0 escalation).
    const deploys = [
      { id: 'heal-0', labels: { demo: 'broken-errors' } },
      { id: 'heal-1', labels: { demo: 'broken-errors' } },
      { id: 'stuck-0', labels: { demo: 'broken-errors', 'demo-rollback': 'no-effect' } },
      { id: 'stuck-1', labels: { demo: 'broken-errors', 'demo-rollback': 'no-effect' } },
    ];
    for (const [i, d] of deploys.entries()) await rig.post('c1', { ...d, service: 'shop', environment: `env-${i}`, version: 'v2', previousVersion: 'v1' });
    expect(await rig.holders()).toEqual({ c1: 4 });

    // c1 rolled every deploy back and has checked each at least once; the stuck ones are still checking (6 min window).
    const atKill = await until(
      'c1 running every recovery check',
      async () => {
        const rows = await recoveries();
        return rows.length === 4 && rows.every((r) => r.checked_at !== null) && rows.filter((r) => r.status === 'checking' && r.holder === 'c1').length >= 2
          ? rows
          : null;
      },
      120_000,
    );
    const hooksAtKill = rig.recorder.hooks.length;
    expect(hooksAtKill).toBe(4);
    doomed.child.kill('SIGKILL');
    const killedAt = Date.now();
    const takenOver = atKill.filter((r) => r.status === 'checking').map((r) => r.deploy_id);

    await until(
      'c2 holding the recovery checks c1 left',
      async () => {
        const rows = await recoveries();
        return rows.filter((r) => takenOver.includes(r.deploy_id)).every((r) => r.holder === 'c2' || r.status !== 'checking');
      },
      30_000,
    );
    const takeoverS = (Date.now() - killedAt) / 1000;
    console.log(`recovery checks ${takenOver.join(', ')} taken over by c2 ${takeoverS.toFixed(1)} s after SIGKILL (lease 3 s)`);
    expect(takeoverS).toBeLessThan((2 * INTERVAL_MS) / 1000);

    const final = await until(
      'every recovery check finished',
      async () => {
        const rows = await recoveries();
        return rows.every((r) => r.status !== 'checking') ? rows : null;
      },
      120_000,
    );
    await rig.outboxEmpty();
    expect(final.map((r) => [r.deploy_id, r.status])).toEqual([
      ['heal-0', 'recovered'],
      ['heal-1', 'recovered'],
      ['stuck-0', 'not-recovered'],
      ['stuck-1', 'not-recovered'],
    ]);

    // One rollback hook per deploy, none after the kill; each message exactly once.
    expect([...rig.recorder.hookCounts()].sort()).toEqual(deploys.map((d) => [d.id, 1]));
    expect(rig.recorder.messages.filter((m, i) => rig.recorder.messages.indexOf(m) !== i)).toEqual([]);
    const about = (env: string, title: RegExp) => rig.recorder.messages.filter((m) => m.includes(`shop/${env}`) && title.test(m)).length;
    expect(deploys.map((_, i) => [about(`env-${i}`, /Rollback recovered/), about(`env-${i}`, /Rollback did not recover/)])).toEqual([
      [1, 0],
      [1, 0],
      [0, 1],
      [0, 1],
    ]);
    // The checks c1 had not finished were finished by c2, and the outbox holds each notice once.
    const notices = await rig.pg.sql<{ dedup_key: string; n: string }>(
      `SELECT dedup_key, COUNT(*) AS n FROM deliveries WHERE event IN ('recovered', 'not-recovered') AND channel = 'slack' GROUP BY 1 ORDER BY 1`,
    );
    expect(notices.map((r) => Number(r.n))).toEqual([1, 1, 1, 1]);
    expect(await rig.pg.sql(`SELECT id, status, last_error FROM deliveries WHERE status NOT IN ('delivered', 'muted', 'held')`)).toEqual([]);
  }, 300_000);
});
