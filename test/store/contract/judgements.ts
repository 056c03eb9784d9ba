// saveJudgement: findings upserted by rule, watch progress, verdict only when done, all or nothing.
import { beforeEach, describe, expect, it } from 'vitest';
import type { Finding } from '../../../src/judge/types.js';
import type { Store } from '../../../src/store/interfaces.js';
import { deployRecord, judgement, newWatch } from '../sample-records.js';
import { useStore, type StoreBackend } from '../backends.js';

export function judgementsContract(backend: StoreBackend): void {
  // A fresh store per test, its temp dir and PostgreSQL schema removed after it (backends.ts).
  const fresh = useStore(backend);
  let store: Store;

  beforeEach(async () => {
    store = fresh.store;
    await store.createDeploy(deployRecord(), newWatch());
  });

  const spike: Finding = {
    rule: 'error-rate-spike',
    metric: 'error_rate',
    severity: 'P2',
    at: 1763647440,
    observed: 0.012,
    baseline: 0.002,
    condition: 'ratio > 5 and value > 0.01',
    kind: 'breach',
    summary: 'error_rate 1.2% vs baseline 0.2% (6x) for 2m',
  };
  const blind: Finding = {
    rule: 'latency-blind',
    metric: 'latency_p95',
    severity: 'P3',
    at: 1763647380,
    observed: null,
    baseline: null,
    condition: 'no data for 2m',
    kind: 'blind',
    summary: 'latency_p95: no data for 2m',
  };

  describe('saveJudgement', () => {
    it("keeps a shadow rule's finding marked as shadow (judged and shown, never acted on)", async () => {
      const trial: Finding = { ...spike, rule: 'error-rate-trial', shadow: true };
      await store.saveJudgement('d-42', judgement({ findings: [spike, trial], evaluatedAt: 1763647440 }), 'watching', 1763647441);
      expect((await store.getDeploy('d-42'))?.findings).toEqual([spike, trial]);
    });

    it('stores a silent finding next to breach and blind ones', async () => {
      const silent: Finding = {
        ...blind,
        rule: 'source-silent:throughput',
        metric: 'throughput',
        kind: 'silent',
        at: 1763647500,
        summary: 'throughput silent',
      };
      await store.saveJudgement('d-42', judgement({ findings: [spike, blind, silent] }), 'watching', 1);
      expect((await store.getDeploy('d-42'))?.findings.map((f) => [f.rule, f.kind])).toEqual([
        ['latency-blind', 'blind'],
        ['error-rate-spike', 'breach'],
        ['source-silent:throughput', 'silent'],
      ]);
    });

    it('while watching: stores findings sorted by time and the watch progress, but no verdict', async () => {
      await store.saveJudgement('d-42', judgement({ findings: [spike, blind], evaluatedAt: 1763647440 }), 'watching', 1763647441);
      const view = await store.getDeploy('d-42');
      expect(view?.findings).toEqual([blind, spike]);
      expect(view?.watch).toMatchObject({ status: 'watching', evaluatedAt: 1763647440, reason: null, updatedAt: 1763647441 });
      expect(view?.verdict).toBeNull();
    });

    it('upserts findings by rule and keeps findings of rules not in the new judgement', async () => {
      await store.saveJudgement('d-42', judgement({ findings: [spike, blind] }), 'watching', 1);
      const worse: Finding = { ...spike, severity: 'P1', observed: 0.031, summary: 'error_rate 3.1% vs baseline 0.2% (15.5x) for 2m' };
      await store.saveJudgement('d-42', judgement({ findings: [worse] }), 'watching', 2);
      expect((await store.getDeploy('d-42'))?.findings).toEqual([blind, worse]);
    });

    it('when done: records the verdict with rollback as a boolean, and replaces it on a later save', async () => {
      const done = judgement({
        state: 'done',
        verdict: 'fail',
        severity: 'P1',
        rollback: true,
        rollbackAt: 1763647500,
        findings: [spike],
        evaluatedAt: 1763647500,
        reason: 'error-rate-spike held for 2m',
      });
      await store.saveJudgement('d-42', done, 'fail', 1763647501);
      let view = await store.getDeploy('d-42');
      expect(view?.verdict).toEqual({
        deployId: 'd-42',
        verdict: 'fail',
        severity: 'P1',
        rollback: true,
        rollbackAt: 1763647500,
        reason: 'error-rate-spike held for 2m',
        decidedAt: 1763647501,
      });
      expect(view?.watch).toMatchObject({ status: 'fail', evaluatedAt: 1763647500, reason: 'error-rate-spike held for 2m' });

      await store.saveJudgement('d-42', judgement({ state: 'done', verdict: 'pass', reason: 'no findings' }), 'pass', 1763648200);
      view = await store.getDeploy('d-42');
      expect(view?.verdict).toEqual({
        deployId: 'd-42',
        verdict: 'pass',
        severity: null,
        rollback: false,
        rollbackAt: null,
        reason: 'no findings',
        decidedAt: 1763648200,
      });
    });

    it('never reopens a watch that ended elsewhere: a late evaluation keeps superseded or stopped', async () => {
      await store.endWatch('d-42', 'stopped', 'CI reported the rollout failed', 5);
      await store.saveJudgement('d-42', judgement({ findings: [spike], evaluatedAt: 1763647440 }), 'watching', 6);
      const view = await store.getDeploy('d-42');
      expect(view?.watch).toMatchObject({ status: 'stopped', reason: 'CI reported the rollout failed', evaluatedAt: 1763647440 });
      expect(view?.findings).toEqual([spike]);
    });

    it('writes nothing when any part fails', async () => {
      await store.saveJudgement('d-42', judgement({ findings: [spike] }), 'watching', 1);
      const before = await store.getDeploy('d-42');
      const broken = judgement({ state: 'done', verdict: null, findings: [{ ...spike, severity: 'P0' }, blind], evaluatedAt: 1763647999 });
      await expect(store.saveJudgement('d-42', broken, 'fail', 2)).rejects.toThrow('judgement for deploy d-42 is done but has no verdict');
      expect(await store.getDeploy('d-42')).toEqual(before);
    });

    it('rejects a deploy it does not know', async () => {
      await expect(store.saveJudgement('nope', judgement({ findings: [] }), 'watching', 1)).rejects.toThrow(
        'cannot save a judgement for deploy nope: it has no watch; create the deploy first',
      );
    });
  });

  describe('finding evidence', () => {
    it('keeps the judge evidence and the clearing time with the finding (migration 3)', async () => {
      const withEvidence: Finding = {
        ...spike,
        clearedAt: 1763647800,
        evidence: {
          baseline: null,
          test: null,
          alpha: 0.001,
          lookback: 120,
          points: 2,
          persistence: 'held 2m at every step',
          note: 'no throughput: every point in the lookback must breach',
        },
      };
      await store.saveJudgement('d-42', judgement({ findings: [withEvidence, blind] }), 'watching', 1763647500);
      const view = await store.getDeploy('d-42');
      expect(view?.findings).toEqual([blind, withEvidence]);
    });
  });
}
