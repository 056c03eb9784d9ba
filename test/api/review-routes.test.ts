// The review API over a real guard: SRE actions (exactly-once rollback), feedback and rule quality, sessions,
// rules, backtest, deployment log and charts — and that every read needs a token and every write the admin token.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, CI, startReviewRig, VIEWER, type ReviewRig } from '../e2e/review-rig.js';

let rig: ReviewRig;
beforeAll(async () => {
  rig = await startReviewRig();
});
afterAll(async () => {
  await rig?.close();
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}`, 'content-type': 'application/json' });
const post = (p: string, body: unknown, headers: Record<string, string> = bearer(ADMIN)) =>
  fetch(`${rig.url}${p}`, { method: 'POST', headers, body: JSON.stringify(body) });
const getJson = async <T>(p: string, token = VIEWER): Promise<T> => {
  const res = await fetch(`${rig.url}${p}`, { headers: bearer(token) });
  expect(res.status, `${p}: ${res.status}`).toBe(200);
  return (await res.json()) as T;
};

/** Appended to demo-shop.yaml: fails any error rate above 0.2% (the healthy demo runs at about 0.45%). */
const TIGHTER = `
rules:
  - name: error-rate-ceiling
    metric: error_rate
    severity: P1
    when: value > 0.002
`;

describe('reads', () => {
  it('need a token: none → 401; viewer, CI and admin tokens read', async () => {
    for (const p of [
      '/v1/deploys',
      `/v1/deploys/${rig.ids.broken}`,
      `/v1/deploys/${rig.ids.broken}/charts`,
      `/v1/deploys/${rig.ids.broken}/log.md`,
      '/v1/rules?service=demo-shop',
      '/v1/rules/quality',
      '/v1/openapi.json',
      '/v1/events',
    ]) {
      expect((await fetch(`${rig.url}${p}`)).status, p).toBe(401);
    }
    for (const token of [VIEWER, CI, ADMIN]) expect((await getJson<{ deploys: unknown[] }>('/v1/deploys', token)).deploys).toHaveLength(2);
  });

  it('charts each judged metric with the baseline band, thresholds, the established minute and the rollback', async () => {
    const view = await rig.get(rig.ids.broken);
    const charts = await getJson<{
      rollbackAt: number;
      metrics: Array<{
        metric: string;
        points: unknown[];
        band: { median: number } | null;
        thresholds: Array<{ rule: string; value: number }>;
        established: Array<{ rule: string; at: number }>;
      }>;
    }>(`/v1/deploys/${rig.ids.broken}/charts`);
    expect(charts.rollbackAt).toBe(view.verdict?.rollbackAt);
    const errorRate = charts.metrics.find((m) => m.metric === 'error_rate');
    expect(errorRate?.points.length).toBeGreaterThan(60);
    expect(errorRate?.established).toEqual([{ rule: 'error-rate-spike', at: view.findings[0]?.at, severity: 'P1' }]);
    expect(errorRate?.band?.median).toBeCloseTo(view.findings[0]?.evidence?.baseline?.median ?? -1, 9);
    // ratio > 5 over the baseline, and value > 0.01.
    expect(errorRate?.thresholds.find((t) => t.rule === 'error-rate-spike' && t.value === 0.01)).toBeDefined();
    expect(errorRate?.thresholds.find((t) => t.rule === 'error-rate-spike' && t.value !== 0.01)?.value).toBeCloseTo(5 * (errorRate?.band?.median ?? 0), 9);
  });

  it('shows the effective rules with the file each came from', async () => {
    const r = await getJson<{ files: string[]; rules: Array<{ name: string; file: string }>; hooks: Array<{ name: string }> }>(
      '/v1/rules?service=demo-shop&environment=production',
    );
    expect(r.files.map((f) => path.basename(f))).toEqual(['default.yaml', 'demo-shop.yaml']);
    expect(path.basename(r.rules.find((x) => x.name === 'error-rate-spike')?.file ?? '')).toBe('default.yaml');
    expect(r.hooks).toEqual([{ name: 'demo-rollback', type: 'exec' }]);
    expect((await fetch(`${rig.url}/v1/rules?service=${encodeURIComponent('a/b')}`, { headers: bearer(VIEWER) })).status).toBe(400);
  });
});

describe('actions', () => {
  it('are refused without the admin token (401 none, 403 viewer and CI)', async () => {
    const body = { action: 'acknowledge', reason: 'looking' };
    expect((await post(`/v1/deploys/${rig.ids.broken}/actions`, body, { 'content-type': 'application/json' })).status).toBe(401);
    expect((await post(`/v1/deploys/${rig.ids.broken}/actions`, body, bearer(VIEWER))).status).toBe(403);
    expect((await post(`/v1/deploys/${rig.ids.broken}/actions`, body, bearer(CI))).status).toBe(403);
    expect((await rig.get(rig.ids.broken)).reviewActions).toEqual([]);
  });

  it('records acknowledge and note with who and why, shown on the deploy', async () => {
    const ack = await post(`/v1/deploys/${rig.ids.broken}/actions`, { action: 'acknowledge', reason: 'on it', by: 'alice' });
    expect(ack.status).toBe(201);
    await post(`/v1/deploys/${rig.ids.broken}/actions`, { action: 'note', reason: 'bad config in v1.3.0' });
    const view = await rig.get(rig.ids.broken);
    expect((view.reviewActions as Array<{ action: string; actor: string; reason: string }>).map((a) => [a.action, a.actor, a.reason])).toEqual([
      ['acknowledge', 'alice', 'on it'],
      ['note', 'admin', 'bad config in v1.3.0'],
    ]);
    const log = await (await fetch(`${rig.url}/v1/deploys/${rig.ids.broken}/log.md`, { headers: bearer(VIEWER) })).text();
    expect(log).toContain('## Deployment: v1.3.0');
    expect(log).toMatch(/acknowledge by alice: on it/);
    expect(log).toContain('- [x] Rolled back');
  });

  it('answers 400 for a bad body, 404 for an unknown deploy, 409 to stop or extend a closed watch', async () => {
    expect((await post(`/v1/deploys/${rig.ids.broken}/actions`, { action: 'explode', reason: 'x' })).status).toBe(400);
    expect((await post(`/v1/deploys/${rig.ids.broken}/actions`, { action: 'note', reason: '' })).status).toBe(400);
    expect((await post('/v1/deploys/nope/actions', { action: 'note', reason: 'x' })).status).toBe(404);
    expect((await post(`/v1/deploys/${rig.ids.broken}/actions`, { action: 'stop', reason: 'x' })).status).toBe(409);
    expect((await post(`/v1/deploys/${rig.ids.broken}/actions`, { action: 'extend', reason: 'x' })).status).toBe(409);
  });

  it('rolls back through the exactly-once hook path: an automatic rollback is not run again, a manual one runs once', async () => {
    const rollbacks = async (id: string) => ((await rig.get(id)).deliveries as Array<{ event: string; status: string }>).filter((d) => d.event === 'rollback');
    expect(await rollbacks(rig.ids.broken)).toHaveLength(1);
    const again = await post(`/v1/deploys/${rig.ids.broken}/actions`, { action: 'rollback', reason: 'make sure' });
    expect(((await again.json()) as { action: { outcome: string } }).action.outcome).toMatch(/already triggered before; not run again/);
    expect(await rollbacks(rig.ids.broken)).toHaveLength(1);

    expect(await rollbacks(rig.ids.healthy)).toHaveLength(0);
    for (let i = 0; i < 2; i++)
      expect((await post(`/v1/deploys/${rig.ids.healthy}/actions`, { action: 'rollback', reason: 'customer reports' })).status).toBe(201);
    const hooks = await rollbacks(rig.ids.healthy);
    expect(hooks).toHaveLength(1);
    expect(hooks[0]?.status).toBe('delivered');
  });

  it('a manual rollback starts the same recovery check as an automatic one, once', async () => {
    type Recovery = { deployId: string; status: string; rolledBackAt: number; windowEnd: number; rules: string[] } | null;
    const automatic = (await rig.get(rig.ids.broken)).recovery as Recovery;
    expect(automatic).toMatchObject({ deployId: rig.ids.broken, rules: ['error-rate-spike'] });
    expect(automatic!.windowEnd - automatic!.rolledBackAt).toBe(600);
    // The broken deploy was rolled back automatically; a manual rollback again keeps its check as it was.
    await post(`/v1/deploys/${rig.ids.broken}/actions`, { action: 'rollback', reason: 'again' });
    expect(((await rig.get(rig.ids.broken)).recovery as Recovery)?.rolledBackAt).toBe(automatic!.rolledBackAt);
    // The healthy deploy was rolled back by hand (previous test): it has its check too, with nothing to clear.
    const healthy = await rig.get(rig.ids.healthy);
    const manual = healthy.recovery as Recovery;
    expect(manual).toMatchObject({ deployId: rig.ids.healthy, rules: [] });
    expect(manual!.rolledBackAt).toBeGreaterThanOrEqual(healthy.deploy.startedAt);
    expect(manual!.windowEnd - manual!.rolledBackAt).toBe(600);
    expect(['checking', 'recovered']).toContain(manual!.status);
  });
});

describe('feedback and rule quality', () => {
  const precision = async () =>
    (
      await getJson<{ rules: Array<{ rule: string; precision: number | null; falseAlarm: number; correct: number; fired: number }> }>(
        '/v1/rules/quality?since=30d',
      )
    ).rules.find((r) => r.rule === 'error-rate-spike');

  it('a false alarm names a rule that fired; marking moves the rule precision', async () => {
    expect((await post(`/v1/deploys/${rig.ids.broken}/feedback`, { label: 'false-alarm', note: 'x' })).status).toBe(400);
    expect((await post(`/v1/deploys/${rig.ids.broken}/feedback`, { label: 'false-alarm', rule: 'latency-regression', note: 'x' })).status).toBe(400);
    expect((await post(`/v1/deploys/${rig.ids.broken}/feedback`, { label: 'correct', note: 'x' }, bearer(VIEWER))).status).toBe(403);
    expect(await precision()).toMatchObject({ fired: 1, precision: null });
    expect((await post(`/v1/deploys/${rig.ids.broken}/feedback`, { label: 'correct', note: 'real regression' })).status).toBe(201);
    expect(await precision()).toMatchObject({ correct: 1, falseAlarm: 0, precision: 1 });
    expect((await post(`/v1/deploys/${rig.ids.broken}/feedback`, { label: 'false-alarm', rule: 'error-rate-spike', note: 'load test traffic' })).status).toBe(
      201,
    );
    expect(await precision()).toMatchObject({ correct: 0, falseAlarm: 1, precision: 0 });
    expect(((await rig.get(rig.ids.broken)).feedback as unknown[]).length).toBe(2);
  });
});

describe('backtest', () => {
  it('shows the healthy deploy turning to fail under a tightened rule, without writing the file', async () => {
    const file = path.join(rig.rulesDir, 'demo-shop.yaml');
    const before = readFileSync(file, 'utf8');
    const res = await post('/v1/backtest', { file: 'demo-shop.yaml', text: before + TIGHTER, since: '1d' });
    expect(res.status).toBe(200);
    const r = (await res.json()) as {
      judged: number;
      changed: Array<{ deployId: string; current: { verdict: string }; candidate: { verdict: string; rules: string[] }; changes: string[] }>;
    };
    expect(r.judged).toBe(2);
    const healthy = r.changed.find((c) => c.deployId === rig.ids.healthy);
    expect(healthy).toMatchObject({ current: { verdict: 'pass' }, candidate: { verdict: 'fail' } });
    expect(healthy?.changes).toContain('verdict');
    expect(healthy?.candidate.rules).toContain('error-rate-ceiling');
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  it('answers rule problems with file:line:column, and needs the admin token', async () => {
    const res = await post('/v1/backtest', {
      file: 'demo-shop.yaml',
      text: 'version: 1\nmatch:\n  service: demo-shop\nrules:\n  - name: Bad Name\n    metric: error_rate\n    severity: P9\n    when: value > 1\n',
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { problems: Array<{ line: number; column: number; path: string }> };
    expect(body.problems.map((p) => [p.path, p.line])).toEqual(
      expect.arrayContaining([
        ['rules[0].name', 5],
        ['rules[0].severity', 7],
      ]),
    );
    expect((await post('/v1/backtest', { file: '../etc/passwd.yaml', text: 'x' })).status).toBe(400);
    expect((await post('/v1/backtest', { file: 'demo-shop.yaml', text: 'x' }, bearer(VIEWER))).status).toBe(403);
  });
});

describe('sessions', () => {
  const login = (token: string, headers: Record<string, string> = {}) =>
    fetch(`${rig.url}/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ token, name: 'carol' }),
    });
  const cookieOf = (res: Response) => (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';

  it('logging in sets a signed HttpOnly SameSite=Strict cookie with an expiry; tampering and logout end it', async () => {
    expect((await login('wrong')).status).toBe(401);
    const res = await login(VIEWER);
    expect(res.status).toBe(200);
    const setCookie = res.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/^rg_session=[^;]+; Max-Age=43200; Path=\/; Expires=[^;]+; HttpOnly; SameSite=Strict$/);
    expect(setCookie).not.toContain(VIEWER);
    const cookie = cookieOf(res);
    const me = await fetch(`${rig.url}/v1/session`, { headers: { cookie } });
    expect(await me.json()).toMatchObject({ role: 'viewer', name: 'carol' });
    expect((await fetch(`${rig.url}/v1/deploys`, { headers: { cookie } })).status).toBe(200);
    expect((await post(`/v1/deploys/${rig.ids.broken}/actions`, { action: 'note', reason: 'x' }, { cookie, 'content-type': 'application/json' })).status).toBe(
      403,
    );
    const forged = cookie.replace(/\.([0-9a-f])/, (_m, c: string) => `.${c === '0' ? '1' : '0'}`);
    expect((await fetch(`${rig.url}/v1/session`, { headers: { cookie: forged } })).status).toBe(401);
    const out = await fetch(`${rig.url}/v1/session`, { method: 'DELETE', headers: { cookie } });
    expect(out.headers.get('set-cookie')).toMatch(/^rg_session=; Path=\/; Expires=Thu, 01 Jan 1970/);
  });

  it("an admin session acts from the guard's own pages only", async () => {
    const cookie = cookieOf(await login(ADMIN));
    const own = await post(
      `/v1/deploys/${rig.ids.broken}/actions`,
      { action: 'note', reason: 'from the UI' },
      { cookie, 'content-type': 'application/json', origin: rig.url },
    );
    expect(own.status).toBe(201);
    expect(((await own.json()) as { action: { actor: string } }).action.actor).toBe('carol');
    const cross = await post(
      `/v1/deploys/${rig.ids.broken}/actions`,
      { action: 'note', reason: 'csrf' },
      { cookie, 'content-type': 'application/json', origin: 'https://evil.example' },
    );
    expect(cross.status).toBe(403);
  });
});
