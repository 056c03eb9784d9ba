// The review UI in a real Chromium (playwright-core + Debian's chromium) against a real guard: the three workflows
// (paged, after the incident, tuning), live list updates, a hostile service name, and screenshots for the README.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildUi } from '../../scripts/build-ui.js';
import { openStore } from '../../src/store/open.js';
import { ADMIN, CI, ROOT, startReviewRig, VIEWER, waitFor, XSS, type ReviewRig } from './review-rig.js';

// The README's pictures are refreshed only on request (RG_UPDATE_SCREENSHOTS=1), so a test run leaves the clone clean.
const SHOTS = process.env.RG_UPDATE_SCREENSHOTS === '1' ? path.join(ROOT, 'docs/screenshots') : path.join(tmpdir(), `rg-e2e-shots-${process.pid}`);
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const TIGHTER = '\nrules:\n  - name: error-rate-ceiling\n    metric: error_rate\n    severity: P1\n    when: value > 0.002\n';

let rig: ReviewRig;
let profile: string;
let browser: BrowserContext;
let page: Page;
const dialogs: string[] = [];
const foreignRequests: string[] = [];
const cspErrors: string[] = [];
let jsGzipBytes = 0;

beforeAll(async () => {
  ({ jsGzipBytes } = await buildUi());
  rig = await startReviewRig();
  // A hostile service name can only arrive through the store (intake refuses it): put one there directly.
  const store = await openStore({ kind: 'sqlite' }, { dataDir: rig.dataDir });
  const now = Date.now() / 1000;
  await store.createDeploy(
    {
      id: 'xss-1',
      service: XSS,
      environment: 'production',
      version: '"><script>alert(3)</script>',
      startedAt: Math.floor(now) - 60,
      labels: { x: XSS },
      links: { evil: 'javascript:alert(4)' },
      origin: 'api',
      receivedAt: now,
    },
    { status: 'stopped', source: 'demo', timeScale: 1, windowEnd: now, interval: 60, evaluatedAt: null, supersededBy: null, reason: XSS },
  );
  await store.close();
  profile = mkdtempSync(path.join(tmpdir(), 'rg-chromium-'));
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    args: FLAGS,
    headless: true,
    viewport: { width: 1280, height: 800 },
  });
  page = browser.pages()[0] ?? (await browser.newPage());
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.accept();
  });
  page.on('request', (r) => {
    if (!r.url().startsWith(rig.url)) foreignRequests.push(r.url());
  });
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) cspErrors.push(m.text());
  });
  mkdirSync(SHOTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
  await rig?.close();
});

async function login(token: string, name: string): Promise<void> {
  await page.locator('#login-token').fill(token);
  await page.locator('#login-name').fill(name);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.locator('#who').getByText(name).waitFor();
}

