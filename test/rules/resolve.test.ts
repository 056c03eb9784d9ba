import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { loadRules } from '../../src/rules/load.js';
import { resolveRules } from '../../src/rules/resolve.js';
import { whenText } from '../../src/rules/schema.js';
import { removeRuleDirs, ruleDir } from './rule-dir.js';

afterEach(removeRuleDirs);

const DEFAULT = `version: 1
window: 30m
interval: 1m
minEvidence: {throughput: 0.1, samples: 5}
severities:
  P2: {rollback: false, failsVerdict: true, alert: [email]}
rules:
  - {name: outage, metric: error_rate, severity: P0, when: value >= 0.25, for: 1m}
  - {name: spike, metric: error_rate, severity: P1, when: {all: [ratio > 5, value > 0.01]}, for: 2m}
  - {name: drift, metric: latency_p95, severity: P3, when: change > 10%, for: 5m}
hooks:
  rollback:
    - {type: exec, name: generic, command: [./rollback.sh]}
`;

const SHOP = `match: {service: shop}
window: 45m
baseline: {duration: 2h}
severities:
  P2: {rollback: true, failsVerdict: true, alert: [slack]}
metrics:
  orders: {unit: orders/min, direction: decrease}
rules:
  - {name: spike, metric: error_rate, severity: P1, when: {all: [ratio > 3, value > 0.005]}, for: 2m}
  - {name: orders-dropped, metric: orders, severity: P0, when: change < -50%, for: 3m}
disable: [drift]
`;

const SHOP_PROD = `match: {service: shop, environment: production}
interval: 30s
minEvidence: {throughput: 5}
rules:
  - {name: outage, metric: error_rate, severity: P0, when: value >= 0.1, for: 30s}
hooks:
  rollback:
    - {type: http, name: deployer, url: "https://deployer.example.com/rollback", timeout: 10s}
`;

async function loaded() {
  return loadRules(await ruleDir({ 'default.yaml': DEFAULT, 'shop.yaml': SHOP, 'shop-production.yaml': SHOP_PROD }));
}

describe('resolveRules', () => {
  it('applies default, then service, then service+environment', async () => {
    const rules = await loaded();
    const set = resolveRules(rules, { service: 'shop', environment: 'production' });
    expect(set.sources).toEqual([join(rules.dir, 'default.yaml'), join(rules.dir, 'shop.yaml'), join(rules.dir, 'shop-production.yaml')]);
    expect(set.window).toBe(2700);
    expect(set.interval).toBe(30);
    expect(set.baseline).toEqual({ kind: 'pre-deploy', duration: 7200, deploys: 3, minPoints: 10 });
    // minEvidence replaces as a whole object: samples is the schema default 3, not the inherited 5.
    expect(set.minEvidence).toEqual({ throughput: 5, samples: 3, requests: 0, extend: 0 });
    expect(set.rules.map((r) => [r.name, r.severity, whenText(r.when), r.for])).toEqual([
      ['outage', 'P0', 'value >= 0.1', 30],
      ['spike', 'P1', 'ratio > 3 and value > 0.005', 120],
      ['orders-dropped', 'P0', 'change < -50%', 180],
    ]);
    expect(set.severities.P2).toEqual({ rollback: true, failsVerdict: true, alert: ['slack'] });
    expect(set.severities.P0).toEqual({ rollback: true, failsVerdict: true, alert: ['page', 'slack'] });
    expect(set.severities.P3).toEqual({ rollback: false, failsVerdict: false, alert: ['digest'] });
    expect(Object.keys(set.metrics)).toEqual(['error_rate', 'latency_p95', 'cpu', 'memory', 'throughput', 'orders']);
    expect(set.hooks.rollback).toEqual([{ type: 'http', name: 'deployer', url: 'https://deployer.example.com/rollback', timeout: 10 }]);
  });

  it('skips the environment file for another environment and keeps inherited hooks', async () => {
    const set = resolveRules(await loaded(), { service: 'shop', environment: 'staging' });
    expect(set.sources.map((s) => s.split(/[\\/]/).pop())).toEqual(['default.yaml', 'shop.yaml']);
    expect(set.window).toBe(2700);
    expect(set.interval).toBe(60);
    expect(set.minEvidence).toEqual({ throughput: 0.1, samples: 5, requests: 0, extend: 0 });
    expect(set.rules.map((r) => r.name)).toEqual(['outage', 'spike', 'orders-dropped']);
    expect(set.rules[0]!.when).toEqual({ all: [{ subject: 'value', op: '>=', threshold: 0.25, text: 'value >= 0.25' }] });
    expect(set.hooks.rollback.map((h) => h.name)).toEqual(['generic']);
  });

  it('gives other services the default file alone', async () => {
    const set = resolveRules(await loaded(), { service: 'billing', environment: 'production' });
    expect(set.sources).toHaveLength(1);
    expect(set.window).toBe(1800);
    expect(set.baseline).toEqual({ kind: 'pre-deploy', duration: 3600, deploys: 3, minPoints: 10 });
    expect(set.rules.map((r) => r.name)).toEqual(['outage', 'spike', 'drift']);
    expect(set.rules[1]!.for).toBe(120);
    expect(set.metrics.orders).toBeUndefined();
    expect(set.severities.P2).toEqual({ rollback: false, failsVerdict: true, alert: ['email'] });
  });

  it('falls back to built-in settings when default.yaml leaves them out', async () => {
    const rules = await loadRules(await ruleDir({ 'default.yaml': 'version: 1\nallowNoErrorOrLatencyRules: true\n' }));
    const set = resolveRules(rules, { service: 'x', environment: 'y' });
    expect(set).toMatchObject({ source: null, window: 1800, interval: 60, rules: [], hooks: { rollback: [] } });
    expect(set.baseline).toEqual({ kind: 'pre-deploy', duration: 3600, deploys: 3, minPoints: 10 });
    expect(set.minEvidence).toEqual({ throughput: 0, samples: 3, requests: 0, extend: 0 });
    expect(set.severities).toEqual({
      P0: { rollback: true, failsVerdict: true, alert: ['page', 'slack'] },
      P1: { rollback: true, failsVerdict: true, alert: ['slack', 'page'] },
      P2: { rollback: false, failsVerdict: true, alert: ['email'] },
      P3: { rollback: false, failsVerdict: false, alert: ['digest'] },
    });
  });
});
