// The top-level `queries:` key of rule files: per source type and metric, the more specific file wins, merged into metrics.
import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { loadRules, RuleError } from '../../src/rules/load.js';
import { resolveRules } from '../../src/rules/resolve.js';
import { removeRuleDirs, ruleDir } from './rule-dir.js';

afterEach(removeRuleDirs);

const DEFAULT = `version: 1
metrics:
  orders: {unit: orders/min, direction: decrease, queries: {prometheus: 'sum(rate(orders_total[1m]))', demo: throughput}}
rules:
  - {name: spike, metric: error_rate, severity: P1, when: ratio > 5}
queries:
  prometheus:
    error_rate: 'default_errors{service="{{service}}"}'
    throughput: 'default_rps{service="{{service}}"}'
  datadog:
    error_rate: 'sum:errors{service:{{service}}}'
`;
const SHOP = `match: {service: shop}
metrics:
  orders: {unit: orders/min, direction: decrease}
queries:
  prometheus:
    error_rate: 'shop_errors{service="{{service}}"}'
    orders: 'shop_orders'
`;
const SHOP_PROD = `match: {service: shop, environment: production}
queries:
  datadog:
    error_rate: 'sum:prod_errors{service:{{service}}}'
  prometheus:
    unknown_metric: 'ignored'
`;

describe('rule-file queries', () => {
  it('merges per source type and metric, most specific file winning, into metrics[name].queries', async () => {
    const loaded = await loadRules(await ruleDir({ 'default.yaml': DEFAULT, 'shop.yaml': SHOP, 'shop-production.yaml': SHOP_PROD }));
    const prod = resolveRules(loaded, { service: 'shop', environment: 'production' });
    expect(prod.metrics.error_rate).toEqual({
      unit: 'fraction',
      direction: 'increase',
      description: 'failed requests / all requests',
      queries: { prometheus: 'shop_errors{service="{{service}}"}', datadog: 'sum:prod_errors{service:{{service}}}' },
    });
    expect(prod.metrics.throughput!.queries).toEqual({ prometheus: 'default_rps{service="{{service}}"}' });
    // shop.yaml redeclares orders without queries: the inherited demo query stays, its own prometheus one wins.
    expect(prod.metrics.orders).toEqual({ unit: 'orders/min', direction: 'decrease', queries: { prometheus: 'shop_orders', demo: 'throughput' } });
    expect(prod.metrics).not.toHaveProperty('unknown_metric');
    expect(prod.metrics.latency_p95!.queries).toBeUndefined();

    const other = resolveRules(loaded, { service: 'cart', environment: 'production' });
    expect(other.metrics.error_rate!.queries).toEqual({ prometheus: 'default_errors{service="{{service}}"}', datadog: 'sum:errors{service:{{service}}}' });
    expect(other.metrics.orders!.queries).toEqual({ prometheus: 'sum(rate(orders_total[1m]))', demo: 'throughput' });
  });

  it('rejects a malformed queries block with its position', async () => {
    const dir = await ruleDir({ 'default.yaml': `${DEFAULT}  Datadog:\n    cpu: 'x'\n` });
    await expect(loadRules(dir)).rejects.toThrow(RuleError);
    await expect(loadRules(dir)).rejects.toThrow(/default\.yaml:\d+:\d+.*source types are lower-case/);
  });

  it.each(['prometheus', 'datadog'])('the shipped %s example appends to the shipped default.yaml and covers the five canonical metrics', async (type) => {
    const base = await readFile(new URL('../../rules/default.yaml', import.meta.url), 'utf8');
    const example = await readFile(new URL(`../../rules/examples/${type}.yaml`, import.meta.url), 'utf8');
    const set = resolveRules(await loadRules(await ruleDir({ 'default.yaml': `${base}\n${example}` })), { service: 'shop', environment: 'production' });
    for (const metric of ['error_rate', 'latency_p95', 'cpu', 'memory', 'throughput']) {
      expect(set.metrics[metric]!.queries?.[type], metric).toMatch(/\{\{service\}\}/);
    }
  });
});
