// The CI recipes in deploy/ci/ run against a live guard: each recipe's shell steps with that CI's variables set as the CI
// sets them, the Argo CD / Spinnaker templates rendered as those tools render them, and Flux's signed event, sent to the guard.
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { CI_ENVIRONMENTS } from '../cli/ci-environments.js';
import { CLI_TOKEN, ROOT, startLiveGuard, TSX, type LiveGuard } from '../cli/live-guard.js';

const RECIPES = path.join(ROOT, 'deploy/ci');
let live: LiveGuard;
let bin: string;

beforeAll(async () => {
  live = await startLiveGuard();
  // `release-guard` on PATH, as `npm install --global release-guard` would put it (that install step is not run here).
  bin = path.join(live.dir, 'bin');
  await mkdir(bin);
  await writeFile(path.join(bin, 'release-guard'), `#!/bin/sh\nexec "${process.execPath}" --import "${TSX}" "${path.join(ROOT, 'src/cli/index.ts')}" "$@"\n`);
  await chmod(path.join(bin, 'release-guard'), 0o755);
});
afterAll(async () => {
  await live?.close();
});

function bash(args: string[], script: string, env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [...args, '-c', script], {
      cwd: live.dir,
      env: { PATH: `${bin}:${process.env.PATH ?? ''}`, HOME: process.env.HOME ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, out }));
  });
}

/** `${{ a.b }}` as GitHub evaluates it, from a context of dotted names. */
const githubExpr = (text: string, ctx: Record<string, string>) =>
  text.replace(/\$\{\{\s*([\w.-]+)\s*\}\}/g, (_m, name: string) => {
    if (!(name in ctx)) throw new Error(`recipe uses \${{ ${name} }}, which the test does not provide`);
    return ctx[name] as string;
  });

const lookup = (root: unknown, dotted: string): unknown => dotted.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], root);

/** Argo CD notification templates: `{{.a.b}}` path lookups (all the recipe uses). */
const goTemplate = (text: string, data: unknown) =>
  text.replace(/\{\{\s*\.([\w.]+)\s*\}\}/g, (_m, p: string) => {
    const v = lookup(data, p);
    if (typeof v !== 'string') throw new Error(`template path .${p} is not in the sample`);
    return v;
  });

/** Spinnaker SpEL as the recipe uses it: `${a.b}`, `${a['b']}`, `${#secret('name')}`. */
const spel = (text: string, data: unknown, secrets: Record<string, string>) =>
  text.replace(/\$\{([^}]+)\}/g, (_m, expr: string) => {
    const secret = /^#secret\('([^']+)'\)$/.exec(expr.trim());
    if (secret) return secrets[secret[1] as string] ?? '';
    const v = lookup(data, expr.trim().replace(/\['([^']+)'\]/g, '.$1'));
    if (typeof v !== 'string') throw new Error(`SpEL \${${expr}} is not in the sample`);
    return v;
  });

interface GithubStep {
  id?: string;
  name?: string;
  run?: string;
  env?: Record<string, string>;
}

describe('GitHub Actions recipe', () => {
  async function runGate(labels: string, attempt: string) {
    const wf = parse(await readFile(path.join(RECIPES, 'github-actions.yml'), 'utf8')) as {
      jobs: Record<string, { env: Record<string, string>; steps: GithubStep[] }>;
    };
    const job = wf.jobs.deploy!;
    const step = job.steps.find((s) => s.id === 'gate')!;
    const ctx = { 'vars.RELEASE_GUARD_URL': live.guard.url, 'secrets.RELEASE_GUARD_TOKEN': CLI_TOKEN, 'github.event.before': '0123456789abcdef0123' };
    const output = path.join(live.dir, `gh-output-${attempt}`);
    await writeFile(output, '');
    const env: Record<string, string> = {
      ...CI_ENVIRONMENTS['github-actions'],
      GITHUB_RUN_ATTEMPT: attempt,
      GITHUB_OUTPUT: output,
      ...Object.fromEntries(Object.entries({ ...job.env, ...step.env }).map(([k, v]) => [k, githubExpr(v, ctx)])),
      // Until the server verifies signed requests (#8), and the demo behaviour the guard should see:
      RELEASE_GUARD_AUTH: 'bearer',
      RELEASE_GUARD_LABELS: labels,
    };
    // GitHub runs `run:` with: bash --noprofile --norc -eo pipefail {0}
    const r = await bash(['--noprofile', '--norc', '-eo', 'pipefail'], githubExpr(step.run!, ctx), env);
    return { ...r, output: await readFile(output, 'utf8') };
  }

  it('a failing deploy stops the job with exit 1 and the reason in the log', async () => {
    const r = await runGate('demo=broken-errors', '1');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^posted: deploy checkout-[0-9a-f]{20} of checkout\/production ffac537e6cbb$/m);
    expect(r.out).toMatch(/^verdict: fail P1 — rollback: error-rate-spike/m);
    expect(r.output).toMatch(/^deploy-id=checkout-[0-9a-f]{20}\nreview-url=http:\/\/127\.0\.0\.1:\d+\/ui\/deploys\/checkout-[0-9a-f]{20}\n$/);
    const id = /deploy-id=(\S+)/.exec(r.output)![1]!;
    const view = (await (await fetch(`${live.guard.url}/v1/deploys/${id}`, { headers: { authorization: `Bearer ${CLI_TOKEN}` } })).json()) as {
      deploy: Record<string, unknown>;
    };
    expect(view.deploy).toMatchObject({
      previousVersion: '0123456789ab',
      commit: 'ffac537e6cbbf934b08745a378932722df287a53',
      links: { 'ci-run': 'https://github.com/octo-org/checkout/actions/runs/1658821493/attempts/1' },
      labels: { 'ci/provider': 'github-actions', 'ci/repository': 'octo-org/checkout', 'ci/actor': 'octocat', 'ci/ref': 'main', demo: 'broken-errors' },
    });
  }, 300_000);

  it('an inconclusive verdict lets the job go on with a warning annotation', async () => {
    const r = await runGate('demo=flaky-source', '2');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^verdict: inconclusive/m);
    expect(r.out).toMatch(/^::warning title=release-guard::inconclusive verdict; promoting anyway$/m);
  }, 300_000);
});

