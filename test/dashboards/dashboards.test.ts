// Every release_guard_* metric a shipped dashboard queries must exist on the guard's /metrics.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Registry } from 'prom-client';
import { expect, it } from 'vitest';
import { countHttpRequests } from '../../src/api/http-metrics.js';
import { createGuardMetrics } from '../../src/telemetry/metrics.js';

it('dashboards only query metrics the guard exports', async () => {
  const registry = new Registry();
  createGuardMetrics(registry);
  countHttpRequests(registry);
  const exported = new Set((await registry.getMetricsAsJSON()).map((m) => m.name));
  const dir = path.resolve(import.meta.dirname, '../../dashboards');
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  expect(files.length).toBeGreaterThan(0);
  for (const file of files) {
    const text = readFileSync(path.join(dir, file), 'utf8');
    const used = new Set([...text.matchAll(/release_guard_[a-z_]+/g)].map((m) => m[0]));
    expect(used.size).toBeGreaterThan(3);
    for (const name of used) expect(exported, `${file} queries ${name}`).toContain(name);
  }
});
