// The summary `replay` prints on stderr after the JSON lines: how many recordings got each verdict and severity.
import type { Judgement } from '../judge/types.js';

export interface ReplayTally {
  total: number;
  errors: number;
  rolledBack: number;
  verdicts: Record<'pass' | 'fail' | 'inconclusive', number>;
  severities: Record<'P0' | 'P1' | 'P2' | 'P3' | 'none', number>;
}

/** An empty tally. */
export function newTally(): ReplayTally {
  return { total: 0, errors: 0, rolledBack: 0, verdicts: { pass: 0, fail: 0, inconclusive: 0 }, severities: { P0: 0, P1: 0, P2: 0, P3: 0, none: 0 } };
}

/** Counts one recording: its judgement, or null when it could not be read or judged. */
export function countJudgement(tally: ReplayTally, j: Pick<Judgement, 'verdict' | 'severity' | 'rollback'> | null): void {
  tally.total++;
  if (j === null) {
    tally.errors++;
    return;
  }
  if (j.verdict) tally.verdicts[j.verdict]++;
  tally.severities[j.severity ?? 'none']++;
  if (j.rollback) tally.rolledBack++;
}

/**
 * The table, one row per verdict and per severity, with counts and shares:
 *   verdict        count  share
 *   pass              37  92.5%
 */
export function summaryTable(t: ReplayTally): string {
  const share = (n: number): string => (t.total === 0 ? '-' : `${((100 * n) / t.total).toFixed(1)}%`);
  const rows: Array<[string, number]> = [
    ['pass', t.verdicts.pass],
    ['fail', t.verdicts.fail],
    ['inconclusive', t.verdicts.inconclusive],
    ['  rolled back', t.rolledBack],
    ...(t.errors > 0 ? [['unreadable', t.errors] as [string, number]] : []),
  ];
  const sev: Array<[string, number]> = [
    ['P0', t.severities.P0],
    ['P1', t.severities.P1],
    ['P2', t.severities.P2],
    ['P3', t.severities.P3],
    ['none', t.severities.none],
  ];
  const line = (name: string, n: number | string, s: string): string => `${name.padEnd(14)} ${String(n).padStart(6)}  ${s.padStart(6)}`;
  return [
    `replay: ${t.total} recording${t.total === 1 ? '' : 's'}`,
    line('verdict', 'count', 'share'),
    ...rows.map(([name, n]) => line(name, n, share(n))),
    line('severity', 'count', 'share'),
    ...sev.map(([name, n]) => line(name, n, share(n))),
  ].join('\n');
}