describe('GitLab CI recipe', () => {
  it('the gate job passes a healthy deploy; inconclusive (3) is allowed to fail, nothing else', async () => {
    const ci = parse(await readFile(path.join(RECIPES, 'gitlab-ci.yml'), 'utf8')) as Record<
      string,
      { stage?: string; script?: string[]; needs?: string[]; allow_failure?: { exit_codes: number[] } }
    >;
    const job = ci['release-guard']!;
    expect(job.allow_failure).toEqual({ exit_codes: [3] });
    expect(ci.promote?.needs).toEqual(['release-guard']);
    const env = {
      ...CI_ENVIRONMENTS['gitlab-ci'],
      CI_COMMIT_SHORT_SHA: '1ecfd275',
      RELEASE_GUARD_URL: live.guard.url,
      RELEASE_GUARD_TOKEN: CLI_TOKEN,
      RELEASE_GUARD_AUTH: 'bearer',
      RELEASE_GUARD_LABELS: 'demo=healthy',
    };
    // The runner runs the script lines in one shell that stops at the first failing line.
    const r = await bash(['-e'], job.script!.join('\n'), env);
    expect(r.out).toMatch(/^posted: deploy checkout-[0-9a-f]{20} of checkout\/production 1ecfd275$/m);
    expect(r.out).toMatch(/^verdict: pass/m);
    expect(r.code).toBe(0);
  }, 300_000);
});

describe('Argo CD notifications recipe', () => {
  it('on-deployed renders a body the guard accepts, with the token from the notifications secret', async () => {
    const [cm, secret] = (await readFile(path.join(RECIPES, 'argocd-notifications.yaml'), 'utf8'))
      .split(/^---$/m)
      .map((d) => parse(d) as { data?: Record<string, string>; stringData?: Record<string, string> });
    const data = cm!.data!;
    const service = parse(data['service.webhook.release-guard']!) as { url: string; headers: Array<{ name: string; value: string }> };
    const template = parse(data['template.release-guard-deploy']!) as { webhook: Record<string, { method: string; path: string; body: string }> };
    const trigger = parse(data['trigger.on-deployed']!) as Array<{ send: string[]; oncePer: string }>;
    expect(trigger[0]!.send).toEqual(['release-guard-deploy']);
    expect(Object.keys(template.webhook)).toEqual(['release-guard']);
    const hook = template.webhook['release-guard']!;
    const token = secret!.stringData!['release-guard-token']!;
    expect(token).toBeTruthy();
    const app = {
      metadata: { name: 'checkout' },
      spec: { project: 'payments', destination: { namespace: 'production' } },
      status: { operationState: { phase: 'Succeeded', syncResult: { revision: '9f2c1ab0f00d9f2c1ab0f00d9f2c1ab0f00d9f2c' } }, health: { status: 'Healthy' } },
    };
    const body = goTemplate(hook.body, { app, context: { argocdUrl: 'https://argocd.example.com' } });
    // argocd-notifications substitutes $<key> from its secret in service settings; the guard's token is the CI token here.
    const headers = Object.fromEntries(service.headers.map((h) => [h.name, h.value.replace('$release-guard-token', CLI_TOKEN)]));
    const res = await fetch(`${live.guard.url}${hook.path}`, { method: hook.method, headers, body });
    expect(res.status).toBe(202);
    const view = (await res.json()) as { deploy: Record<string, unknown> };
    expect(view.deploy).toMatchObject({
      id: 'argocd-checkout-9f2c1ab0f00d9f2c1ab0f00d9f2c1ab0f00d9f2c',
      service: 'checkout',
      environment: 'production',
      version: '9f2c1ab0f00d9f2c1ab0f00d9f2c1ab0f00d9f2c',
      links: { argocd: 'https://argocd.example.com/applications/checkout' },
      labels: { 'argocd/project': 'payments' },
    });
  });
});

