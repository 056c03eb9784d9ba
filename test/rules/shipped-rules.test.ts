import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadRules } from '../../src/rules/load.js';
import { resolveRules } from '../../src/rules/resolve.js';
import { whenText } from '../../src/rules/schema.js';

const RULES = fileURLToPath(new URL('../../rules', import.meta.url));

describe('the shipped rules/ directory', () => {
  it('loads default.yaml and demo-shop.yaml, not the examples subfolder', async () => {
    const loaded = await loadRules(RULES);
    expect(loaded.files.map((f) => f.path)).toEqual([join(RULES, 'default.yaml'), join(RULES, 'demo-shop.yaml')]);
  });

  it('encodes the runbook policy in default.yaml', async () => {
    const set = resolveRules(await loadRules(RULES), { service: 'any', environment: 'production' });
    expect(set).toMatchObject({ window: 1800, interval: 60, baseline: { kind: 'pre-deploy', duration: 3600 } });
    expect(set.minEvidence).toEqual({ throughput: 0.1, samples: 3, requests: 300, extend: 900 });
    expect(set.rules.map((r) => [r.name, r.metric, r.severity, whenText(r.when), r.for, r.lookback ?? null, r.test, r.warmup])).toEqual([
      ['outage-error-rate', 'error_rate', 'P0', 'value >= 0.25', 0, 120, 'counts', 0],
      ['outage-silence', 'throughput', 'P0', 'ratio < 0.1', 0, 120, 'requests', 0],
      ['health-check-failing', 'health', 'P0', 'value < 0.5', 60, null, 'none', 0],
      ['error-rate-spike', 'error_rate', 'P1', 'ratio > 5 and value > 0.01', 0, 120, 'counts', 0],
      ['latency-regression-severe', 'latency_p95', 'P1', 'change > 200%', 0, 180, 'mann-whitney', 180],
      ['error-rate-high', 'error_rate', 'P2', 'value > 0.01 and ratio > 1.5', 120, 300, 'sequential-counts', 0],
      ['latency-regression', 'latency_p95', 'P2', 'change > 20%', 180, 300, 'sequential-shift', 300],
      ['latency-slow', 'latency_p95', 'P2', 'value > 1000 and change > 10%', 180, 300, 'mann-whitney', 300],
      ['cpu-regression', 'cpu', 'P2', 'change > 20%', 180, 300, 'mann-whitney', 300],
      ['memory-high', 'memory', 'P2', 'value > 0.8 and change > 5%', 180, 300, 'mann-whitney', 300],
      ['memory-growth', 'memory', 'P2', 'change > 5% and slope > 0.2 and slope(5m) > 0.2', 0, 600, 'mann-whitney', 600],
      ['throughput-drop', 'throughput', 'P2', 'change < -50%', 120, 180, 'mann-whitney', 0],
      ['cpu-high', 'cpu', 'P3', 'value > 0.7', 300, 300, 'none', 300],
      ['latency-drift', 'latency_p95', 'P3', 'change > 10%', 300, 300, 'mann-whitney', 300],
    ]);
    // Rollback rules need p < 0.001; cpu is judged per request.
    expect(set.rules.filter((r) => r.confidence === 0.999).map((r) => r.name)).toEqual([
      'outage-error-rate',
      'outage-silence',
      'error-rate-spike',
      'latency-regression-severe',
    ]);
    expect(set.rules.find((r) => r.name === 'cpu-regression')?.per).toBe('throughput');
    expect(set.metrics.health).toEqual({ unit: 'fraction', direction: 'decrease', description: 'fraction of health checks passing' });
    expect(set.severities).toEqual({
      P0: { rollback: true, failsVerdict: true, alert: ['page', 'slack'] },
      P1: { rollback: true, failsVerdict: true, alert: ['slack', 'page'] },
      P2: { rollback: false, failsVerdict: true, alert: ['email'] },
      P3: { rollback: false, failsVerdict: false, alert: ['digest'] },
    });
    expect(set.hooks.rollback).toEqual([]);
  });

  it('gives demo-shop its demo rollback hook', async () => {
    const set = resolveRules(await loadRules(RULES), { service: 'demo-shop', environment: 'demo' });
    expect(set.rules).toHaveLength(14);
    expect(set.hooks.rollback).toHaveLength(1);
    expect(set.hooks.rollback[0]).toMatchObject({ type: 'exec', name: 'demo-rollback', timeout: 30 });
    expect(set.hooks.rollback[0]).toHaveProperty('command', [
      'node',
      '-e',
      "console.log('rolled back ' + process.env.RG_SERVICE + ' ' + process.env.RG_ENVIRONMENT + ' from ' + process.env.RG_VERSION + ' to ' + (process.env.RG_PREVIOUS_VERSION || 'previous'))",
    ]);
  });

  it('the canary example loads over the default and sets control, week-ago and previous-deploys baselines', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rg-example-'));
    try {
      await copyFile(join(RULES, 'default.yaml'), join(dir, 'default.yaml'));
      await writeFile(join(dir, 'search.yaml'), await readFile(join(RULES, 'examples', 'canary.yaml'), 'utf8'));
      const set = resolveRules(await loadRules(dir), { service: 'search', environment: 'production' });
      expect(set.baseline).toEqual({ kind: 'control', duration: 3600, deploys: 3, minPoints: 10 });
      const by = (name: string) => set.rules.find((r) => r.name === name)!;
      expect(by('latency-regression')).toMatchObject({ breaches: { count: 3, of: 5 }, warmup: 480, clearAfter: 5, tolerance: 0.05 });
      expect(by('zero-results').baseline?.kind).toBe('week-ago');
      expect(by('index-stale').failClosed).toBe(true);
      expect(by('memory-growth').baseline).toMatchObject({ kind: 'previous-deploys', deploys: 3 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('the commented example is itself a valid override', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rg-example-'));
    try {
      await copyFile(join(RULES, 'default.yaml'), join(dir, 'default.yaml'));
      await writeFile(join(dir, 'checkout.yaml'), await readFile(join(RULES, 'examples', 'checkout.yaml'), 'utf8'));
      const set = resolveRules(await loadRules(dir), { service: 'checkout', environment: 'production' });
      expect(set.window).toBe(2700);
      expect(set.rules.map((r) => r.name)).not.toContain('latency-drift');
      expect(whenText(set.rules.find((r) => r.name === 'error-rate-spike')!.when)).toBe('ratio > 3 and value > 0.005');
      expect(set.hooks.rollback.map((h) => `${h.type}:${h.name}`)).toEqual(['http:checkout-rollback']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
