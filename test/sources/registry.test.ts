// Tests the source registry: every source folder is registered, configs are checked by type, instances are built.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { SOURCE_KINDS, SOURCE_TYPES, SourceConfig, createSource } from '../../src/sources/registry.js';
import { silentLogger } from '../../src/telemetry/logger.js';

const SOURCES_DIR = fileURLToPath(new URL('../../src/sources/', import.meta.url));

async function sourceFolders(): Promise<string[]> {
  const folders: string[] = [];
  for (const entry of await readdir(SOURCES_DIR, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const hasIndex = await stat(join(SOURCES_DIR, entry.name, 'index.ts')).then(
      () => true,
      () => false,
    );
    if (hasIndex) folders.push(entry.name);
  }
  return folders.sort();
}

describe('source registry', () => {
  it('registers every folder under src/sources/ that has an index.ts, under its folder name', async () => {
    const folders = await sourceFolders();
    expect(folders).toContain('demo');
    expect([...SOURCE_TYPES].sort()).toEqual(folders);
    for (const [type, kind] of Object.entries(SOURCE_KINDS)) {
      expect(kind.type).toBe(type);
      expect(kind.Config.shape.type.value).toBe(type);
    }
  });

  it('parses a demo source config with its defaults', () => {
    expect(SourceConfig.parse({ type: 'demo', timeScale: 30 })).toEqual({ type: 'demo', seed: 1, timeScale: 30 });
  });

  it('rejects an unknown type, naming every allowed type', () => {
    const result = SourceConfig.safeParse({ type: 'graphite', url: 'http://graphite' });
    expect(result.success).toBe(false);
    const message = z.prettifyError(result.error!);
    expect(message).toContain('unknown source type "graphite"; allowed types: ');
    for (const type of SOURCE_TYPES) expect(message).toContain(type);
  });

  it('rejects a config without a type, naming every allowed type', () => {
    const result = SourceConfig.safeParse({ seed: 3 });
    expect(result.error?.issues[0]?.message).toBe(`source has no type; set type to one of: ${SOURCE_TYPES.join(', ')}`);
  });

  it('reports errors inside a known type from that type’s own schema', () => {
    const result = SourceConfig.safeParse({ type: 'demo', timeScale: 10_000 });
    expect(result.error?.issues[0]?.path).toEqual(['timeScale']);
  });

  it('creates the configured source with its name and type', async () => {
    const config = SourceConfig.parse({ type: 'demo', seed: 4, timeScale: 60 });
    const source = await createSource('playground', config, { logger: silentLogger(), baseDir: process.cwd() });
    expect(source).toMatchObject({ type: 'demo', name: 'playground', timeScale: 60 });
  });
});
