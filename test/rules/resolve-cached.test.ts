// resolveRulesCached: the same effective rules as resolveRules, worked out once per service+environment and load.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRules, resolveRules, resolveRulesCached } from '../../src/rules/index.js';

describe('resolveRulesCached', () => {
  it('answers what resolveRules answers, the same object for a repeat, and a new one after a reload', async () => {
    const dir = path.resolve('rules');
    const loaded = await loadRules(dir);
    const target = { service: 'demo-shop', environment: 'production' };
    const first = resolveRulesCached(loaded, target);
    expect(first).toEqual(resolveRules(loaded, target));
    expect(resolveRulesCached(loaded, { ...target })).toBe(first);
    expect(resolveRulesCached(loaded, { service: 'other', environment: 'production' })).not.toBe(first);
    const reloaded = await loadRules(dir);
    const again = resolveRulesCached(reloaded, target);
    expect(again).not.toBe(first);
    expect(again).toEqual(first);
  });
});
