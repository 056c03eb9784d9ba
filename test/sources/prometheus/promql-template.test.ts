// PromQL template rendering: deploy values are escaped for the literal they sit in and can never change the query.
import { describe, expect, it } from 'vitest';
import { promDuration, renderPromql } from '../../../src/sources/prometheus/promql-template.js';

const deploy = (service: string, over: Record<string, string> = {}) => ({
  deploy: { id: 'd-1', service, environment: 'production', version: 'v2', previousVersion: 'v1', startedAt: 0, ...over },
  scope: 'deploy' as const,
});
const timing = { step: 60, scrapeInterval: 15 };

describe('renderPromql', () => {
  it('fills service, environment and version into quoted label values', () => {
    const r = renderPromql('sum(rate(x{service="{{service}}", env=\'{{environment}}\', v=`{{version}}`}[5m]))', deploy('shop'), timing);
    expect(r).toEqual({ ok: true, text: 'sum(rate(x{service="shop", env=\'production\', v=`v2`}[5m]))' });
  });

  it('renders the previous version for the control scope', () => {
    const r = renderPromql('x{version="{{version}}"}', { ...deploy('shop'), scope: 'control' }, timing);
    expect(r).toEqual({ ok: true, text: 'x{version="v1"}' });
  });

  it('escapes quotes and backslashes so a service name cannot close the string and inject PromQL', () => {
    const evil = 'shop"} or vector(1) or x{a="\\';
    const r = renderPromql('sum(x{service="{{service}}"})', deploy(evil), timing);
    expect(r).toEqual({ ok: true, text: 'sum(x{service="shop\\"} or vector(1) or x{a=\\"\\\\"})' });
  });

  it('escapes a single-quoted literal for single quotes, and control characters everywhere', () => {
    const r = renderPromql("x{service='{{service}}'}", deploy("it's\n\u0001"), timing);
    expect(r).toEqual({ ok: true, text: "x{service='it\\'s\\n\\x01'}" });
  });

  it('escapes regex metacharacters in =~ and !~ matchers, so the value only matches itself', () => {
    const r = renderPromql('x{service=~"{{service}}", env!~ "{{environment}}"}', deploy('shop.*|.+', { environment: '(a)' }), timing);
    expect(r).toEqual({ ok: true, text: 'x{service=~"shop\\\\.\\\\*\\\\|\\\\.\\\\+", env!~ "\\\\(a\\\\)"}' });
  });

  it('does not regex-escape an = matcher', () => {
    expect(renderPromql('x{service="{{service}}"}', deploy('a.b'), timing)).toEqual({ ok: true, text: 'x{service="a.b"}' });
  });

  it('refuses a deploy placeholder outside a quoted string', () => {
    const r = renderPromql('x{service={{service}}}', deploy('shop'), timing);
    expect(r).toEqual({ ok: false, error: '{{service}} must sit inside a quoted label value, e.g. {service="{{service}}"}, so that it is escaped' });
  });

  it('refuses a value with a backtick inside a raw string', () => {
    const r = renderPromql('x{service=`{{service}}`}', deploy('a`b'), timing);
    expect(r.ok).toBe(false);
  });

  it('names the known placeholders for an unknown one', () => {
    const r = renderPromql('x{team="{{team}}"}', deploy('shop'), timing);
    expect(r).toEqual({ ok: false, error: 'unknown placeholder {{team}}; use one of {{service}} {{environment}} {{version}} {{step}} {{rateInterval}}' });
  });

  it('renders step and rateInterval = max(step, 4 × scrapeInterval) as durations', () => {
    expect(renderPromql('rate(x[{{rateInterval}}]) {{step}}', deploy('s'), { step: 60, scrapeInterval: 15 })).toEqual({ ok: true, text: 'rate(x[60s]) 60s' });
    expect(renderPromql('rate(x[{{ rateInterval }}])', deploy('s'), { step: 2, scrapeInterval: 1 })).toEqual({ ok: true, text: 'rate(x[4s])' });
    expect(promDuration(0.5)).toBe('500ms');
  });

  it('leaves a template without placeholders unchanged, braces and escapes included', () => {
    const t = 'sum(x{a="b\\"{{c"})';
    expect(renderPromql(t, deploy('s'), timing)).toEqual({ ok: true, text: t });
  });
});
