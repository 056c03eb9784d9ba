// Datadog query templates: values normalized like Datadog tags (no injection) and the grouped form for batching.
import { describe, expect, it } from 'vitest';
import { memberOf, normalizeTagValue, planDatadogQuery } from '../../../src/sources/datadog/query-template.js';

const q = (service: string, over: Record<string, unknown> = {}) => ({
  deploy: { id: 'd-1', service, environment: 'Production', version: 'v2', previousVersion: 'v1', startedAt: 0 },
  scope: 'deploy' as const,
  step: 60,
  ...over,
});
const ERRORS =
  'sum:trace.http.request.errors{service:{{service}},env:{{environment}}}.as_count().rollup(sum, {{step}}) / sum:trace.http.request.hits{service:{{service}},env:{{environment}}}.as_count().rollup(sum, {{step}})';

describe('normalizeTagValue', () => {
  it('lower-cases and replaces everything that could end or start a filter with one underscore', () => {
    expect(normalizeTagValue('Shop},env:*')).toBe('shop_env:_');
    expect(normalizeTagValue('a OR service:b')).toBe('a_or_service:b');
    expect(normalizeTagValue('my-app.v2/eu')).toBe('my-app.v2/eu');
    expect(normalizeTagValue('x:y', false)).toBe('x_y');
  });
});

describe('planDatadogQuery', () => {
  it('groups a template whose {{service}} is a tag value: one query for many services, split by that tag', () => {
    const planned = planDatadogQuery(ERRORS, q('Shop'));
    expect(planned.ok).toBe(true);
    if (!planned.ok) return;
    const { plan } = planned;
    expect(plan.member).toBe('shop');
    expect(plan.groupTag).toBe('service');
    expect(plan.build(['cart', 'shop'])).toBe(
      'sum:trace.http.request.errors{service IN (cart, shop) AND env:production} by {service}.as_count().rollup(sum, 60) / sum:trace.http.request.hits{service IN (cart, shop) AND env:production} by {service}.as_count().rollup(sum, 60)',
    );
    const other = planDatadogQuery(ERRORS, q('cart'));
    expect(other.ok && other.plan.groupKey).toBe(plan.groupKey);
    const elsewhere = planDatadogQuery(ERRORS, q('cart', { deploy: { id: 'd-2', service: 'cart', environment: 'staging', version: 'v1', startedAt: 0 } }));
    expect(elsewhere.ok && elsewhere.plan.groupKey).not.toBe(plan.groupKey);
  });

  it('adds the tag to an existing by clause and keeps boolean filters', () => {
    const planned = planDatadogQuery('avg:x{env:prod AND service:{{service}}} by {host}', q('a'));
    expect(planned.ok && planned.plan.build(['a', 'b'])).toBe('avg:x{env:prod AND service IN (a, b)} by {host,service}');
  });

  it('a service name cannot add filters or close the block', () => {
    const planned = planDatadogQuery('sum:hits{service:{{service}}}', q('x},sum:other{*'));
    expect(planned.ok && planned.plan.build([planned.plan.member])).toBe('sum:hits{service IN (x_sum:other_)} by {service}');
  });

  it('queries per deploy when {{service}} is not a tag value, normalized even then', () => {
    const planned = planDatadogQuery('sum:trace.{{service}}.hits{env:{{environment}}}', q('Shop:1'));
    expect(planned.ok).toBe(true);
    if (!planned.ok) return;
    expect(planned.plan).toMatchObject({ member: '', groupTag: null });
    expect(planned.plan.build(['ignored'])).toBe('sum:trace.shop_1.hits{env:production}');
  });

  it('renders the previous version for the control scope, and rejects unknown placeholders', () => {
    const planned = planDatadogQuery('sum:hits{version:{{version}}}', q('a', { scope: 'control' }));
    expect(planned.ok && planned.plan.build([])).toBe('sum:hits{version:v1}');
    expect(planDatadogQuery('sum:hits{team:{{team}}}', q('a'))).toEqual({
      ok: false,
      error: 'unknown placeholder {{team}}; use one of {{service}} {{environment}} {{version}} {{step}}',
    });
  });
});

describe('memberOf', () => {
  it('reads the group tag from tag_set, else from the scope', () => {
    expect(memberOf({ tagSet: ['service:shop'], scope: 'service:shop' }, 'service')).toBe('shop');
    expect(memberOf({ tagSet: [], scope: 'env:prod,service:cart' }, 'service')).toBe('cart');
    expect(memberOf({ tagSet: ['host:a'], scope: 'host:a' }, 'service')).toBeNull();
  });
});

describe('grouping keys', () => {
  it('keeps different steps apart', () => {
    const a = planDatadogQuery(ERRORS.replaceAll('{{step}}', '60'), q('a'));
    const b = planDatadogQuery(ERRORS.replaceAll('{{step}}', '60'), q('a', { step: 30 }));
    expect(a.ok && b.ok && a.plan.groupKey !== b.plan.groupKey).toBe(true);
  });
});
