// Which repeats of a deploy id are true repeats (200, unchanged) and which are conflicts (409 with the fields).
import { describe, expect, it } from 'vitest';
import type { DeployInput } from '../../src/api/deploy-input.js';
import type { DeployRecord } from '../../src/store/records.js';
import { differingFields } from '../../src/watch/deploy-conflict.js';

const stored: DeployRecord = {
  id: 'd-1',
  service: 'shop',
  environment: 'production',
  version: 'v2',
  previousVersion: 'v1',
  commit: 'abc',
  startedAt: 100,
  labels: { team: 'a', github_delivery: 'g-1' },
  links: { ci: 'https://ci/1' },
  origin: 'api',
  receivedAt: 101,
};
const same: DeployInput = {
  id: 'd-1',
  service: 'shop',
  environment: 'production',
  version: 'v2',
  previousVersion: 'v1',
  commit: 'abc',
  startedAt: 100,
  labels: { team: 'a', github_delivery: 'g-1' },
  links: { ci: 'https://ci/1' },
};

describe('differingFields', () => {
  it('finds none for a true repeat, and for an API repeat that omits startedAt', () => {
    expect(differingFields(same, stored, 'api')).toEqual([]);
    expect(differingFields({ ...same, startedAt: undefined }, stored, 'api')).toEqual([]);
  });

  it('lists every differing field of an API repeat', () => {
    const other = { ...same, version: 'v3', commit: undefined, startedAt: 200, labels: { team: 'b' }, links: {} };
    expect(differingFields(other, stored, 'api')).toEqual(['version', 'commit', 'startedAt', 'links', 'labels']);
  });

  it('counts a different origin as a conflict (an id cannot move between CI and a webhook)', () => {
    expect(differingFields(same, stored, 'github')).toEqual(['origin']);
  });

  it('compares only identity for webhooks, whose events of one deploy differ in time and delivery label', () => {
    const gh = { ...stored, origin: 'github' as const };
    expect(differingFields({ ...same, startedAt: 150, labels: { github_delivery: 'g-2' } }, gh, 'github')).toEqual([]);
    expect(differingFields({ ...same, version: 'v9' }, gh, 'github')).toEqual(['version']);
  });
});
