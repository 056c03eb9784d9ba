// A real Prometheus for integration tests: sample services instrumented with prom-client, an hour of backfilled history
// (promtool tsdb create-blocks-from openmetrics) and a Prometheus scraping them every second, all on 127.0.0.1.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { freePort } from './guard-process.js';

const run = promisify(execFile);

/** Throws a clear error when the Prometheus binaries are missing: the test must fail, not skip. */
export async function requirePrometheus(): Promise<void> {
  for (const bin of ['prometheus', 'promtool']) {
    try {
      await run(bin, ['--version']);
    } catch {
      throw new Error(
        `${bin} is not installed: the real-Prometheus integration tests need the Debian package "prometheus" (it includes promtool): apt-get install -y --no-install-recommends prometheus (.ci/run installs it)`,
      );
    }
  }
}

export const BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
/** What every sample request takes, in seconds: inside the (0.025, 0.05] bucket, so the p95 is 48.75 ms. */
export const LATENCY = 0.04;

/** A web service instrumented with prom-client: requests by status, a latency histogram, process CPU and memory. */
export class SampleService {
  failing = false;
  private n = 0;
  private traffic: NodeJS.Timeout | null = null;
  private readonly registry = new Registry();
  private readonly requests = new Counter({ name: 'http_requests_total', help: 'HTTP requests by status', labelNames: ['status'], registers: [this.registry] });
  private readonly latency = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency',
    buckets: BUCKETS,
    registers: [this.registry],
  });

  private constructor(
    readonly name: string,
    private readonly server: Server,
  ) {}

  static async start(name: string): Promise<SampleService> {
    const server = createServer();
    const service = new SampleService(name, server);
    collectDefaultMetrics({ register: service.registry });
    server.on('request', (req, res) => void service.handle(req.url ?? '', res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return service;
  }

  get address(): string {
    return `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private async handle(url: string, res: import('node:http').ServerResponse): Promise<void> {
    if (url === '/metrics') {
      res.writeHead(200, { 'content-type': this.registry.contentType }).end(await this.registry.metrics());
      return;
    }
    this.n += 1;
    // Failing: every second request fails, so the error rate is one half.
    const status = this.failing && this.n % 2 === 0 ? 500 : 200;
    this.requests.inc({ status: String(status) });
    this.latency.observe(LATENCY);
    res.writeHead(status).end();
  }

  /** Sends itself 20 requests a second. */
  startTraffic(): void {
    this.traffic = setInterval(
      () =>
        void fetch(`http://${this.address}/work`).then(
          (r) => r.arrayBuffer(),
          () => undefined,
        ),
      50,
    );
  }

  async stop(): Promise<void> {
    if (this.traffic) clearInterval(this.traffic);
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Baseline of the backfilled hour, per second: 20 req/s with 0.5% errors, all at 40 ms; 0.25 CPU; 256 MiB. */
export const HISTORY = { rps: 20, errorRate: 0.005, cpu: 0.25, memory: 256 * 1024 * 1024 };

/** OpenMetrics for [from, to] at 1 s for each service, labelled as its scrape will be (job, instance, service, environment). */
export function historyOpenMetrics(services: SampleService[], from: number, to: number): string {
  const lines: string[] = [];
  const times = Array.from({ length: to - from + 1 }, (_, i) => from + i);
  const labels = (s: SampleService, extra = '') => `{job="${s.name}",instance="${s.address}",service="${s.name}",environment="production"${extra}}`;
  const n = (v: number) => String(Number(v.toFixed(6)));
  lines.push('# TYPE http_requests counter');
  for (const s of services) {
    for (const [status, share] of [
      ['200', 1 - HISTORY.errorRate],
      ['500', HISTORY.errorRate],
    ] as const) {
      for (const t of times) lines.push(`http_requests_total${labels(s, `,status="${status}"`)} ${n(HISTORY.rps * share * (t - from))} ${t}`);
    }
  }
  lines.push('# TYPE http_request_duration_seconds histogram');
  for (const s of services) {
    for (const t of times) {
      const count = HISTORY.rps * (t - from);
      for (const le of [...BUCKETS.map(String), '+Inf'])
        lines.push(`http_request_duration_seconds_bucket${labels(s, `,le="${le}"`)} ${le === '+Inf' || Number(le) >= LATENCY ? n(count) : 0} ${t}`);
      lines.push(`http_request_duration_seconds_sum${labels(s)} ${n(count * LATENCY)} ${t}`);
      lines.push(`http_request_duration_seconds_count${labels(s)} ${n(count)} ${t}`);
    }
  }
  lines.push('# TYPE process_cpu_seconds counter');
  for (const s of services) for (const t of times) lines.push(`process_cpu_seconds_total${labels(s)} ${n(HISTORY.cpu * (t - from))} ${t}`);
  lines.push('# TYPE process_resident_memory_bytes gauge');
  for (const s of services) for (const t of times) lines.push(`process_resident_memory_bytes${labels(s)} ${HISTORY.memory} ${t}`);
  lines.push('# EOF');
  return `${lines.join('\n')}\n`;
}

export interface RunningPrometheus {
  url: string;
  child: ChildProcess;
  log(): Promise<string>;
  kill(): Promise<void>;
}

/**
 * Backfills `history` into an empty data dir with promtool, then starts Prometheus scraping `services` every
 * second (each as job <name> with labels service and environment=production) and waits until it is ready and
 * has scraped every service.
 */
export async function startPrometheus(dir: string, services: SampleService[], history: string): Promise<RunningPrometheus> {
  const data = join(dir, 'data');
  await writeFile(join(dir, 'history.om'), history);
  await run('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', join(dir, 'history.om'), data], { maxBuffer: 16 * 1024 * 1024 });
  const scrape = services.map(
    (s) => `  - job_name: ${s.name}\n    static_configs:\n      - targets: ['${s.address}']\n        labels: {service: ${s.name}, environment: production}`,
  );
  await writeFile(join(dir, 'prometheus.yml'), `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n${scrape.join('\n')}\n`);
  const port = await freePort();
  const logFile = join(dir, 'prometheus.log');
  const out = createWriteStream(logFile);
  const child = spawn(
    'prometheus',
    [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${data}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.pipe(out);
  child.stderr?.pipe(out);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const log = () => readFile(logFile, 'utf8').catch(() => '');
  const up = async () => {
    const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent('count(up == 1)')}`);
    const body = (await res.json()) as { data?: { result?: Array<{ value: [number, string] }> } };
    return Number(body.data?.result?.[0]?.value[1] ?? 0) === services.length;
  };
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`prometheus exited with ${child.exitCode} before it was ready:\n${await log()}`);
    const ready = await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready && (await up().catch(() => false))) return { url, child, log, kill: async () => void (child.kill('SIGKILL'), await exited) };
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill('SIGKILL');
  throw new Error(`prometheus did not become ready and scrape ${services.length} targets within 30s:\n${await log()}`);
}
