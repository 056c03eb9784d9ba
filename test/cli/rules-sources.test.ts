// `rules check --config`: sources a rule set cannot serve are found before CI posts a deploy.
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sourceProblems } from '../../src/cli/rules-sources.js';
import { Config } from '../../src/config/schema.js';
import { checkRules } from '../../src/rules/check.js';
import { loadRules } from '../../src/rules/load.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'rg-rules-sources-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const config = (type: 'prometheus' | 'datadog') =>
  Config.parse({
    sources: {
      prod: type === 'prometheus' ? { type, url: 'http://127.0.0.1:9' } : { type, site: 'datadoghq.eu', apiKeyEnv: 'DD_API_KEY', appKeyEnv: 'DD_APP_KEY' },
    },
    defaultSource: 'prod',
  });

/** The shipped default.yaml with a shipped example appended, as the README tells a newcomer to do. */
async function defaultWithExample(type: 'prometheus' | 'datadog'): Promise<void> {
  const text = (await readFile('rules/default.yaml', 'utf8')) + '\n' + (await readFile(`rules/examples/${type}.yaml`, 'utf8'));
  await writeFile(path.join(dir, 'default.yaml'), text);
}

describe('rule sets against the configured sources', () => {
  it.each(['prometheus', 'datadog'] as const)('the shipped %s example serves every metric the shipped rules watch, health included', async (type) => {
    await defaultWithExample(type);
    expect(sourceProblems(await loadRules(dir), config(type))).toEqual([]);
  });

  it('flags a watched metric without a query once, at the most general file', async () => {
    await copyFile('rules/default.yaml', path.join(dir, 'default.yaml'));
    await writeFile(path.join(dir, 'shop.yaml'), 'match: {service: shop}\nwindow: 10m\n');
    const found = sourceProblems(await loadRules(dir), config('prometheus'));
    expect(found).toHaveLength(6); // error_rate, health, latency_p95, cpu, memory, throughput
    expect(found.every((p) => p.startsWith(`${path.join(dir, 'default.yaml')}: metric `))).toBe(true);
    expect(found).toContain(
      `${path.join(dir, 'default.yaml')}: metric health has no prometheus query, so every deploy watched through source "prod" would be blind on it; add queries: { prometheus: { health: "…" } } (see rules/examples/prometheus.yaml) or disable the rules that judge it`,
    );
  });

  it('flags `source: prom-typo`, which otherwise fails only when CI posts a deploy; rules check says not ok', async () => {
    await defaultWithExample('prometheus');
    await writeFile(path.join(dir, 'shop.yaml'), 'match: {service: shop}\nsource: prom-typo\n');
    const cfg = config('prometheus');
    expect(sourceProblems(await loadRules(dir), cfg)).toEqual([
      `${path.join(dir, 'shop.yaml')}: source: "prom-typo" is not a configured metric source (configured: prod); fix the name or add it under sources: in the config — deploys of shop would be refused with 422`,
    ]);
    const checked = await checkRules(dir, (loaded) => sourceProblems(loaded, cfg));
    expect(checked.ok).toBe(false);
    expect(checked.report).toMatch(/^rule files have 1 problem:\n.*shop\.yaml: source: "prom-typo"/);
  });
});
