// `release-guard deploys list|show` against a live guard: readable at 100 columns, hostile values made harmless, --json for scripts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { printable } from '../../src/cli/terminal-text.js';
import { runDeploysList, runDeploysShow } from '../../src/cli/deploys.js';
import { formatDeployTable, wrap } from '../../src/cli/deploy-view-text.js';
import { captureIo, startLiveGuard, type LiveGuard } from './live-guard.js';

let live: LiveGuard;
const env = { RELEASE_GUARD_AUTH: 'bearer' };
let target: { url: string; tokenFile: string };

async function settled(id: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const io = captureIo(env);
    await runDeploysShow(id, { ...target, json: true }, io);
    const view = JSON.parse(io.text()) as { watch: { status: string } };
    if (view.watch.status !== 'watching') return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${id} still watching`);
}

beforeAll(async () => {
  live = await startLiveGuard();
  target = { url: live.guard.url, tokenFile: live.tokenFile };
  // The guard refuses control characters at intake (README "HTTP API"), so escape sequences never reach a stored deploy.
  const hostile = { 'note\u001b[2J': 'x\r\n::set-output name=evil::1\u001b]8;;http://evil\u0007' };
  expect(await live.post({ id: 'refused-evil', service: 'evil', environment: 'prod', version: 'v1', labels: hostile })).toBe(400);
  expect(await live.post({ id: 'refused-evil', service: 'evil', environment: 'prod', version: 'v1\u001b[31mRED\u001b[0m\n::error::pwned' })).toBe(400);
  expect(
    await live.post({
      id: 'list-broken',
      service: 'demo-shop',
      environment: 'production',
      version: 'v1.3.0',
      previousVersion: 'v1.2.0',
      labels: { demo: 'broken-errors' },
    }),
  ).toBe(202);
  expect(
    await live.post({
      id: 'list-healthy-with-a-rather-long-identifier-from-some-ci-system-0123456789',
      service: 'a-service-with-a-long-name-for-the-table',
      environment: 'production-eu-west-1',
      version: '2026.11.29-build.4711+sha.9f2c1ab0f00d',
      labels: { demo: 'healthy' },
    }),
  ).toBe(202);
  expect(
    await live.post({
      id: 'list-evil',
      service: 'evil',
      environment: 'prod',
      version: '::error::pwned',
      labels: { demo: 'healthy', note: '::set-output name=evil::1' },
    }),
  ).toBe(202);
  await settled('list-broken');
});
afterAll(async () => {
  await live?.close();
});

describe('deploys list', () => {
  it('a table of the deploys, newest first, no line longer than 100 columns, nothing that moves the cursor', async () => {
    const io = captureIo(env);
    expect(await runDeploysList(target, io)).toBe(0);
    const lines = io.text().split('\n');
    expect(lines[0]).toMatch(/^ID +STATUS +SERVICE\/ENVIRONMENT +VERSION +STARTED$/);
    expect(lines[1]).toMatch(/^list-evil +watching|pass/);
    expect(lines.find((l) => l.startsWith('list-broken'))).toMatch(/^list-broken +fail P1 ↩ +demo-shop\/production +v1\.3\.0 +\d{4}-\d\d-\d\d \d\d:\d\dZ$/);
    expect(lines.at(-1)).toBe('(some values were cut to fit; --json prints them whole)');
    for (const line of lines) {
      expect(line.length).toBeLessThanOrEqual(100);
      // eslint-disable-next-line no-control-regex -- no control character may reach the terminal
      expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    }
  });

  it('--json is the API answer, filters pass through', async () => {
    const io = captureIo(env);
    expect(await runDeploysList({ ...target, status: 'fail', json: true }, io)).toBe(0);
    const parsed = JSON.parse(io.text()) as { deploys: Array<{ deploy: { id: string } }> };
    expect(parsed.deploys.map((d) => d.deploy.id)).toEqual(['list-broken']);
  });

  it('a full page ends with the cursor of the next one; --cursor walks the list without repeats', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 5; page++) {
      const io = captureIo(env);
      expect(await runDeploysList({ ...target, limit: '1', cursor }, io)).toBe(0);
      const lines = io.text().split('\n');
      // A page as long as the limit may be followed by an empty last one.
      if (lines[0] === 'no deploys match') break;
      seen.push(lines[1]!.split(' ')[0]!);
      const hint = /^next page: --cursor ([A-Za-z0-9_-]+)$/.exec(lines.at(-1)!);
      if (!hint) break;
      cursor = hint[1];
    }
    expect(seen).toHaveLength(3);
    expect(new Set(seen).size).toBe(3);
    expect(seen[0]).toBe('list-evil');
  });

  it('fits any width it is given, and says when nothing matches', () => {
    expect(formatDeployTable([])).toBe('no deploys match');
    expect(wrap('a bb ccc dddd', 6, 2)).toEqual(['a bb', '  ccc', '  dddd']);
  });
});

describe('deploys show', () => {
  it('the verdict with its reason, each finding with its condition and values, the actions and the review link, in 100 columns', async () => {
    const io = captureIo(env);
    expect(await runDeploysShow('list-broken', target, io)).toBe(0);
    const text = io.text();
    expect(text).toMatch(/^deploy list-broken\nservice {3}demo-shop \/ production\nversion {3}v1\.3\.0 \(was v1\.2\.0\)\n/);
    expect(text).toMatch(/^verdict {3}fail P1 ↩ — rollback: error-rate-spike \(P1\): error_rate/m);
    expect(text).toMatch(/^ {2}P1 error-rate-spike \(error_rate, breach\) at \+\d+m/m);
    expect(text).toMatch(/^ {4}condition ratio > 5 and value > 0\.01; observed 0\.0\d+, baseline 0\.00\d+$/m);
    expect(text).toMatch(/^ {2}rollback → demo-rollback: succeeded — rolled back demo-shop production from v1\.3\.0 to v1\.2\.0$/m);
    expect(text.split('\n').at(-1)).toBe(`ui        ${live.guard.url}/ui/deploys/list-broken`);
    for (const line of text.split('\n')) expect(line.length).toBeLessThanOrEqual(100);
  });

  it('hostile values are shown, not obeyed: no escape sequences, no new log lines a CI would parse as commands', async () => {
    const io = captureIo(env);
    await runDeploysShow('list-evil', target, io);
    const healthy = captureIo(env);
    await runDeploysShow('list-healthy-with-a-rather-long-identifier-from-some-ci-system-0123456789', target, healthy);
    const text = `${io.text()}\n${healthy.text()}`;
    expect(text).toContain('version   ::error::pwned');
    // eslint-disable-next-line no-control-regex -- no control character but the line breaks of the output itself
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    for (const line of text.split('\n')) {
      expect(line).not.toMatch(/^::/);
      // A link longer than the width gets a line of its own instead of being broken.
      if (!line.startsWith('http://')) expect(line.length).toBeLessThanOrEqual(100);
    }
    expect(healthy.text().split('\n').slice(-2)).toEqual([
      'ui',
      `${live.guard.url}/ui/deploys/list-healthy-with-a-rather-long-identifier-from-some-ci-system-0123456789`,
    ]);
  });

  it('values stored with control characters (by an older guard) are rendered inert', () => {
    const evil = 'v1\u001b[31mRED\u001b[0m\n::error::pwned';
    expect(printable(evil)).toBe('v1\ufffd[31mRED\ufffd[0m\ufffd::error::pwned');
  });

  it('an unknown id is exit 2 with how to find one', async () => {
    const io = captureIo(env);
    expect(await runDeploysShow('nope', target, io)).toBe(2);
    expect(io.errors).toEqual(['release-guard deploys show: no deploy with id nope; list them with: release-guard deploys list']);
  });
});
