// ReviewStore: SRE actions and feedback on deploys, and the selections the backtest and rule quality read.
import { beforeEach, describe, expect, it } from 'vitest';
import type { Finding } from '../../../src/judge/types.js';
import type { Store } from '../../../src/store/interfaces.js';
import { deployRecord, judgement, newWatch } from '../sample-records.js';
import { useStore, type StoreBackend } from '../backends.js';

export function reviewContract(backend: StoreBackend): void {
  // A fresh store per test, its temp dir and PostgreSQL schema removed after it (backends.ts).
  const fresh = useStore(backend);
  let store: Store;

  beforeEach(async () => {
    store = fresh.store;
  });

  const T = 1763647200;
  const spike: Finding = {
    rule: 'error-rate-spike',
    metric: 'error_rate',
    severity: 'P2',
    at: T + 240,
    observed: 0.012,
    baseline: 0.002,
    condition: 'ratio > 5 and value > 0.01',
    kind: 'breach',
    summary: 'error_rate 1.2% vs baseline 0.2% (6x) for 2m',
  };

  async function judged(id: string, startedAt: number, verdict: 'pass' | 'fail', findings: Finding[] = []): Promise<void> {
    await store.createDeploy(deployRecord({ id, startedAt, receivedAt: startedAt }), newWatch({ windowEnd: startedAt + 900 }));
    const rollback = verdict === 'fail';
    await store.saveJudgement(
      id,
      judgement({
        state: 'done',
        verdict,
        severity: rollback ? 'P2' : null,
        rollback,
        rollbackAt: rollback ? startedAt + 300 : null,
        findings,
        evaluatedAt: startedAt + 900,
      }),
      verdict,
      startedAt + 900,
    );
  }

  describe('actions and feedback', () => {
    it('records SRE actions and feedback per deploy, in order, with ids', async () => {
      await judged('a', T, 'fail', [spike]);
      const ack = await store.recordReviewAction({
        deployId: 'a',
        action: 'acknowledge',
        actor: 'sre',
        reason: 'looking',
        outcome: null,
        createdAt: T + 1000,
      });
      await store.recordReviewAction({
        deployId: 'a',
        action: 'note',
        actor: 'sre',
        reason: 'known flake',
        outcome: 'noted',
        createdAt: T + 1001,
      });
      expect(ack.id).toBeGreaterThan(0);
      expect((await store.listReviewActions('a')).map((a) => [a.action, a.reason, a.outcome])).toEqual([
        ['acknowledge', 'looking', null],
        ['note', 'known flake', 'noted'],
      ]);
      expect(await store.listReviewActions('unknown')).toEqual([]);
      // Listed records equal the recorded ones, ids numbers on every backend (PostgreSQL's BIGINT included).
      expect((await store.listReviewActions('a'))[0]).toEqual(ack);

      const flake = await store.recordFeedback({
        deployId: 'a',
        label: 'false-alarm',
        rule: 'error-rate-spike',
        note: 'flake',
        actor: 'sre',
        createdAt: T + 1100,
      });
      await store.recordFeedback({
        deployId: 'a',
        label: 'correct',
        rule: null,
        note: 'it was real',
        actor: 'lead',
        createdAt: T + 1200,
      });
      expect((await store.listFeedback('a')).map((f) => f.label)).toEqual(['false-alarm', 'correct']);
      expect((await store.listFeedback('a'))[0]).toEqual(flake);
      expect((await store.latestFeedback(T - 1)).map((f) => [f.deployId, f.label])).toEqual([['a', 'correct']]);
      expect(await store.latestFeedback(T + 1)).toEqual([]);
    });
  });

  describe('selections', () => {
    it('judgedDeploys and backtestDeploys list judged deploys newest first, with the rules that had findings', async () => {
      await judged('old', T - 86400, 'pass');
      await judged('bad', T, 'fail', [spike, { ...spike, rule: 'latency-shadow', metric: 'latency_p99', shadow: true }]);
      await store.createDeploy(deployRecord({ id: 'open', startedAt: T + 60, receivedAt: T + 60 }), newWatch());
      expect((await store.judgedDeploys({ since: T - 86400 })).map((d) => [d.deployId, d.verdict, d.rollback])).toEqual([
        ['bad', 'fail', true],
        ['old', 'pass', false],
      ]);
      expect((await store.judgedDeploys({ since: T - 86400, limit: 1 })).map((d) => d.deployId)).toEqual(['bad']);
      expect(await store.judgedDeploys({ since: T - 86400, service: 'search' })).toEqual([]);
      const selection = await store.backtestDeploys({ since: T - 1 });
      expect(selection.map((b) => [b.deploy.id, b.deploy.version, b.rules])).toEqual([['bad', 'v1.2.0', ['error-rate-spike', 'latency-shadow']]]);
      expect((await store.findingFacts(T - 1)).map((f) => [f.deployId, f.rule, f.rollback, f.verdict, f.shadow])).toEqual([
        ['bad', 'error-rate-spike', true, 'fail', false],
        ['bad', 'latency-shadow', true, 'fail', true],
      ]);
    });

    it('observationsOf reads several deploys at once, empty for a deploy without samples', async () => {
      await judged('a', T, 'pass');
      await judged('b', T + 10, 'pass');
      await store.recordSamples('a', 'deploy', 'error_rate', [
        [T + 60, 0.01],
        [T + 120, 0.02],
      ]);
      const obs = await store.observationsOf(['a', 'b']);
      expect(obs.get('a')?.series).toEqual({
        error_rate: [
          [T + 60, 0.01],
          [T + 120, 0.02],
        ],
      });
      expect(obs.get('b')).toEqual({ series: {}, control: {}, blind: [] });
    });
  });

  describe('extendWatch', () => {
    it('moves a watching deploy’s window end later, and refuses a finished one', async () => {
      await store.createDeploy(deployRecord({ id: 'w' }), newWatch({ windowEnd: T + 900 }));
      expect(await store.extendWatch('w', 600, T + 100)).toBe(true);
      expect((await store.getDeploy('w'))?.watch?.windowEnd).toBe(T + 1500);
      await judged('done', T, 'pass');
      expect(await store.extendWatch('done', 600, T + 1000)).toBe(false);
      expect(await store.extendWatch('unknown', 600, T + 1000)).toBe(false);
    });
  });
}
