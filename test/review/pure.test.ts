// The pure parts of review: rule quality from findings and labels, and the deployment log's escaping.
import { describe, expect, it } from 'vitest';
import { deployLog } from '../../src/review/deploy-log.js';
import { ruleQuality } from '../../src/review/quality.js';
import type { FeedbackRecord, FindingFact } from '../../src/store/records.js';
import type { DeployView } from '../../src/store/records.js';

const fact = (deployId: string, rule: string, at: number, rollback = false): FindingFact => ({
  deployId,
  rule,
  severity: 'P1',
  at,
  startedAt: 1000,
  rollback,
  verdict: rollback ? 'fail' : 'pass',
  shadow: false,
});
const shadowFact = (deployId: string, rule: string, at: number, verdict: 'pass' | 'fail'): FindingFact => ({
  ...fact(deployId, rule, at, verdict === 'fail'),
  shadow: true,
});
const label = (deployId: string, l: FeedbackRecord['label'], rule: string | null = null): FeedbackRecord => ({
  id: 1,
  deployId,
  label: l,
  rule,
  note: '',
  actor: 'a',
  createdAt: 0,
});

describe('ruleQuality', () => {
  it('counts fired, rolled back, false alarms (naming the rule), correct, precision and the median time to establish', () => {
    const q = ruleQuality(
      [fact('d1', 'spike', 1120, true), fact('d2', 'spike', 1060), fact('d3', 'spike', 1300, true), fact('d2', 'latency', 1600)],
      [label('d1', 'correct'), label('d2', 'false-alarm', 'spike'), label('d3', 'correct')],
    );
    expect(q.rules).toEqual([
      { rule: 'latency', fired: 1, rolledBack: 0, falseAlarm: 0, correct: 0, precision: null, medianToEstablished: 600 },
      { rule: 'spike', fired: 3, rolledBack: 2, falseAlarm: 1, correct: 2, precision: 2 / 3, medianToEstablished: 120 },
    ]);
    expect(q.shadow).toEqual([]);
  });

  it("reports shadow findings apart: they never add to a rule's real record, and agree with labels by the verdict", () => {
    const enforced = [fact('d1', 'spike', 1120, true), fact('d2', 'spike', 1060)];
    const labels = [
      label('d1', 'correct'),
      label('d2', 'false-alarm', 'spike'),
      label('d3', 'correct'),
      label('d4', 'missed-regression'),
      label('d5', 'false-alarm', 'spike-strict'),
    ];
    const before = ruleQuality(enforced, labels);
    // spike-strict is shadowed; "spike" itself also ran in shadow on d3..d5 (e.g. while a new version of it was trialled).
    const shadow = [
      shadowFact('d1', 'spike-strict', 1060, 'fail'), // the deploy failed and was labelled correct: the shadow rule agreed
      shadowFact('d3', 'spike-strict', 1180, 'pass'), // passed and labelled correct: the shadow rule would have failed a healthy deploy
      shadowFact('d4', 'spike-strict', 1240, 'pass'), // passed, labelled missed regression: the shadow rule caught it
      shadowFact('d5', 'spike-strict', 1300, 'pass'), // labelled a false alarm of spike-strict itself
      shadowFact('d6', 'spike-strict', 1420, 'pass'), // no label: not counted either way
      shadowFact('d3', 'spike', 1090, 'pass'),
      shadowFact('d4', 'spike', 1150, 'pass'),
    ];
    const q = ruleQuality([...enforced, ...shadow], labels);
    expect(q.rules).toEqual(before.rules);
    expect(q.rules).toEqual([{ rule: 'spike', fired: 2, rolledBack: 1, falseAlarm: 1, correct: 1, precision: 0.5, medianToEstablished: 90 }]);
    expect(q.shadow).toEqual([
      { rule: 'spike', fired: 2, rolledBack: 0, falseAlarm: 1, correct: 1, precision: 0.5, medianToEstablished: 120 },
      { rule: 'spike-strict', fired: 5, rolledBack: 1, falseAlarm: 2, correct: 2, precision: 0.5, medianToEstablished: 240 },
    ]);
  });
});

describe('deployLog', () => {
  it('fills the template and keeps hostile values from becoming Markdown or HTML', () => {
    const view = {
      deploy: {
        id: 'd',
        service: '<img src=x onerror=alert(1)>',
        environment: 'production',
        version: 'v1\n## injected',
        previousVersion: 'v0',
        commit: 'abc',
        startedAt: 1763647200,
        labels: {},
        links: { ci: '[x](javascript:alert(1))' },
        origin: 'api',
        receivedAt: 0,
      },
      watch: null,
      verdict: { deployId: 'd', verdict: 'pass', severity: null, rollback: false, rollbackAt: null, reason: 'window closed', decidedAt: 0 },
      findings: [],
      actions: [],
    } as unknown as DeployView;
    const md = deployLog({
      view,
      reviewActions: [{ id: 1, deployId: 'd', action: 'acknowledge', actor: 'alice', reason: 'on it', outcome: null, createdAt: 1763647260 }],
      feedback: [],
    });
    expect(md.split('\n').slice(0, 5)).toEqual([
      '## Deployment: v1 \\#\\# injected',
      '**Date**: 2025-11-20 14:00Z',
      '**Deployer**: api',
      '**Environment**: production',
      '**Service**: \\<img src=x onerror=alert\\(1\\)\\>',
    ]);
    expect(md).toContain('- ci: \\[x\\]\\(javascript:alert\\(1\\)\\)');
    expect(md).toContain('- [x] Code deployed: abc');
    expect(md).toContain('- [x] Monitoring normal: pass — window closed');
    expect(md).toContain('- 2025-11-20 14:01Z acknowledge by alice: on it');
    expect(md).not.toMatch(/(?<!\\)<img/);
  });
});

describe('extendedByWatch', () => {
  it('widens the rules window by what an SRE added to the watch, and leaves it alone otherwise', async () => {
    const { extendedByWatch } = await import('../../src/watch/watcher.js');
    const rules = { window: 1800, minEvidence: { extend: 300 } } as unknown as Parameters<typeof extendedByWatch>[0];
    const deploy = { id: 'd', service: 's', environment: 'e', version: 'v', startedAt: 1000 };
    expect(extendedByWatch(rules, deploy, 1000 + 1800 + 300).window).toBe(1800);
    expect(extendedByWatch(rules, deploy, 1000 + 1800 + 300 + 600).window).toBe(2400);
    expect(extendedByWatch(rules, deploy, 1000 + 1000)).toBe(rules);
  });
});
