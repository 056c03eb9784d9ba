// The pure parts of review: rule quality from findings and labels, and the deployment log's escaping.
import { describe, expect, it } from 'vitest';
import { deployLog } from '../../src/review/deploy-log.js';
import { ruleQuality } from '../../src/review/quality.js';
import type { FeedbackRecord, FindingFact } from '../../src/store/records.js';
import type { DeployView } from '../../src/store/records.js';

const fact = (deployId: string, rule: string, at: number, rollback = false): FindingFact => ({ deployId, rule, severity: 'P1', at, startedAt: 1000, rollback });
const label = (deployId: string, l: FeedbackRecord['label'], rule: string | null = null): FeedbackRecord => ({ id: 1, deployId, label: l, rule, note: '', actor: 'a', createdAt: 0 });

describe('ruleQuality', () => {
  it('counts fired, rolled back, false alarms (naming the rule), correct, precision and the median time to establish', () => {
    const q = ruleQuality(
      [fact('d1', 'spike', 1120, true), fact('d2', 'spike', 1060), fact('d3', 'spike', 1300, true), fact('d2', 'latency', 1600)],
      [label('d1', 'correct'), label('d2', 'false-alarm', 'spike'), label('d3', 'correct')],
    );
    expect(q).toEqual([
      { rule: 'latency', fired: 1, rolledBack: 0, falseAlarm: 0, correct: 0, precision: null, medianToEstablished: 600 },
      { rule: 'spike', fired: 3, rolledBack: 2, falseAlarm: 1, correct: 2, precision: 2 / 3, medianToEstablished: 120 },
    ]);
  });
});

describe('deployLog', () => {
  it('fills the template and keeps hostile values from becoming Markdown or HTML', () => {
    const view = {
      deploy: { id: 'd', service: '<img src=x onerror=alert(1)>', environment: 'production', version: 'v1\n## injected', previousVersion: 'v0', commit: 'abc', startedAt: 1763647200, labels: {}, links: { ci: '[x](javascript:alert(1))' }, origin: 'api', receivedAt: 0 },
      watch: null,
      verdict: { deployId: 'd', verdict: 'pass', severity: null, rollback: false, rollbackAt: null, reason: 'window closed', decidedAt: 0 },
      findings: [],
      actions: [],
    } as unknown as DeployView;
    const md = deployLog({ view, reviewActions: [{ id: 1, deployId: 'd', action: 'acknowledge', actor: 'alice', reason: 'on it', outcome: null, createdAt: 1763647260 }], feedback: [] });
    expect(md.split('\n').slice(0, 5)).toEqual(['## Deployment: v1 \\#\\# injected', '**Date**: 2025-11-20 14:00Z', '**Deployer**: api', '**Environment**: production', '**Service**: \\<img src=x onerror=alert\\(1\\)\\>']);
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
