// Watch-loop benchmark (`npm run bench:watches`): N concurrent watches at a one-minute interval on the demo source
// (time scale 1, so a series minute is a wall minute) in one real daemon process. Measures steady-state CPU (% of
// one core), verdict lag p99 (saved evaluation minus its step's time, from the daemon's lag histogram), a SIGKILL
// restart with every watch open (time until the evaluation pool's backlog is empty again) and RSS throughout.
// Beside each figure: the same daemon idle (no watches) in the same run, the reference of what the loop adds.
//
//   tsx bench/watches.ts [--watches 10000] [--steady 180] [--concurrency 32] [--snapshot] [--node-flags '…'] [--daemon-stdout file]
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { openSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildCli } from '../scripts/build.js';

const { values: args } = parseArgs({
  options: {
    watches: { type: 'string', default: '10000' },
    steady: { type: 'string', default: '180' },
    concurrency: { type: 'string', default: '32' },
    // Writes a V8 heap snapshot of the daemon (Heap.*.heapsnapshot in the current directory) at the end of the steady window.
    snapshot: { type: 'boolean', default: false },
    // Node/V8 flags for the daemon, and a file for its stdout (--trace-gc writes there). None by default: the daemon
    // runs as users start it (serve limits its heap growth itself, src/cli/heap-growth.ts; a heap flag given here,
    // e.g. --max-old-space-size=384, replaces that).
    'node-flags': { type: 'string', default: '' },
    'daemon-stdout': { type: 'string' },
  },
});
const WATCHES = Number(args.watches);
const STEADY_S = Number(args.steady);
const CONCURRENCY = Number(args.concurrency);
for (const [name, v] of [
  ['--watches', WATCHES],
  ['--steady', STEADY_S],
  ['--concurrency', CONCURRENCY],
] as const) {
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a whole number of at least 1, got ${String(v)}`);
}
const INTERVAL_S = 60;
const TOKEN = `bench-${randomBytes(12).toString('hex')}`;
const ROOT = new URL('..', import.meta.url).pathname;
const CLI = join(ROOT, 'dist/cli/index.js');
const CLK_TCK = 100;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (msg: string) => process.stderr.write(`[bench:watches ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

interface Daemon {
  url: string;
  child: ChildProcess;
  pid: number;
  readyMs: number;
}

async function startDaemon(configFile: string, port: number): Promise<Daemon> {
  const t0 = performance.now();
  const env = { ...process.env, RELEASE_GUARD_TOKEN: TOKEN, RELEASE_GUARD_PORT: String(port) };
  const flags = [...(args.snapshot ? ['--heapsnapshot-signal=SIGUSR2'] : []), ...args['node-flags'].split(' ').filter(Boolean)];
  const stdout = args['daemon-stdout'] ? openSync(args['daemon-stdout'], 'a') : 'ignore';
  const child = spawn(process.execPath, [...flags, CLI, 'serve', '--config', configFile], { env, stdio: ['ignore', stdout, 'inherit'] });
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the daemon exited ${child.exitCode} before /healthz answered`);
    if (
      await fetch(`${url}/healthz`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    await sleep(20);
  }
  return { url, child, pid: child.pid!, readyMs: performance.now() - t0 };
}

function stopDaemon(d: Daemon, signal: NodeJS.Signals): Promise<void> {
  return new Promise((resolve) => {
    if (d.child.exitCode !== null) return resolve();
    d.child.once('exit', () => resolve());
    d.child.kill(signal);
    setTimeout(() => d.child.kill('SIGKILL'), 15_000).unref();
  });
}

/** CPU seconds (user + system) the process has used so far. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

/** Resident and peak resident memory, MiB. */
function memory(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
}

/** Samples RSS every 500 ms until stopped; answers the highest seen (and VmHWM, the kernel's own peak). */
function watchRss(pid: number): { stop(): number } {
  let peak = 0;
  const timer = setInterval(() => {
    try {
      const m = memory(pid);
      peak = Math.max(peak, m.rss, m.hwm);
    } catch {
      // the process is gone
    }
  }, 500);
  return { stop: () => (clearInterval(timer), peak) };
}

interface Scrape {
  buckets: Array<[number, number]>;
  count: number;
  backlog: number;
  active: number;
  evaluations: number;
  judgeSeconds: number;
  /** The V8 heap in use and reserved, and memory outside it (buffers, SQLite through addons), MiB. */
  heapUsed: number;
  heapTotal: number;
  external: number;
}

async function scrape(url: string): Promise<Scrape> {
  const text = await (await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).text();
  const buckets: Array<[number, number]> = [];
  let count = 0;
  let backlog = 0;
  let active = 0;
  let evaluations = 0;
  let judgeSeconds = 0;
  let heapUsed = 0;
  let heapTotal = 0;
  let external = 0;
  const mib = (line: string) => Number(line.split(' ')[1]) / 2 ** 20;
  for (const line of text.split('\n')) {
    const b = /^release_guard_evaluation_lag_seconds_bucket\{le="([^"]+)"\} (\S+)/.exec(line);
    if (b) buckets.push([b[1] === '+Inf' ? Infinity : Number(b[1]), Number(b[2])]);
    else if (line.startsWith('release_guard_evaluation_lag_seconds_count ')) count = Number(line.split(' ')[1]);
    else if (line.startsWith('release_guard_evaluations_backlog ')) backlog = Number(line.split(' ')[1]);
    else if (line.startsWith('release_guard_watches_active ')) active = Number(line.split(' ')[1]);
    else if (line.startsWith('release_guard_evaluations_total{')) evaluations += Number(line.split(' ').at(-1));
    else if (line.startsWith('release_guard_judge_seconds_total ')) judgeSeconds = Number(line.split(' ')[1]);
    else if (line.startsWith('nodejs_heap_size_used_bytes ')) heapUsed = mib(line);
    else if (line.startsWith('nodejs_heap_size_total_bytes ')) heapTotal = mib(line);
    else if (line.startsWith('nodejs_external_memory_bytes ')) external = mib(line);
  }
  return { buckets, count, backlog, active, evaluations, judgeSeconds, heapUsed, heapTotal, external };
}

/** The p99 of the lag observed between two scrapes: linear within its histogram bucket, and that bucket's bound. */
function p99(before: Scrape | null, after: Scrape): { estimate: number; bound: number; n: number } {
  const base = new Map(before?.buckets ?? []);
  const cum = after.buckets.map(([le, c]) => [le, c - (base.get(le) ?? 0)] as [number, number]);
  const n = cum.at(-1)?.[1] ?? 0;
  const want = 0.99 * n;
  let prevLe = 0;
  let prevC = 0;
  for (const [le, c] of cum) {
    if (c >= want) {
      const within = c === prevC ? 0 : (want - prevC) / (c - prevC);
      return { estimate: le === Infinity ? prevLe : prevLe + within * (le - prevLe), bound: le, n };
    }
    prevLe = le;
    prevC = c;
  }
  return { estimate: NaN, bound: NaN, n };
}

async function ingest(url: string): Promise<number> {
  const t0 = performance.now();
  let next = 0;
  const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
  const worker = async () => {
    for (let i = next++; i < WATCHES; i = next++) {
      // Unique service per deploy (a newer deploy of a service supersedes the older watch); start times spread over
      // the minute, as deploys arrive, so each second has its share of the ticks.
      const startedAt = Math.floor(Date.now() / 1000) - (i % INTERVAL_S);
      const body = JSON.stringify({ id: `w-${i}`, service: `svc-${i}`, environment: 'production', version: 'v2.0.0', startedAt, labels: { demo: 'healthy' } });
      const res = await fetch(`${url}/v1/deploys`, { method: 'POST', headers, body });
      if (!res.ok) throw new Error(`POST /v1/deploys answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
      if (i > 0 && i % 1000 === 0) log(`ingested ${i}`);
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  return (performance.now() - t0) / 1000;
}

/** CPU (% of one core) and peak RSS of a daemon over `seconds`, with the lag p99 of the evaluations saved meanwhile. */
async function window(d: Daemon, seconds: number) {
  const s0 = await scrape(d.url);
  const c0 = cpuSeconds(d.pid);
  const t0 = performance.now();
  const rss = watchRss(d.pid);
  await sleep(seconds * 1000);
  const c1 = cpuSeconds(d.pid);
  const t1 = performance.now();
  const s1 = await scrape(d.url);
  const wall = (t1 - t0) / 1000;
  return {
    cpu: (100 * (c1 - c0)) / wall,
    judgeCpu: (100 * (s1.judgeSeconds - s0.judgeSeconds)) / wall,
    rss: rss.stop(),
    lag: p99(s0, s1),
    evaluations: s1.evaluations - s0.evaluations,
    last: s1,
  };
}

async function main(): Promise<void> {
  // dist/ as `npm install` builds it: the bench measures the CLI as installed (bin: dist/cli/index.js).
  await buildCli(join(ROOT, 'dist'));
  const work = await mkdtemp(join(tmpdir(), 'rg-watches-'));
  const config = join(work, 'release-guard.yaml');
  await writeFile(
    config,
    [
      `dataDir: ${join(work, 'data')}`,
      `rulesDir: ${join(ROOT, 'rules')}`,
      'logLevel: warn',
      'sources:',
      '  demo: {type: demo, seed: 1, timeScale: 1}',
      'defaultSource: demo',
      'watch:',
      `  concurrency: ${CONCURRENCY}`,
    ].join('\n'),
  );
  const port = await freePort();
  const rows: string[][] = [];
  let d: Daemon | null = null;
  try {
    log(`reference: the same daemon with no watches, 30 s`);
    d = await startDaemon(config, port);
    const idle = await window(d, 30);
    log(`idle: ${idle.cpu.toFixed(1)}% of a core, ${idle.rss.toFixed(0)} MiB`);

    log(`ingesting ${WATCHES} deploys (one-minute interval, 30 min window, healthy demo series)`);
    const rssIngest = watchRss(d.pid);
    const ingestS = await ingest(d.url);
    log(`ingested in ${ingestS.toFixed(0)} s (${(WATCHES / ingestS).toFixed(0)} deploys/s); settling one interval`);
    await sleep(INTERVAL_S * 1000);
    const ingestPeak = rssIngest.stop();

    log(`steady state: ${STEADY_S} s`);
    const steady = await window(d, STEADY_S);
    log(
      `steady: ${steady.cpu.toFixed(1)}% of a core (judge ${steady.judgeCpu.toFixed(1)}%), ${(steady.evaluations / STEADY_S).toFixed(0)} evaluations/s, lag p99 ~${steady.lag.estimate.toFixed(2)} s (≤ ${steady.lag.bound} s bucket) over ${steady.lag.n} evaluations, RSS peak ${steady.rss.toFixed(0)} MiB`,
    );
    const open = steady.last.active;
    const heap = steady.last;
    log(`steady: V8 heap ${heap.heapUsed.toFixed(0)} MiB used of ${heap.heapTotal.toFixed(0)} MiB, ${heap.external.toFixed(0)} MiB external`);
    if (args.snapshot) {
      log('writing a heap snapshot of the daemon (SIGUSR2)');
      d.child.kill('SIGUSR2');
      await sleep(20_000);
    }

    log(`SIGKILL with ${open} watches open, then restart`);
    await stopDaemon(d, 'SIGKILL');
    const killedAt = performance.now();
    d = await startDaemon(config, port);
    const rssRestart = watchRss(d.pid);
    let backOn = NaN;
    let maxBacklog = 0;
    for (;;) {
      const s = await scrape(d.url);
      maxBacklog = Math.max(maxBacklog, s.backlog);
      if (s.active >= open && s.backlog === 0) {
        backOn = (performance.now() - killedAt) / 1000;
        break;
      }
      if (performance.now() - killedAt > 10 * INTERVAL_S * 1000) break;
      await sleep(250);
    }
    log(`back on schedule ${backOn.toFixed(1)} s after the kill (healthz after ${(d.readyMs / 1000).toFixed(1)} s, peak backlog ${maxBacklog})`);
    const after = await window(d, INTERVAL_S);
    const restartLag = p99(null, after.last);
    const restartPeak = Math.max(rssRestart.stop(), after.rss);
    log(
      `first interval after the restart: lag p99 ~${after.lag.estimate.toFixed(2)} s, ${after.cpu.toFixed(1)}% of a core; since the restart p99 ~${restartLag.estimate.toFixed(1)} s`,
    );
    await stopDaemon(d, 'SIGTERM');

    const peak = Math.max(ingestPeak, steady.rss, restartPeak);
    rows.push([
      'steady-state CPU',
      `${steady.cpu.toFixed(1)}% of one core`,
      `idle daemon: ${idle.cpu.toFixed(1)}%`,
      `+${(steady.cpu - idle.cpu).toFixed(1)} points`,
      '≤ 50%',
    ]);
    rows.push([
      '  of which in the judge',
      `${steady.judgeCpu.toFixed(1)}% of one core`,
      '—',
      `${(steady.cpu - steady.judgeCpu).toFixed(1)}% outside the judge`,
      '—',
    ]);
    rows.push([
      'evaluations (steady)',
      `${(steady.evaluations / STEADY_S).toFixed(0)}/s`,
      `${(WATCHES / INTERVAL_S).toFixed(0)}/s due`,
      `${(steady.evaluations / STEADY_S / (WATCHES / INTERVAL_S)).toFixed(2)}×`,
      '1×',
    ]);
    rows.push([
      'verdict lag p99 (steady)',
      `${steady.lag.estimate.toFixed(2)} s (bucket ≤ ${steady.lag.bound} s; ${steady.lag.n} evaluations)`,
      '—',
      '—',
      '≤ 2 s',
    ]);
    rows.push([
      'restart, all watches open: back on schedule',
      `${backOn.toFixed(1)} s after SIGKILL (healthz ${(d.readyMs / 1000).toFixed(1)} s)`,
      `one interval: ${INTERVAL_S} s`,
      `${(backOn / INTERVAL_S).toFixed(2)}× the interval`,
      '≤ 1 interval',
    ]);
    rows.push(['verdict lag p99, first interval after restart', `${after.lag.estimate.toFixed(2)} s (bucket ≤ ${after.lag.bound} s)`, '—', '—', '—']);
    rows.push([
      'peak RSS (ingest, steady, restart)',
      `${peak.toFixed(0)} MiB (${ingestPeak.toFixed(0)} / ${steady.rss.toFixed(0)} / ${restartPeak.toFixed(0)})`,
      `idle daemon: ${idle.rss.toFixed(0)} MiB`,
      `${(peak / idle.rss).toFixed(1)}×`,
      '≤ 500 MiB',
    ]);
    rows.push([
      '  V8 heap at the end of the steady window',
      `${heap.heapUsed.toFixed(0)} MiB used of ${heap.heapTotal.toFixed(0)} MiB (+${heap.external.toFixed(0)} MiB external)`,
      '—',
      '—',
      '—',
    ]);
    rows.push(['ingest of the watches (16 clients)', `${(WATCHES / ingestS).toFixed(0)} deploys/s`, '—', '—', '—']);
  } finally {
    if (d) await stopDaemon(d, 'SIGKILL');
    await rm(work, { recursive: true, force: true });
  }
  const all = [['what', 'release-guard', 'reference (same run)', 'ratio', 'target'], ...rows];
  const widths = all[0]!.map((_, c) => Math.max(...all.map((r) => r[c]!.length)));
  const line = (r: string[]) => `| ${r.map((cell, c) => cell.padEnd(widths[c]!)).join(' | ')} |`;
  process.stdout.write(
    `\nrelease-guard watch loop: ${WATCHES} watches, 1-minute interval, demo source, concurrency ${CONCURRENCY}, ${STEADY_S} s steady window${args['node-flags'] ? `, daemon flags ${args['node-flags']}` : ''}\n\n`,
  );
  process.stdout.write([line(all[0]!), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...all.slice(1).map(line)].join('\n') + '\n');
}

await main();
