// deploy/: the Kubernetes manifests, the compose demo and the systemd unit parse, reference only files and keys that
// exist, assemble rules the guard accepts, and the unit's ExecStart runs the built entry point.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { loadConfig } from '../../src/config/load.js';
import { checkRules } from '../../src/rules/check.js';
import { buildCli } from '../../scripts/build.js';
import { freePort } from '../integration/guard-process.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const K8S = path.join(ROOT, 'deploy/kubernetes');
const COMPOSE = path.join(ROOT, 'deploy/compose');
const tmp: string[] = [];
afterAll(async () => {
  for (const dir of tmp) await rm(dir, { recursive: true, force: true });
});
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'rg-deploy-'));
  tmp.push(dir);
  return dir;
}

/** Writes a rules directory as the deploy files assemble it: default.yaml + the Prometheus queries (+ extra files). */
async function assembledRules(extra: Record<string, string> = {}): Promise<string> {
  const dir = await tempDir();
  const text = (await readFile(path.join(ROOT, 'rules/default.yaml'), 'utf8')) + (await readFile(path.join(ROOT, 'rules/examples/prometheus.yaml'), 'utf8'));
  await writeFile(path.join(dir, 'default.yaml'), text);
  for (const [name, content] of Object.entries(extra)) await writeFile(path.join(dir, name), content);
  return dir;
}

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- walking parsed manifests

