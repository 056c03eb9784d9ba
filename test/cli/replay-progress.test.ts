// The replay progress bar frame and summary table, as pure functions.
import { describe, expect, it } from 'vitest';
import { progressLine } from '../../src/cli/replay-progress.js';
import { countJudgement, newTally, summaryTable } from '../../src/cli/replay-summary.js';

describe('replay progress and summary', () => {
  it('draws a bar with count, percent and the file being judged', () => {
    expect(progressLine(3, 12, 'checkout.json', 12)).toBe('[###---------]  3/12  25%  checkout.json');
    expect(progressLine(12, 12, 'x'.repeat(50), 4)).toBe(`[####] 12/12 100%  …${'x'.repeat(39)}`);
  });

  it('tallies verdicts, severities, rollbacks and unreadable files', () => {
    const t = newTally();
    countJudgement(t, { verdict: 'fail', severity: 'P1', rollback: true });
    countJudgement(t, { verdict: 'inconclusive', severity: 'P3', rollback: false });
    countJudgement(t, null);
    expect(t).toEqual({
      total: 3,
      errors: 1,
      rolledBack: 1,
      verdicts: { pass: 0, fail: 1, inconclusive: 1 },
      severities: { P0: 0, P1: 1, P2: 0, P3: 1, none: 0 },
    });
    expect(summaryTable(t).split('\n')).toContain('unreadable          1   33.3%');
  });
});
