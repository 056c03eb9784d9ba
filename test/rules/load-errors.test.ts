import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadRules, RuleError } from '../../src/rules/load.js';
import { MINIMAL_DEFAULT, removeRuleDirs, ruleDir } from './rule-dir.js';

afterEach(removeRuleDirs);

/** The RuleError loadRules throws for `dir` (fails the test if it loads). */
async function loadError(dir: string): Promise<RuleError> {
  try {
    await loadRules(dir);
  } catch (err) {
    if (err instanceof RuleError) return err;
    throw err;
  }
  throw new Error(`expected ${dir} to fail to load`);
}

const rule = (extra: string) => `version: 1
rules:
  - name: spike
    metric: error_rate
    severity: P1
${extra}`;

describe('loadRules reports problems at file:line:column', () => {
  it('a condition that is not one', async () => {
    const dir = await ruleDir({ 'default.yaml': rule('    when: valu > 1\n') });
    const err = await loadError(dir);
    expect(err.problems).toHaveLength(1);
    expect(err.problems[0]).toMatchObject({ file: join(dir, 'default.yaml'), line: 6, column: 11, path: 'rules[0].when' });
    expect(err.message).toContain(`${join(dir, 'default.yaml')}:6:11: rules[0].when: "valu > 1" is not a condition; write`);
  });

  it('a bad condition inside all:', async () => {
    const dir = await ruleDir({ 'default.yaml': rule('    when:\n      all:\n        - value > 1\n        - ratio >> 5\n') });
    const err = await loadError(dir);
    expect(err.message).toContain(`${join(dir, 'default.yaml')}:9:11: rules[0].when.all[1]: "ratio >> 5" is not a condition`);
  });

  it('an unknown key, naming the allowed keys', async () => {
    const dir = await ruleDir({ 'default.yaml': rule('    when: value > 1\n    treshold: 3\n') });
    const err = await loadError(dir);
    expect(err.message).toContain(
      `${join(dir, 'default.yaml')}:7:5: rules[0].treshold: unknown key "treshold"; allowed keys here: name, description, metric, severity, when, for`,
    );
  });

  it('a misspelt top-level key suggests the right one', async () => {
    const dir = await ruleDir({ 'default.yaml': 'version: 1\nrule: []\n' });
    const err = await loadError(dir);
    expect(err.message).toContain(`${join(dir, 'default.yaml')}:2:1: rule: unknown key "rule" (did you mean "rules"?); allowed keys here: version, match,`);
  });

  it('an unknown severity level and a non-URL hook url', async () => {
    const dir = await ruleDir({
      'default.yaml': 'severities:\n  P5: {rollback: true, failsVerdict: true}\nhooks:\n  rollback:\n    - {type: http, name: h, url: deployer}\n',
    });
    const err = await loadError(dir);
    expect(err.message.split('\n').slice(1)).toEqual([
      `${join(dir, 'default.yaml')}:2:3: severities.P5: unknown key "P5"; allowed keys here: P0, P1, P2, P3`,
      `${join(dir, 'default.yaml')}:5:34: hooks.rollback[0].url: "deployer" is not a URL; write a full one, e.g. https://deployer.example.com/rollback`,
    ]);
  });

  it('a bad duration', async () => {
    const dir = await ruleDir({ 'default.yaml': rule('    when: value > 1\n    for: 2 minutes\n') });
    const err = await loadError(dir);
    expect(err.message).toContain(`${join(dir, 'default.yaml')}:7:10: rules[0].for: "2 minutes" is not a duration; write it like 30s, 1m, 1h30m`);
  });

  it('a bad severity and a missing field', async () => {
    const dir = await ruleDir({ 'default.yaml': 'rules:\n  - name: a\n    severity: P9\n    when: value > 1\n' });
    const err = await loadError(dir);
    const file = join(dir, 'default.yaml');
    expect(err.message).toContain(`${file}:2:5: rules[0].metric: required but missing; add metric:`);
    expect(err.message).toContain(`${file}:3:15: rules[0].severity: "P9" is not allowed; use one of P0, P1, P2, P3`);
  });

  it('an unknown hook type', async () => {
    const dir = await ruleDir({ 'default.yaml': 'hooks:\n  rollback:\n    - type: ftp\n      name: x\n' });
    const err = await loadError(dir);
    expect(err.message).toContain(`${join(dir, 'default.yaml')}:3:13: hooks.rollback[0].type: must be one of exec, http; "ftp" is not one of them`);
  });

  it('an unknown metric', async () => {
    const dir = await ruleDir({ 'default.yaml': 'rules:\n  - name: a\n    metric: errors\n    severity: P1\n    when: value > 1\n' });
    const err = await loadError(dir);
    expect(err.message).toContain(
      `${join(dir, 'default.yaml')}:3:13: rules[0].metric: unknown metric "errors"; use one of error_rate, latency_p95, cpu, memory, throughput, or declare it under metrics:`,
    );
  });

  it('a custom metric declared in default.yaml is known to service files', async () => {
    const dir = await ruleDir({
      'default.yaml': 'allowNoErrorOrLatencyRules: true\nmetrics:\n  health:\n    unit: fraction\n    direction: decrease\n',
      'shop.yaml': 'match: {service: shop}\nrules:\n  - {name: h, metric: health, severity: P0, when: value < 0.5}\n',
    });
    await expect(loadRules(dir)).resolves.toMatchObject({ files: [{}, {}] });
  });

  it('a duplicate rule name', async () => {
    const dir = await ruleDir({
      'default.yaml': `${MINIMAL_DEFAULT}  - name: error-rate-spike\n    metric: error_rate\n    severity: P2\n    when: value > 0.1\n`,
    });
    const err = await loadError(dir);
    expect(err.message).toContain(
      `${join(dir, 'default.yaml')}:7:11: rules[1].name: rule "error-rate-spike" is already defined at rules[0]; rename one or delete it`,
    );
  });

  it('a duplicate hook name', async () => {
    const hook = '    - {type: exec, name: roll, command: [./roll.sh]}\n';
    const dir = await ruleDir({ 'default.yaml': MINIMAL_DEFAULT, 'shop.yaml': `match: {service: shop}\nhooks:\n  rollback:\n${hook}${hook}` });
    const err = await loadError(dir);
    expect(err.message).toContain(`${join(dir, 'shop.yaml')}:5:26: hooks.rollback[1].name: hook "roll" is already defined`);
  });

  it('a YAML syntax error', async () => {
    const dir = await ruleDir({ 'default.yaml': 'version: 1\nrules:\n  - name: a\n    when: [value > 1\n' });
    const err = await loadError(dir);
    expect(err.problems[0]).toMatchObject({ file: join(dir, 'default.yaml'), line: 5, column: 1 });
    expect(err.message).toContain(`${join(dir, 'default.yaml')}:5:1: YAML syntax error:`);
  });

  it('a duplicate YAML key', async () => {
    const dir = await ruleDir({ 'default.yaml': 'window: 30m\ninterval: 1m\nwindow: 10m\n' });
    const err = await loadError(dir);
    expect(err.message).toContain(`${join(dir, 'default.yaml')}:3:1: YAML syntax error: Map keys must be unique (DUPLICATE_KEY)`);
  });

  it('a missing default.yaml', async () => {
    const dir = await ruleDir({ 'shop.yaml': 'match: {service: shop}\n' });
    const err = await loadError(dir);
    expect(err.problems).toEqual([expect.objectContaining({ file: join(dir, 'default.yaml'), line: 0, column: 0 })]);
    expect(err.message).toContain(`${join(dir, 'default.yaml')}: missing: every rule directory needs a default.yaml`);
    expect(err.message).toContain(`create ${join(dir, 'default.yaml')}`);
  });

  it('a missing or empty directory', async () => {
    const dir = await ruleDir({ 'examples/x.yaml': MINIMAL_DEFAULT, 'README.md': '# not rules' });
    expect((await loadError(dir)).message).toContain(`${dir}: rule directory has no *.yaml or *.yml files; create ${join(dir, 'default.yaml')}`);
    const gone = join(dir, 'nope');
    expect((await loadError(gone)).message).toContain(`${gone}: rule directory does not exist; create ${join(gone, 'default.yaml')}`);
  });

  it('two problems in two files are both reported', async () => {
    const dir = await ruleDir({
      'default.yaml': rule('    when: value > 1\n    for: soon\n'),
      'shop.yaml': 'match:\n  service: shop\nwindow: 30 minutes\n',
    });
    const err = await loadError(dir);
    expect(err.problems.map((p) => `${p.file}:${p.line}:${p.column}`)).toEqual([`${join(dir, 'default.yaml')}:7:10`, `${join(dir, 'shop.yaml')}:3:9`]);
    expect(err.message).toMatch(/^rule files have 2 problems:\n/);
  });

  it('the same match in two files, and a file without match that is not the default', async () => {
    const dir = await ruleDir({
      'a.yaml': 'match: {service: shop, environment: prod}\n',
      'b.yaml': 'window: 1m\nmatch: {environment: prod, service: shop}\n',
      'base.yaml': 'window: 10m\n',
      'default.yaml': MINIMAL_DEFAULT,
    });
    const err = await loadError(dir);
    expect(err.message.split('\n').slice(1)).toEqual([
      `${join(dir, 'b.yaml')}:2:8: match: ${join(dir, 'a.yaml')} already matches service shop, environment prod; merge the two files into one`,
      expect.stringMatching(new RegExp(`^${join(dir, 'base.yaml')}:1:1: has no match, so it would apply to every deploy`)),
    ]);
  });

  it('disable naming a rule no more general file defines', async () => {
    const dir = await ruleDir({
      'default.yaml': MINIMAL_DEFAULT,
      'shop.yaml': 'match: {service: shop}\ndisable:\n  - error-rate-spike\n  - latency-drfit\nallowNoErrorOrLatencyRules: true\n',
    });
    const err = await loadError(dir);
    expect(err.problems).toHaveLength(1);
    expect(err.message).toContain(`${join(dir, 'shop.yaml')}:4:5: disable[1]: "latency-drfit" is not a rule inherited from ${join(dir, 'default.yaml')}`);
  });
});