describe('Kubernetes manifests', () => {
  it('every resource and generated file exists, and every document parses', async () => {
    const k = parse(await readFile(path.join(K8S, 'kustomization.yaml'), 'utf8')) as Obj;
    for (const r of k.resources as string[]) expect(existsSync(path.join(K8S, r)), r).toBe(true);
    for (const g of k.configMapGenerator as Obj[]) for (const f of g.files as string[]) expect(existsSync(path.join(K8S, f.split('=')[1] ?? f)), f).toBe(true);
    for (const r of k.resources as string[]) for (const doc of parseAllDocuments(await readFile(path.join(K8S, r), 'utf8'))) expect(doc.errors).toEqual([]);
  });

  it('the Deployment references only volumes, config keys, ports and claims that exist; probes, non-root, limits', async () => {
    const k = parse(await readFile(path.join(K8S, 'kustomization.yaml'), 'utf8')) as Obj;
    const generated = new Map<string, string[]>(
      (k.configMapGenerator as Obj[]).map((g) => [g.name as string, (g.files as string[]).map((f) => f.split('=')[0] as string)]),
    );
    const docs = parseAllDocuments(await readFile(path.join(K8S, 'release-guard.yaml'), 'utf8')).map((d) => d.toJS() as Obj);
    const deployment = docs.find((d) => d.kind === 'Deployment')!;
    const pvc = docs.find((d) => d.kind === 'PersistentVolumeClaim')!;
    const service = docs.find((d) => d.kind === 'Service')!;
    const pod = deployment.spec.template.spec as Obj;
    expect(deployment.spec.strategy.type).toBe('Recreate');
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
    // The image's user is uid 1000 (`node` in the node image).
    expect(await readFile(path.join(ROOT, 'Dockerfile'), 'utf8')).toMatch(/^USER node$/m);
    const volumes = new Map<string, Obj>((pod.volumes as Obj[]).map((v) => [v.name as string, v]));
    for (const v of volumes.values()) {
      if (v.configMap) expect(generated.has(v.configMap.name), v.configMap.name).toBe(true);
      if (v.persistentVolumeClaim) expect(v.persistentVolumeClaim.claimName).toBe(pvc.metadata.name);
    }
    const containers = [...(pod.initContainers as Obj[]), ...(pod.containers as Obj[])];
    for (const c of containers) {
      for (const m of c.volumeMounts as Obj[]) {
        const v = volumes.get(m.name);
        expect(v, `${c.name} mounts ${m.name}`).toBeDefined();
        if (m.subPath) expect(generated.get(v!.configMap.name)).toContain(m.subPath);
      }
      expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
      expect(c.resources.limits.cpu).toBeTruthy();
      expect(c.resources.limits.memory).toBeTruthy();
    }
    // The init container reads the rules ConfigMap's keys.
    const init = (pod.initContainers as Obj[])[0]!;
    for (const key of generated.get('release-guard-rules')!) expect(init.command.join(' ')).toContain(`/rules-src/${key}`);
    const guard = (pod.containers as Obj[])[0]!;
    const ports = (guard.ports as Obj[]).map((p) => p.name);
    expect(guard.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(guard.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(ports).toContain('http');
    expect(service.spec.ports[0].targetPort).toBe('http');
    expect(service.spec.selector).toEqual(deployment.spec.selector.matchLabels);
    // Secret references: the keys the kustomization tells you to create.
    const howToCreate = await readFile(path.join(K8S, 'kustomization.yaml'), 'utf8');
    for (const e of guard.env as Obj[]) {
      const ref = e.valueFrom.secretKeyRef as Obj;
      expect(howToCreate).toContain(`create secret generic ${ref.name}`);
      expect(howToCreate).toContain(`--from-literal=${ref.key}=`);
    }
    // The config file in the ConfigMap is valid, and agrees with the mounts and the port.
    const config = loadConfig({ file: path.join(K8S, 'release-guard.config.yaml'), env: {} }).config;
    const mountOf = (name: string) => (guard.volumeMounts as Obj[]).find((m) => m.name === name)!.mountPath;
    expect(config.dataDir).toBe(mountOf('data'));
    expect(config.rulesDir).toBe(mountOf('rules'));
    expect(guard.args).toEqual(['serve', '--config', mountOf('config')]);
    expect(guard.ports[0].containerPort).toBe(config.port);
    expect(config.defaultSource).toBe('prometheus');
  });

  it('the rules the init container assembles are valid', async () => {
    const r = await checkRules(await assembledRules());
    expect(r.report).toContain('error-rate-spike');
    expect(r.ok).toBe(true);
  });
});

describe('docker compose demo', () => {
  it('mounts only files that exist; its guard config and assembled rules are valid; Prometheus config checks', async () => {
    const c = parse(await readFile(path.join(COMPOSE, 'docker-compose.yml'), 'utf8')) as Obj;
    expect(Object.keys(c.services)).toEqual(['guard', 'prometheus', 'sample']);
    expect(existsSync(path.join(COMPOSE, c.services.guard.build.context, c.services.guard.build.dockerfile))).toBe(true);
    for (const svc of Object.values(c.services) as Obj[]) {
      for (const v of (svc.volumes ?? []) as string[]) {
        const host = v.split(':')[0] as string;
        if (host.startsWith('.')) expect(existsSync(path.join(COMPOSE, host)), host).toBe(true);
        else expect(c.volumes).toHaveProperty(host);
      }
    }
    const config = loadConfig({ file: path.join(COMPOSE, 'release-guard.yaml'), env: {} }).config;
    const command = (c.services.guard.command as string[]).join(' ');
    expect(command).toContain(`> ${config.rulesDir}/default.yaml`);
    expect(command).toContain('cat /app/rules/default.yaml /app/rules/examples/prometheus.yaml');
    const rules = await checkRules(await assembledRules({ 'sample.yaml': await readFile(path.join(COMPOSE, 'rules/sample.yaml'), 'utf8') }));
    expect(rules.report).toContain('sample');
    expect(rules.ok).toBe(true);
    const promtool = spawnSync('promtool', ['check', 'config', path.join(COMPOSE, 'prometheus.yml')], { encoding: 'utf8' });
    expect(promtool.stdout + promtool.stderr).toContain('SUCCESS');
  });

  it('the sample service exports the series the queries use, labelled by the scrape config', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [path.join(COMPOSE, 'sample-service/server.mjs')], {
      env: { PORT: String(port), SAMPLE_RPS: '50', SAMPLE_ERROR_RATE: '0.5', PATH: process.env.PATH ?? '' },
      stdio: 'ignore',
    });
    try {
      let text = '';
      // Wait until both outcomes have been served at least once (at 50% errors the first requests may all be one).
      const both = (t: string) => /http_requests_total\{status="200"/.test(t) && /http_requests_total\{status="503"/.test(t);
      for (let i = 0; i < 100 && !both(text); i++) {
        await new Promise((r) => setTimeout(r, 100));
        text = await fetch(`http://127.0.0.1:${port}/metrics`).then(
          (r) => r.text(),
          () => '',
        );
      }
      expect(text).toMatch(/^http_requests_total\{status="200",version="v1"\} \d+$/m);
      expect(text).toMatch(/^http_requests_total\{status="503",version="v1"\} \d+$/m);
      expect(text).toMatch(/^http_request_duration_seconds_bucket\{le="0\.05"\} \d+$/m);
      expect(text).toMatch(/^process_cpu_seconds_total [\d.e-]+$/m);
      expect(text).toMatch(/^process_resident_memory_bytes \d+$/m);
      const scrape = parse(await readFile(path.join(COMPOSE, 'prometheus.yml'), 'utf8')) as Obj;
      expect(scrape.scrape_configs[0].static_configs[0].labels).toEqual({ service: 'sample', environment: 'laptop' });
    } finally {
      child.kill('SIGTERM');
    }
  });
});

describe('systemd unit', () => {
  const unitFile = path.join(ROOT, 'deploy/systemd/release-guard.service');

  async function unit(): Promise<Map<string, string[]>> {
    const entries = new Map<string, string[]>();
    for (const line of (await readFile(unitFile, 'utf8')).split('\n')) {
      const m = /^([A-Za-z]+)=(.*)$/.exec(line);
      if (m) entries.set(m[1]!, [...(entries.get(m[1]!) ?? []), m[2]!]);
    }
    return entries;
  }

  it('is hardened', async () => {
    const u = await unit();
    for (const [key, value] of Object.entries({
      DynamicUser: 'yes',
      NoNewPrivileges: 'yes',
      ProtectSystem: 'strict',
      ProtectHome: 'yes',
      PrivateTmp: 'yes',
      PrivateDevices: 'yes',
      RestrictNamespaces: 'yes',
      CapabilityBoundingSet: '',
      StateDirectory: 'release-guard',
    })) {
      expect(u.get(key), key).toEqual([value]);
    }
    expect(u.get('RestrictAddressFamilies')).toEqual(['AF_INET AF_INET6 AF_UNIX']);
    // V8 needs W+X memory: MemoryDenyWriteExecute=yes would crash node.
    expect(u.has('MemoryDenyWriteExecute')).toBe(false);
    expect(u.get('Environment')).toContain('RELEASE_GUARD_DATA_DIR=/var/lib/release-guard');
  });

  it('ExecStart runs the built entry point: the CLI bundle scripts/build.ts makes, served until /readyz answers, stopped by SIGTERM', async () => {
    const u = await unit();
    const [node, entry, ...args] = u.get('ExecStart')![0]!.split(' ');
    const installDir = u.get('WorkingDirectory')![0]!;
    expect(node).toBe('/usr/bin/node');
    expect(entry).toBe(`${installDir}/dist/cli/index.js`);
    expect(args.slice(0, 2)).toEqual(['serve', '--config']);
    // The package's bin is the same file.
    expect((JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> }).bin['release-guard']).toBe(
      'dist/cli/index.js',
    );
    // Build as `npm install` / `npm run build` does, into a directory of its own so no one's dist/ is touched.
    const outDir = path.join(ROOT, `.dist-systemd-test-${process.pid}`);
    tmp.push(outDir);
    await buildCli(outDir);
    const dir = await tempDir();
    await mkdir(path.join(dir, 'data'));
    const port = await freePort();
    await writeFile(path.join(dir, 'release-guard.yaml'), `port: ${port}\nrulesDir: ${path.join(ROOT, 'rules')}\n`);
    // ExecStart with the install dir mapped to this checkout, the state dir to a temp dir.
    const child = spawn(process.execPath, [entry!.replace(`${installDir}/dist`, outDir), 'serve', '--config', path.join(dir, 'release-guard.yaml')], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        NODE_ENV: 'production',
        RELEASE_GUARD_DATA_DIR: path.join(dir, 'data'),
        RELEASE_GUARD_TOKEN: 'systemd-test-token',
        RELEASE_GUARD_LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (b: Buffer) => (output += b.toString()));
    child.stderr.on('data', (b: Buffer) => (output += b.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    // Ready (not only live): the signal handlers are installed once start-up has finished.
    let healthy = false;
    for (let i = 0; i < 300 && !healthy && child.exitCode === null; i++) {
      healthy = await fetch(`http://127.0.0.1:${port}/readyz`).then(
        (r) => r.ok,
        () => false,
      );
      if (!healthy) await new Promise((r) => setTimeout(r, 200));
    }
    expect(await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.status)).toBe(200);
    child.kill('SIGTERM');
    expect(healthy, output).toBe(true);
    expect(await exited).toBe(0);
  }, 300_000);
});
