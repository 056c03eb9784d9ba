// The benchmark's scenario generator is deterministic and well-formed, and its score counts what it says.
import { describe, expect, it } from 'vitest';
import { Recording } from '../../src/recording/schema.js';
import { BAD, HEALTHY } from './catalogue.js';
import { generateScenarios } from './generate.js';
import { missedTargets, score, type ReplayOutcome } from './score.js';

describe('generateScenarios', () => {
  const small = (seed: number) => generateScenarios({ seed, healthyPerType: 2, badPerType: 2 });

  it('is a pure function of the seed', () => {
    expect(JSON.stringify(small(7))).toBe(JSON.stringify(small(7)));
    expect(JSON.stringify(small(7))).not.toBe(JSON.stringify(small(8)));
  });

  it('covers every type with valid recording@1 documents and labels', () => {
    const set = small(1);
    expect(set).toHaveLength(2 * (HEALTHY.length + BAD.length));
    expect(new Set(set.map((s) => s.label.type))).toEqual(new Set([...HEALTHY, ...BAD].map((t) => t.name)));
    for (const { recording, label } of set) {
      expect(Recording.safeParse(JSON.parse(JSON.stringify(recording))).success).toBe(true);
      expect(recording.deploy.id).toBe(label.id);
      if (label.kind === 'healthy') expect(label.onset).toBeNull();
      else expect(label.onset).toBeGreaterThanOrEqual(recording.deploy.startedAt);
      for (const points of Object.values(recording.series)) {
        expect(points[0]![0]).toBeLessThanOrEqual(recording.deploy.startedAt - 55 * 60);
        expect(points.every((p, i) => i === 0 || p[0] > points[i - 1]![0])).toBe(true);
      }
    }
  });
});

describe('score', () => {
  const labels = [
    { id: 'h1', type: 'steady', kind: 'healthy' as const, rollbackWorthy: false, onset: null, control: false, throughput: true },
    { id: 'h2', type: 'steady', kind: 'healthy' as const, rollbackWorthy: false, onset: null, control: false, throughput: true },
    { id: 'b1', type: 'outage', kind: 'bad' as const, rollbackWorthy: true, onset: 1000, control: false, throughput: true },
    { id: 'b2', type: 'cpu', kind: 'bad' as const, rollbackWorthy: false, onset: 1000, control: false, throughput: true },
  ];
  const outcome = (deployId: string, over: Partial<ReplayOutcome> = {}): ReplayOutcome => ({
    deployId,
    verdict: 'pass',
    rollback: false,
    rollbackAt: null,
    findings: [],
    ...over,
  });

  it('recall, false rollbacks and alerts, and minutes from onset to rollback', () => {
    const s = score(labels, [
      outcome('h1'),
      outcome('h2', { findings: [{ severity: 'P3', at: 1 }] }),
      outcome('b1', { rollback: true, rollbackAt: 1150, findings: [{ severity: 'P0', at: 1150 }] }),
      outcome('b2', { findings: [{ severity: 'P2', at: 1300 }] }),
    ]);
    expect(s).toMatchObject({
      healthy: 2,
      bad: 2,
      rollbackWorthy: 1,
      rollbackRecall: 1,
      regressionRecall: 1,
      falseRollbackRate: 0,
      falseAlertRate: 0,
      medianOnsetToRollback: 2.5,
    });
    expect(missedTargets(s)).toEqual([]);
  });

  it('a P2 on a healthy deploy is a false alert; a missed rollback misses the targets', () => {
    const s = score(labels, [outcome('h1', { findings: [{ severity: 'P2', at: 1 }] }), outcome('h2'), outcome('b1'), outcome('b2')]);
    expect(s).toMatchObject({ falseAlertRate: 0.5, rollbackRecall: 0, regressionRecall: 0, medianOnsetToRollback: null });
    expect(missedTargets(s)).toEqual(['rollback recall', 'regression recall', 'false alerts', 'median onset-to-rollback']);
  });
});
