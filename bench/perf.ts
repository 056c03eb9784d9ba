// Performance benchmark (`npm run bench:perf`): every release-guard figure beside a reference measured in the
// same run, printed as a ratio. BENCH_LONG=1 runs 30 s loads and 3 paired rounds (medians) instead of 8 s and 1.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { generateScenarios } from '../test/scenarios/generate.js';
import { buildCli } from '../scripts/build.js';

const LONG = process.env.BENCH_LONG === '1';
const ROUNDS = LONG ? 3 : 1;
const LOAD_SECONDS = LONG ? 30 : 8;
/** BENCH_ONLY=startup,replay,ingest runs just those parts (all by default). */
const ONLY = new Set((process.env.BENCH_ONLY ?? 'startup,replay,ingest').split(',').map((s) => s.trim()));
const TOKEN = `bench-${randomBytes(12).toString('hex')}`;
const ROOT = new URL('..', import.meta.url).pathname;
const CLI = join(ROOT, 'dist/cli/index.js');

interface Row {
  what: string;
  guard: string;
  reference: string;
  ratio: string;
  target: string;
}
const rows: Row[] = [];
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (x: number): string => (x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(0)} ms`);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

/** Runs a command to completion; answers wall time (ms) and peak RSS (MiB, from /usr/bin/time). */
function timed(cmd: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ ms: number; rssMiB: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn('/usr/bin/time', ['-f', '%M', ...cmd], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('exit', (code) => {
      const wall = performance.now() - t0;
      if (code !== 0) return reject(new Error(`${cmd.join(' ')} exited ${code}: ${err.slice(-500)}`));
      resolve({ ms: wall, rssMiB: Number(err.trim().split('\n').at(-1)) / 1024 });
    });
  });
}

interface Server {
  url: string;
  child: ChildProcess;
  readyMs: number;
  stop(): Promise<void>;
}

/** Starts a server process and answers once GET /healthz answers 200, with the time that took. */
async function startServer(cmd: string[], env: NodeJS.ProcessEnv, port: number): Promise<Server> {
  const t0 = performance.now();
  const child = spawn(process.execPath, cmd, { env, stdio: ['ignore', 'ignore', 'inherit'] });
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${cmd.join(' ')} exited ${child.exitCode} before /healthz answered`);
    const ok = await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  const readyMs = performance.now() - t0;
  const stop = () =>
    new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
    });
  return { url, child, readyMs, stop };
}

async function startGuard(dir: string): Promise<Server> {
  const port = await freePort();
  const env = {
    ...process.env,
    RELEASE_GUARD_TOKEN: TOKEN,
    RELEASE_GUARD_DATA_DIR: join(dir, 'guard'),
    RELEASE_GUARD_PORT: String(port),
    RELEASE_GUARD_RULES_DIR: join(ROOT, 'rules'),
  };
  return startServer([CLI, 'serve'], env, port);
}

async function startReference(dir: string): Promise<Server> {
  const port = await freePort();
  await mkdir(join(dir, 'reference'), { recursive: true });
  return startServer([join(ROOT, 'bench/reference-server.mjs'), String(port), join(dir, 'reference'), TOKEN], process.env, port);
}

interface Load {
  rps: number;
  p99: number;
  bytes: number;
}

/** 32 connections for LOAD_SECONDS; POSTs carry unique ids. */
async function load(url: string, method: 'POST' | 'GET', tag: string): Promise<Load> {
  let n = 0;
  const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
  const r = await autocannon({
    url,
    connections: 32,
    duration: LOAD_SECONDS,
    requests: [
      method === 'POST'
        ? {
            method,
            path: '/v1/deploys',
            headers,
            setupRequest: (req) => ({
              ...req,
              body: JSON.stringify({
                id: `bench-${tag}-${n++}`,
                service: `svc-${n % 40}`,
                environment: 'production',
                version: `v1.${n}.0`,
                labels: { team: 'bench' },
              }),
            }),
          }
        : { method, path: '/v1/deploys', headers },
    ],
  });
  if (r.non2xx > 0 || r.errors > 0) throw new Error(`${method} ${url}: ${r.non2xx} non-2xx answers and ${r.errors} errors`);
  return { rps: r.requests.average, p99: r.latency.p99, bytes: r.throughput.average / Math.max(r.requests.average, 1) };
}

