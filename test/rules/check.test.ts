import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkRules } from '../../src/rules/check.js';
import { MINIMAL_DEFAULT, removeRuleDirs, ruleDir } from './rule-dir.js';

afterEach(removeRuleDirs);

describe('checkRules', () => {
  it('passes the shipped rules/ directory (as the CLI calls it, relative to the repo root)', async () => {
    const result = await checkRules('rules');
    expect(result.ok).toBe(true);
    expect(result.report.split('\n')).toEqual(
      expect.arrayContaining([
        'rules/default.yaml: default (every deploy); 14 rules',
        '  P1  error-rate-spike           error_rate   ratio > 5 and value > 0.01 [lookback 2m, counts p < 0.001]',
        '  P2  cpu-regression             cpu          change > 20% for 3m [per throughput, lookback 5m, mann-whitney p < 0.01, warmup 5m]',
        'rules/demo-shop.yaml: service demo-shop (all environments); 0 rules',
        '  rollback hooks: demo-rollback (exec)',
        'ok: 2 files, 14 rules in rules',
      ]),
    );
  });

  it('lists each file most general first, with its match, rules, disables and hooks', async () => {
    const dir = await ruleDir({
      'a-shop.yaml': `match: {service: shop, environment: prod}\nwindow: 45m\ndisable: [error-rate-spike]\nrules:\n  - {name: slow, metric: latency_p95, severity: P2, when: value > 800, for: 90s}\n`,
      'default.yaml': MINIMAL_DEFAULT,
    });
    const result = await checkRules(dir);
    expect(result).toEqual({
      ok: true,
      report: [
        `${join(dir, 'default.yaml')}: default (every deploy); 1 rule`,
        '  P1  error-rate-spike  error_rate  ratio > 5',
        `${join(dir, 'a-shop.yaml')}: service shop, environment prod; 1 rule`,
        '  window 45m',
        '  P2  slow  latency_p95  value > 800 for 1m30s',
        '  disables: error-rate-spike',
        `ok: 2 files, 2 rules in ${dir}`,
      ].join('\n'),
    });
  });

  it('fails with every problem located', async () => {
    const dir = await ruleDir({ 'default.yaml': 'window: 30 min\ninterval: often\n' });
    expect(await checkRules(dir)).toEqual({
      ok: false,
      report: [
        'rule files have 2 problems:',
        `${join(dir, 'default.yaml')}:1:9: window: "30 min" is not a duration; write it like 30s, 1m, 1h30m`,
        `${join(dir, 'default.yaml')}:2:11: interval: "often" is not a duration; write it like 30s, 1m, 1h30m`,
      ].join('\n'),
    });
  });
});