describe('review UI in Chromium', () => {
  it('bundles the front end small: JS under 200 KB gzip', () => {
    expect(jsGzipBytes).toBeGreaterThan(10_000);
    expect(jsGzipBytes).toBeLessThan(200 * 1024);
  });

  it('paged: the link lands on the deploy page with charts, findings and actions; acknowledge and note reach the timeline', async () => {
    await page.goto(`${rig.url}/ui/deploys/${rig.ids.broken}`);
    await login(ADMIN, 'oncall-olga');
    await page.locator('#status').getByText('fail').waitFor();
    const chart = page.locator('figure[data-metric="error_rate"]');
    expect(Number(await chart.getAttribute('data-points'))).toBeGreaterThan(60);
    expect(await chart.locator('canvas').count()).toBe(1);
    const view = await rig.get(rig.ids.broken);
    const finding = view.findings[0];
    expect(finding?.rule).toBe('error-rate-spike');
    expect(await page.locator('[data-observed="error-rate-spike"]').textContent()).toBe(String(Math.round((finding?.observed ?? 0) * 10000) / 10000));
    await expect(page.locator('table').filter({ hasText: 'demo-rollback' }).count()).resolves.toBeGreaterThan(0);
    // Every delivery attempt: in the API, in the deliveries table and in the timeline.
    const hook = view.actions.find((a) => a.kind === 'rollback' && a.target === 'demo-rollback');
    expect(hook?.attempts.map((t) => [t.attempt, t.outcome, t.httpStatus])).toEqual([[1, 'delivered', null]]);
    await page.locator('ol.attempts li[data-attempt="1"]').first().waitFor();
    await page
      .locator('ol.timeline')
      .getByText(/rollback → demo-rollback: delivered, [\d.,]+ ms/)
      .waitFor();
    await page
      .locator('#recovery')
      .getByText(/Recovery check: (checking|recovered|not-recovered)/)
      .waitFor();

    await page.getByLabel('reason').fill('paged, looking');
    await page.locator('button[data-action="acknowledge"]').click();
    await page.locator('ol.timeline').getByText('oncall-olga: paged, looking').waitFor();
    await page.getByLabel('reason').fill('error spike matches the config change');
    await page.locator('button[data-action="note"]').click();
    await page.locator('ol.timeline').getByText('error spike matches the config change').waitFor();
    await page.mouse.wheel(0, -10_000);
    await page.screenshot({ path: path.join(SHOTS, 'deploy.png') });
    expect(((await rig.get(rig.ids.broken)).reviewActions as Array<{ action: string }>).map((a) => a.action)).toEqual(['acknowledge', 'note']);
  });

  it('without the admin token an action is refused and nothing is recorded', async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await login(VIEWER, 'viewer-vic');
    await page.goto(`${rig.url}/ui/deploys/${rig.ids.broken}`);
    await page.getByLabel('reason').fill('should not work');
    await page.locator('button[data-action="acknowledge"]').click();
    await page
      .locator('.error[role="alert"]')
      .getByText(/403 forbidden/)
      .waitFor();
    expect(((await rig.get(rig.ids.broken)).reviewActions as unknown[]).length).toBe(2);
    await page.getByRole('button', { name: 'Log out' }).click();
    await login(ADMIN, 'sre-sam');
  });

  it('after the incident: marking a false alarm is shown on the deploy and moves the rule precision', async () => {
    await page.goto(`${rig.url}/ui/quality?since=30d`);
    const precision = page.locator('[data-precision="error-rate-spike"]');
    expect(await precision.textContent()).toBe('–');
    await page.goto(`${rig.url}/ui/deploys/${rig.ids.broken}`);
    await page.getByLabel('verdict label').selectOption('false-alarm');
    await page.getByLabel('rule', { exact: true }).selectOption('error-rate-spike');
    await page.getByLabel('feedback note').fill('load test, not a regression');
    await page.getByRole('button', { name: 'Mark verdict' }).click();
    await page.locator('table').filter({ hasText: 'Feedback' }).getByText('load test, not a regression').waitFor();
    await page.goto(`${rig.url}/ui/quality?since=30d`);
    await expect(precision.textContent()).resolves.toBe('0%');
  });

  it('tuning: rules page names the files; a tightened rule turns the healthy deploy to fail in the backtest', async () => {
    await page.goto(`${rig.url}/ui/rules?service=demo-shop&environment=production`);
    await page.getByRole('cell', { name: 'error-rate-spike' }).waitFor();
    expect(await page.locator('tr').filter({ hasText: 'error-rate-spike' }).textContent()).toContain('default.yaml');

    await page.goto(`${rig.url}/ui/backtest`);
    await page.locator('input[name="file"]').fill('demo-shop.yaml');
    await page
      .getByLabel('rule file')
      .fill('version: 1\nmatch:\n  service: demo-shop\nrules:\n  - name: Bad\n    metric: error_rate\n    severity: P1\n    when: value > 1\n');
    await page.getByRole('button', { name: 'Run backtest' }).click();
    await page
      .locator('#rule-problems')
      .getByText(/demo-shop\.yaml:5:\d+: rules\[0\]\.name/)
      .waitFor();

    const original = readFileSync(path.join(rig.rulesDir, 'demo-shop.yaml'), 'utf8');
    await page.getByLabel('rule file').fill(original + TIGHTER);
    await page.getByRole('button', { name: 'Run backtest' }).click();
    const row = page.locator('#backtest-result tr').filter({ hasText: rig.ids.healthy });
    await row.waitFor();
    expect(await row.textContent()).toMatch(/pass.*fail P1/);
    await page.screenshot({ path: path.join(SHOTS, 'backtest.png') });
    expect(readFileSync(path.join(rig.rulesDir, 'demo-shop.yaml'), 'utf8')).toBe(original);
  });

  it('the list filters and updates live; a hostile service name renders as text and runs nothing', async () => {
    await page.goto(`${rig.url}/ui`);
    await page.getByRole('cell', { name: XSS, exact: true }).waitFor();
    expect(await page.locator('main img, main script').count()).toBe(0);
    await page.getByRole('link', { name: 'xss-1' }).click();
    await page.getByText(XSS).first().waitFor();
    expect(await page.locator('main img, main script').count()).toBe(0);
    expect(await page.locator('a[href^="javascript"]').count()).toBe(0);

    await page.goto(`${rig.url}/ui`);
    await page.locator('.live').getByText('live').waitFor();
    const res = await fetch(`${rig.url}/v1/deploys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${CI}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'live-1', service: 'search', environment: 'staging', version: 'v9' }),
    });
    expect(res.status).toBe(202);
    await page.getByRole('link', { name: 'live-1' }).waitFor({ timeout: 15_000 });
    await page.screenshot({ path: path.join(SHOTS, 'list.png') });

    await page.locator('select[name="status"]').selectOption('fail');
    await page.getByRole('button', { name: 'Filter' }).click();
    await waitFor('filtered list', async () => (await page.locator('tbody tr').count()) === 1);
    expect(await page.locator('tbody tr').textContent()).toContain(rig.ids.broken);

    expect(dialogs).toEqual([]);
    expect(foreignRequests).toEqual([]);
    expect(cspErrors).toEqual([]);
  });
});
