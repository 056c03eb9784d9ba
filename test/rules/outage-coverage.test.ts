// A rule set that judges neither error_rate nor latency_p95 could never fail a deploy that is down: refused unless opted in.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkRules } from '../../src/rules/check.js';
import { loadRules, RuleError } from '../../src/rules/load.js';
import { resolveRules } from '../../src/rules/resolve.js';
import { MINIMAL_DEFAULT, removeRuleDirs, ruleDir } from './rule-dir.js';

afterEach(removeRuleDirs);

async function problems(files: Record<string, string>): Promise<string[]> {
  try {
    await loadRules(await ruleDir(files));
    return [];
  } catch (err) {
    if (err instanceof RuleError) return err.problems.map((p) => `${p.file.slice(p.file.lastIndexOf('/') + 1)}:${p.line}: ${p.message}`);
    throw err;
  }
}

describe('rule sets must judge error rate or latency', () => {
  it('refuses an empty default.yaml, and rules check says so (not ok)', async () => {
    expect(await problems({ 'default.yaml': '' })).toEqual([
      expect.stringMatching(
        /^default\.yaml:1: the effective rule set for every deploy has no rules at all: no rule judges error_rate or latency_p95.*allowNoErrorOrLatencyRules: true/,
      ),
    ]);
    const dir = await ruleDir({ 'default.yaml': '# nothing yet\n' });
    const checked = await checkRules(dir);
    expect(checked.ok).toBe(false);
    expect(checked.report).toContain(`${join(dir, 'default.yaml')}:1:1: the effective rule set for every deploy has no rules at all`);
  });

  it('refuses a default.yaml whose rules judge only other metrics, pointing at its rules', async () => {
    const text = 'version: 1\nrules:\n  - {name: hot, metric: cpu, severity: P2, when: value > 0.9}\n';
    expect(await problems({ 'default.yaml': text })).toEqual([
      expect.stringMatching(/^default\.yaml:3: the effective rule set for every deploy judges only cpu:/),
    ]);
  });

  it('refuses an override that disables every error and latency rule, naming that file only', async () => {
    const found = await problems({ 'default.yaml': MINIMAL_DEFAULT, 'shop.yaml': 'match: {service: shop}\ndisable: [error-rate-spike]\n' });
    expect(found).toEqual([
      expect.stringMatching(/^shop\.yaml:2: the effective rule set for deploys of shop has no rules at all.*or disable fewer inherited rules/),
    ]);
  });

  it('checks each service+environment file against its own chain', async () => {
    const found = await problems({
      'default.yaml': MINIMAL_DEFAULT,
      'shop.yaml': 'match: {service: shop}\nrules:\n  - {name: mem, metric: memory, severity: P3, when: value > 0.9}\n',
      'shop-prod.yaml': 'match: {service: shop, environment: prod}\ndisable: [error-rate-spike]\n',
    });
    expect(found).toEqual([expect.stringMatching(/^shop-prod\.yaml:2: the effective rule set for deploys of shop in prod judges only memory:/)]);
  });

  it('accepts the explicit opt-in, inherited by more specific files, and a more specific file may revoke it', async () => {
    const rules = await loadRules(
      await ruleDir({
        'default.yaml': 'allowNoErrorOrLatencyRules: true\nrules:\n  - {name: hot, metric: cpu, severity: P2, when: value > 0.9}\n',
        'batch.yaml': 'match: {service: batch}\nwindow: 10m\n',
      }),
    );
    expect(resolveRules(rules, { service: 'batch', environment: 'prod' }).rules.map((r) => r.name)).toEqual(['hot']);
    expect(
      await problems({
        'default.yaml': 'allowNoErrorOrLatencyRules: true\n',
        'shop.yaml': 'match: {service: shop}\nallowNoErrorOrLatencyRules: false\n',
      }),
    ).toEqual([expect.stringMatching(/^shop\.yaml:1: the effective rule set for deploys of shop has no rules at all/)]);
  });

  it('accepts the shipped rules', async () => {
    await expect(loadRules('rules')).resolves.toBeDefined();
  });
});