describe('Spinnaker webhook stages recipe', () => {
  it('the first stage posts the deploy; the second polls it and maps the guard’s statuses to success / terminal', async () => {
    const recipe = JSON.parse(await readFile(path.join(RECIPES, 'spinnaker-webhook-stages.json'), 'utf8')) as { stages: Array<Record<string, unknown>> };
    const [post, gate] = recipe.stages as [Record<string, unknown>, Record<string, unknown>];
    expect(gate.requisiteStageRefIds).toEqual([post.refId]);
    const execution = {
      execution: { id: '01JDX7Q9', application: 'demo-shop', name: 'deploy-prod' },
      parameters: { environment: 'production' },
      trigger: { tag: 'v4.0.0' },
    };
    const secrets = { 'release-guard-token': CLI_TOKEN };
    const render = (v: unknown) => JSON.parse(spel(JSON.stringify(v), execution, secrets)) as Record<string, string>;
    const base = (u: unknown) => String(u).replace('https://release-guard.example.com', live.guard.url);
    const payload = {
      ...render(post.payload),
      labels: { ...(render(post.payload) as unknown as { labels: Record<string, string> }).labels, demo: 'broken-errors' },
    };
    const res = await fetch(spel(base(post.url), execution, secrets), {
      method: String(post.method),
      headers: render(post.customHeaders),
      body: JSON.stringify(payload),
    });
    expect(res.status).toBe(202);
    // Stage 2 as Orca runs it: GET the URL until $.watch.status is a success or terminal status.
    const success = String(gate.successStatuses).split(',');
    const terminal = String(gate.terminalStatuses).split(',');
    expect(gate.statusJsonPath).toBe('$.watch.status');
    let status = 'watching';
    for (let i = 0; i < 300 && !success.includes(status) && !terminal.includes(status); i++) {
      await new Promise((r) => setTimeout(r, 100));
      const answer = (await (await fetch(spel(base(gate.url), execution, secrets), { headers: render(gate.customHeaders) })).json()) as {
        watch: { status: string };
      };
      status = answer.watch.status;
    }
    expect(status).toBe('fail');
    expect(terminal).toEqual(['fail', 'inconclusive', 'superseded', 'stopped']);
    expect(success).toEqual(['pass']);
  });
});

describe('Flux notification recipe', () => {
  it('the Provider posts, signed with the Secret’s token, an event the guard turns into a deploy named by the Alert’s metadata', async () => {
    const [secret, provider, alert] = parseAllDocuments(await readFile(path.join(RECIPES, 'flux-notification.yaml'), 'utf8')).map(
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed manifests
      (d) => d.toJS() as Record<string, any>,
    );
    expect(provider!.spec.type).toBe('generic-hmac');
    expect(provider!.spec.secretRef.name).toBe(secret!.metadata.name);
    expect(alert!.spec.providerRef.name).toBe(provider!.metadata.name);
    expect(secret!.stringData.token).toBeTruthy();
    // The event as notification-controller forwards it: the controller's metadata plus the Alert's eventMetadata.
    const event = {
      involvedObject: { kind: alert!.spec.eventSources[0].kind, namespace: 'flux-system', name: alert!.spec.eventSources[0].name },
      severity: 'info',
      timestamp: new Date().toISOString(),
      message: 'Reconciliation finished in 1.2s, next run in 10m0s',
      reason: 'ReconciliationSucceeded',
      metadata: { 'kustomize.toolkit.fluxcd.io/revision': 'main@sha1:8d8f4b1ba3b2d0a1f63a1e8ec0a2c6f93c1b2a4e', ...alert!.spec.eventMetadata },
      reportingController: 'kustomize-controller',
    };
    const body = JSON.stringify(event);
    // generic-hmac: X-Signature: sha256=<hex HMAC-SHA256 of the body keyed with the secret's token> (the guard's CI token here).
    const signature = `sha256=${createHmac('sha256', CLI_TOKEN).update(body).digest('hex')}`;
    const url = String(provider!.spec.address).replace('https://release-guard.example.com', live.guard.url);
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-signature': signature }, body });
    expect(res.status).toBe(202);
    const view = (await res.json()) as { deploy: Record<string, unknown> };
    expect(view.deploy).toMatchObject({
      id: 'flux-kustomization-flux-system-checkout-8d8f4b1ba3b2d0a1f63a1e8ec0a2c6f93c1b2a4e',
      service: 'checkout',
      environment: 'production',
      version: 'main@sha1:8d8f4b1ba3b2d0a1f63a1e8ec0a2c6f93c1b2a4e',
      commit: '8d8f4b1ba3b2d0a1f63a1e8ec0a2c6f93c1b2a4e',
    });
  });
});