async function ingestAndList(work: string): Promise<void> {
  const post = { g: [] as Load[], r: [] as Load[] };
  const list = { g: [] as Load[], r: [] as Load[] };
  const ready = { g: [] as number[], r: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    const dir = join(work, `round-${round}`);
    const ref = await startReference(dir);
    ready.r.push(ref.readyMs);
    post.r.push(await load(ref.url, 'POST', `r${round}`));
    list.r.push(await load(ref.url, 'GET', `r${round}`));
    await ref.stop();
    const guard = await startGuard(dir);
    ready.g.push(guard.readyMs);
    post.g.push(await load(guard.url, 'POST', `g${round}`));
    list.g.push(await load(guard.url, 'GET', `g${round}`));
    await guard.stop();
  }
  const m = (xs: Load[], k: keyof Load) => median(xs.map((x) => x[k]));
  rows.push({
    what: 'POST /v1/deploys, 32 connections, unique ids',
    guard: `${m(post.g, 'rps').toFixed(0)} req/s, p99 ${ms(m(post.g, 'p99'))}`,
    reference: `${m(post.r, 'rps').toFixed(0)} req/s, p99 ${ms(m(post.r, 'p99'))}`,
    ratio: `${(m(post.g, 'rps') / m(post.r, 'rps')).toFixed(2)}× (p99 ${(m(post.g, 'p99') / m(post.r, 'p99')).toFixed(1)}×)`,
    target: '≥ 0.7×, p99 ≤ 2×',
  });
  rows.push({
    what: 'GET /v1/deploys (a page)',
    guard: `${m(list.g, 'rps').toFixed(0)} req/s, ${(m(list.g, 'bytes') / 1024).toFixed(1)} KB a page`,
    reference: `${m(list.r, 'rps').toFixed(0)} req/s, ${(m(list.r, 'bytes') / 1024).toFixed(1)} KB`,
    ratio: `${(m(list.g, 'rps') / m(list.r, 'rps')).toFixed(2)}×`,
    target: '≥ 0.5×',
  });
  rows.push({
    what: '`serve` until /healthz answers',
    guard: ms(median(ready.g)),
    reference: ms(median(ready.r)),
    ratio: `${(median(ready.g) / median(ready.r)).toFixed(1)}× slower`,
    target: '≤ 1 s',
  });
}

async function startup(): Promise<void> {
  const g: number[] = [];
  const r: number[] = [];
  for (let i = 0; i < 5; i++) {
    r.push((await timed([process.execPath, '-e', '0'])).ms);
    g.push((await timed([process.execPath, CLI, '--help'])).ms);
  }
  rows.push({
    what: '`release-guard --help` (dist)',
    guard: ms(median(g)),
    reference: `node -e 0: ${ms(median(r))}`,
    ratio: `${(median(g) / median(r)).toFixed(1)}× slower`,
    target: '≤ 3×',
  });
}

async function replay(work: string): Promise<void> {
  const dir = join(work, 'recordings');
  await mkdir(dir, { recursive: true });
  const scenarios = generateScenarios({ seed: 20251120, healthyPerType: 30, badPerType: 30 }).slice(0, 500);
  await Promise.all(scenarios.map((s, i) => writeFile(join(dir, `${String(i).padStart(3, '0')}.json`), JSON.stringify(s.recording))));
  const count = (await readdir(dir)).length;
  const floor = `const fs=require('fs'),p=require('path');const d=${JSON.stringify(dir)};let n=0;for(const f of fs.readdirSync(d).sort())n+=Object.keys(JSON.parse(fs.readFileSync(p.join(d,f),'utf8')).series).length;if(!n)process.exit(1)`;
  const g: Array<{ ms: number; rssMiB: number }> = [];
  const withWorker: Array<{ ms: number; rssMiB: number }> = [];
  const r: Array<{ ms: number; rssMiB: number }> = [];
  const cli = [process.execPath, CLI, 'replay', dir, '--rules', join(ROOT, 'rules')];
  for (let i = 0; i < ROUNDS; i++) {
    r.push(await timed([process.execPath, '-e', floor]));
    g.push(await timed(cli));
    // With one worker thread beside the main thread (the default starts none on two cores; see poolWorkers).
    withWorker.push(await timed([...cli, '--workers', '1']));
  }
  const rm_ = median(r.map((x) => x.ms));
  const reference = `read + JSON.parse: ${ms(rm_)}, ${median(r.map((x) => x.rssMiB)).toFixed(0)} MiB`;
  for (const [what, runs, target] of [
    [`\`replay\` of ${count} recordings`, g, '≤ 4×'],
    [`\`replay --workers 1\` (one worker thread)`, withWorker, '—'],
  ] as const) {
    const gm = median(runs.map((x) => x.ms));
    rows.push({ what, guard: `${ms(gm)}, ${median(runs.map((x) => x.rssMiB)).toFixed(0)} MiB`, reference, ratio: `${(gm / rm_).toFixed(1)}× slower`, target });
  }
}

function table(): string {
  const all = [['what', 'release-guard', 'reference (same run)', 'ratio', 'target'], ...rows.map((r) => [r.what, r.guard, r.reference, r.ratio, r.target])];
  const widths = all[0]!.map((_, c) => Math.max(...all.map((r) => r[c]!.length)));
  const line = (r: string[]) => `| ${r.map((cell, c) => cell.padEnd(widths[c]!)).join(' | ')} |`;
  return [line(all[0]!), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...all.slice(1).map(line)].join('\n');
}

async function main(): Promise<void> {
  // dist/ as `npm install` builds it: the bench measures the CLI as installed (bin: dist/cli/index.js).
  await buildCli(join(ROOT, 'dist'));
  const work = await mkdtemp(join(tmpdir(), 'rg-perf-'));
  try {
    if (ONLY.has('startup')) await startup();
    if (ONLY.has('replay')) await replay(work);
    if (ONLY.has('ingest')) await ingestAndList(work);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  process.stdout.write(
    `\nrelease-guard performance (${LONG ? `${ROUNDS} paired rounds, medians, ${LOAD_SECONDS} s loads` : `1 round, ${LOAD_SECONDS} s loads; BENCH_LONG=1 for medians of 3`})\n\n${table()}\n`,
  );
}

await main();
