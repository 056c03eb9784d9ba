// `rules check` reports every problem of a rule directory in one pass, one message per mistake: schema errors do not
// hide unknown metrics or bad disables, and a part the schema set aside does not echo as further problems.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkRules } from '../../src/rules/check.js';
import { loadRules, RuleError } from '../../src/rules/load.js';
import { removeRuleDirs, ruleDir } from './rule-dir.js';

afterEach(removeRuleDirs);

async function problemLines(dir: string): Promise<string[]> {
  try {
    await loadRules(dir);
  } catch (err) {
    if (err instanceof RuleError)
      return err.problems.map((p) => `${p.file.slice(dir.length + 1)}:${p.line}:${p.column}: ${p.path}: ${p.message.replaceAll(dir, '<dir>').slice(0, 72)}`);
    throw err;
  }
  throw new Error(`expected ${dir} to fail to load`);
}

const DEFAULT = `version: 1
windw: 30m
metrics:
  orders: {unit: count, direction: up}
rules:
  - name: spike
    metric: error_rate
    severity: P1
    when: valu > 5
  - name: orders-drop
    metric: orders
    severity: P2
    when: change < -50%
  - name: cpu-typo
    metric: cpuu
    severity: P3
    when: value > 0.7
`;

const CHECKOUT = `match: {service: checkout}
disable: [spike, cpu-tpyo]
rules:
  - name: lat
    metric: latency_p95
    severity: P5
    when: change > 20%
    per: thruput
`;

describe('every problem in one pass, one message per mistake', () => {
  it('schema errors, unknown metrics and a bad disable in two files, each reported once', async () => {
    const dir = await ruleDir({ 'default.yaml': DEFAULT, 'checkout.yaml': CHECKOUT });
    expect(await problemLines(dir)).toEqual([
      // A disable typo is found although checkout.yaml's own rule failed the schema; "spike" (set aside in
      // default.yaml for its bad condition) is still an inherited rule, so disabling it is no problem.
      'checkout.yaml:2:18: disable[1]: "cpu-tpyo" is not a rule inherited from <dir>/default.yaml; disable only',
      'checkout.yaml:6:15: rules[0].severity: "P5" is not allowed; use one of P0, P1, P2, P3',
      // The same rule's second mistake: an unknown metric to divide by.
      'checkout.yaml:8:10: rules[0].per: unknown metric "thruput" to divide by; use one of error_rate, latency_p9',
      'default.yaml:2:1: windw: unknown key "windw" (did you mean "window"?); allowed keys here: version',
      // orders' declaration is broken, but orders is declared: orders-drop is not "unknown metric" on top.
      'default.yaml:4:36: metrics.orders.direction: "up" is not allowed; use one of increase, decrease, either',
      'default.yaml:9:11: rules[0].when: "valu > 5" is not a condition; write "<value|ratio|change|slope|z> <op> ',
      'default.yaml:15:13: rules[2].metric: unknown metric "cpuu"; use one of error_rate, latency_p95, cpu, memory, ',
    ]);
  });

  it('checkRules prints them all at once, with file:line:col, the YAML path and the fix', async () => {
    const dir = await ruleDir({ 'default.yaml': DEFAULT, 'checkout.yaml': CHECKOUT });
    const { ok, report } = await checkRules(dir);
    expect(ok).toBe(false);
    expect(report.split('\n')[0]).toBe('rule files have 7 problems:');
    expect(report).toContain(`${join(dir, 'default.yaml')}:15:13: rules[2].metric: unknown metric "cpuu"; use one of`);
    expect(report).toContain('or declare it under metrics: (unit, direction) in this file or default.yaml');
  });

  it('a check the schema runs only on a well-formed rule is reported beside the key that broke it', async () => {
    const dir = await ruleDir({
      'default.yaml': 'rules:\n  - name: a\n    metric: error_rate\n    severity: P1\n    when: value > 0.1\n    treshold: 3\n    alpha: 0.01\n',
    });
    expect(await problemLines(dir)).toEqual([
      'default.yaml:6:5: rules[0].treshold: unknown key "treshold"; allowed keys here: name, description, metric, se',
      'default.yaml:7:12: rules[0].alpha: alpha is the error bound of a sequential test; use test: sequential-coun',
    ]);
  });

  it('one indentation mistake is one message, not one per parser error it trips', async () => {
    const dir = await ruleDir({ 'default.yaml': 'version: 1\nrules:\n  - name: a\n    metric: error_rate\n   severity: P1\n    when: value > 1\n' });
    expect(await problemLines(dir)).toEqual(['default.yaml:5:1: : YAML syntax error: Sequence item without - indicator (MISSING_CHAR); fix']);
  });

  it('a key written twice does not stop the rest of the file being checked', async () => {
    const dir = await ruleDir({ 'default.yaml': 'window: 30m\nwindow: 20m\nrules:\n  - {name: a, metric: eror_rate, severity: P1, when: value > 0.1}\n' });
    expect(await problemLines(dir)).toEqual([
      'default.yaml:2:1: : YAML syntax error: Map keys must be unique (DUPLICATE_KEY); "window" is ',
      'default.yaml:4:23: rules[0].metric: unknown metric "eror_rate"; use one of error_rate, latency_p95, cpu, mem',
    ]);
  });

  it('a broken match or rules list sets its checks aside instead of echoing them', async () => {
    const dir = await ruleDir({
      'default.yaml': 'rules:\n  - {name: spike, metric: error_rate, severity: P1, when: ratio > 5}\n',
      // A broken match: not also "has no match"; its disable is not checked against a chain it may not have.
      'shop.yaml': 'match: {servce: shop}\ndisable: [nothing-like-it]\n',
      // rules is not a list: not also "no rule judges error_rate" for shop-2's deploys.
      'shop-2.yaml': 'match: {service: shop-2}\nrules: {name: x}\n',
    });
    expect(await problemLines(dir)).toEqual([
      'shop-2.yaml:2:8: rules: expected array, got {"name":"x"}',
      'shop.yaml:1:9: match.servce: unknown key "servce" (did you mean "service"?); allowed keys here: servi',
    ]);
  });
});
