// Scores replay output against scenario labels: the detection benchmark's figures and its targets.
import type { ScenarioLabel } from './generate.js';

/** The part of a replay line (DESIGN §4) the score reads. */
export interface ReplayOutcome {
  deployId: string;
  verdict: string | null;
  rollback: boolean;
  rollbackAt: number | null;
  findings: Array<{ severity: string; at: number }>;
}

export interface Score {
  healthy: number;
  bad: number;
  rollbackWorthy: number;
  /** Fractions 0..1. */
  rollbackRecall: number;
  regressionRecall: number;
  falseRollbackRate: number;
  falseAlertRate: number;
  /** Minutes from regression onset to rollback over rolled-back rollback-worthy scenarios; null if none. */
  medianOnsetToRollback: number | null;
  p90OnsetToRollback: number | null;
  perType: Array<{ type: string; kind: string; n: number; alerted: number; rolledBack: number }>;
}

/** The targets: rollback recall >= 98%, regression recall >= 95%, false rollbacks <= 1%, false alerts <= 3%, median <= 3 min. */
export const TARGETS = { rollbackRecall: 0.98, regressionRecall: 0.95, falseRollbackRate: 0.01, falseAlertRate: 0.03, medianOnsetToRollback: 3 };

/** An alert is any P0–P2 finding (what pages or emails someone). */
export function alerted(o: ReplayOutcome): boolean {
  return o.rollback || o.findings.some((f) => f.severity === 'P0' || f.severity === 'P1' || f.severity === 'P2');
}

function quantile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** The benchmark figures for one judge's outcomes (matched to labels by deploy id). */
export function score(labels: readonly ScenarioLabel[], outcomes: readonly ReplayOutcome[]): Score {
  const byId = new Map(outcomes.map((o) => [o.deployId, o]));
  const get = (l: ScenarioLabel): ReplayOutcome => {
    const o = byId.get(l.id);
    if (!o) throw new Error(`no replay outcome for scenario ${l.id}; did replay fail on its recording?`);
    return o;
  };
  const healthy = labels.filter((l) => l.kind === 'healthy');
  const bad = labels.filter((l) => l.kind === 'bad');
  const worthy = bad.filter((l) => l.rollbackWorthy);
  const delays = worthy
    .map((l) => ({ l, o: get(l) }))
    .filter(({ o }) => o.rollback && o.rollbackAt !== null)
    .map(({ l, o }) => Math.max(0, (o.rollbackAt! - l.onset!) / 60))
    .sort((a, b) => a - b);
  const types = [...new Set(labels.map((l) => l.type))];
  return {
    healthy: healthy.length,
    bad: bad.length,
    rollbackWorthy: worthy.length,
    rollbackRecall: fraction(worthy, (l) => get(l).rollback),
    regressionRecall: fraction(bad, (l) => alerted(get(l))),
    falseRollbackRate: fraction(healthy, (l) => get(l).rollback),
    falseAlertRate: fraction(healthy, (l) => alerted(get(l))),
    medianOnsetToRollback: quantile(delays, 0.5),
    p90OnsetToRollback: quantile(delays, 0.9),
    perType: types.map((type) => {
      const of = labels.filter((l) => l.type === type);
      return { type, kind: of[0]!.kind, n: of.length, alerted: of.filter((l) => alerted(get(l))).length, rolledBack: of.filter((l) => get(l).rollback).length };
    }),
  };
}

function fraction<T>(items: readonly T[], test: (item: T) => boolean): number {
  return items.length === 0 ? 0 : items.filter(test).length / items.length;
}

/** Which targets a score misses (empty when it meets them all). */
export function missedTargets(s: Score): string[] {
  const missed: string[] = [];
  if (s.rollbackRecall < TARGETS.rollbackRecall) missed.push('rollback recall');
  if (s.regressionRecall < TARGETS.regressionRecall) missed.push('regression recall');
  if (s.falseRollbackRate > TARGETS.falseRollbackRate) missed.push('false rollbacks');
  if (s.falseAlertRate > TARGETS.falseAlertRate) missed.push('false alerts');
  if (s.medianOnsetToRollback === null || s.medianOnsetToRollback > TARGETS.medianOnsetToRollback) missed.push('median onset-to-rollback');
  return missed;
}
