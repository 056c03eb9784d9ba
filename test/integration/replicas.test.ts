// Three real replicas on one PostgreSQL: 50 demo deploys spread over them, two SIGKILLed mid-window. Every watch
// reaches the verdict the judge gives on what was recorded, each rollback hook runs once, no message goes out twice
// or is lost, and the watches of a killed replica are taken over within two intervals.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { judge } from '../../src/judge/judge.js';
import { loadRules, resolveRules } from '../../src/rules/index.js';
import { openPostgresStore } from '../../src/store/postgres/index.js';
import type { DeployView } from '../../src/store/records.js';
import { ReplicaRig, until } from './replica-rig.js';

const TIME_SCALE = 20;
/** Wall seconds per evaluation interval (60 s of series time). */
const INTERVAL_WALL_S = 60 / TIME_SCALE;
const BEHAVIOURS = ['healthy', 'broken-errors', 'slow', 'blip', 'healthy'] as const;

const rig = new ReplicaRig({ timeScale: TIME_SCALE, lease: '3s', window: '10m' });
beforeAll(async () => {
  await rig.setUp();
}, 60_000);
afterAll(async () => {
  await rig.tearDown();
}, 60_000);

/** Seconds from SIGKILL until no open watch is leased to the killed replica any more. */
async function takeover(name: string): Promise<number> {
  const killedAt = Date.now();
  rig.replicas.get(name)!.child.kill('SIGKILL');
  await until(`the watches of ${name} taken over`, async () => !((await rig.holders())[name] ?? 0), 30_000);
  return (Date.now() - killedAt) / 1000;
}

describe('three replicas on one PostgreSQL', () => {
  it('carries 50 watches through two SIGKILLs: same verdicts, each hook and message exactly once', async () => {
    for (const name of ['r1', 'r2', 'r3']) await rig.start(name);
    const ids: string[] = [];
    for (let i = 0; i < 50; i++) {
      const id = `rep-${String(i).padStart(2, '0')}`;
      ids.push(id);
      // Round robin, as a load balancer would; one environment per deploy so that none supersedes another.
      await rig.post(`r${(i % 3) + 1}`, {
        id,
        service: 'shop',
        environment: `env-${i}`,
        version: 'v2',
        previousVersion: 'v1',
        labels: { demo: BEHAVIOURS[i % BEHAVIOURS.length]! },
      });
    }
    expect(Object.keys(await rig.holders()).sort()).toEqual(['r1', 'r2', 'r3']);

    await new Promise((r) => setTimeout(r, 4 * INTERVAL_WALL_S * 1000));
    const first = await takeover('r1');
    await new Promise((r) => setTimeout(r, 2 * INTERVAL_WALL_S * 1000));
    const second = await takeover('r2');
    console.log(`takeover after SIGKILL: r1 ${first.toFixed(1)} s, r2 ${second.toFixed(1)} s (interval ${INTERVAL_WALL_S} s wall)`);
    expect(first).toBeLessThan(2 * INTERVAL_WALL_S);
    expect(second).toBeLessThan(2 * INTERVAL_WALL_S);

    const views = await until(
      'every verdict',
      async () => {
        const all = await Promise.all(ids.map((id) => rig.view('r3', id)));
        return all.every((v) => v.verdict) ? all : null;
      },
      120_000,
    );
    // Let the outbox of the survivor finish what the verdicts queued.
    await rig.outboxEmpty();

    await expectSameAsOfflineJudge(views);
    const rolledBack = views
      .filter((v) => v.verdict?.rollback)
      .map((v) => v.deploy.id)
      .sort();
    expect(rolledBack.length).toBeGreaterThanOrEqual(10);
    for (const v of views.filter((v) => v.deploy.labels?.demo === 'broken-errors')) expect(v.verdict).toMatchObject({ verdict: 'fail', rollback: true });
    for (const v of views.filter((v) => v.deploy.labels?.demo === 'healthy')) expect(v.verdict).toMatchObject({ verdict: 'pass', rollback: false });

    // Exactly once for hooks: one call per rolled-back deploy (none lost, none twice). Messages are at-least-once
    // (README "Delivery guarantees"): a kill between Slack's 200 and the outbox recording it sends that message again
    // after the takeover. A replica sends one message per channel at a time, so each of the two kills doubles one at most.
    expect([...rig.recorder.hookCounts()].sort()).toEqual(rolledBack.map((id) => [id, 1]));
    const twice = rig.recorder.messages.filter((m, i) => rig.recorder.messages.indexOf(m) !== i);
    expect(twice.length).toBeLessThanOrEqual(2);
    const delivered = await rig.pg.sql<{ n: string }>(`SELECT COUNT(*) AS n FROM deliveries WHERE channel = 'slack' AND status = 'delivered'`);
    expect(rig.recorder.messages.length - twice.length).toBe(Number(delivered[0]!.n));
    const failed = await rig.pg.sql(`SELECT id, status, last_error FROM deliveries WHERE status NOT IN ('delivered', 'muted', 'held')`);
    expect(failed).toEqual([]);
  }, 300_000);
});

/** Each stored verdict equals the judge's, offline, on everything the replicas recorded (a single guard's result). */
async function expectSameAsOfflineJudge(views: DeployView[]): Promise<void> {
  const store = await openPostgresStore({ url: rig.pg.url, schema: rig.pg.schema, poolSize: 2, replica: 'observer', leaseSeconds: 3 });
  const rules = await loadRules(`${rig.dir}/rules`);
  try {
    for (const view of views) {
      const ruleSet = resolveRules(rules, view.deploy);
      const offline = judge(ruleSet, view.deploy, await store.observations(view.deploy.id), view.deploy.startedAt + ruleSet.window);
      expect({ id: view.deploy.id, verdict: offline.verdict, rollbackAt: offline.rollbackAt, severity: offline.severity }).toEqual({
        id: view.deploy.id,
        verdict: view.verdict?.verdict,
        rollbackAt: view.verdict?.rollbackAt,
        severity: view.verdict?.severity,
      });
    }
  } finally {
    await store.close();
  }
}
