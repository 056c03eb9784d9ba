// Watch memory benchmark (`tsx --expose-gc bench/watch-memory.ts`): builds N watch states (the series cache the
// watcher keeps) and their judge sessions in-process, as the daemon's ticks do on the demo source with the shipped
// rules, and reports the memory each component takes per watch (heapUsed + arrayBuffers after a full GC).
//
//   tsx --expose-gc bench/watch-memory.ts [--watches 2000] [--ticks 8]
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { observationPlan } from '../src/judge/plan.js';
import { JudgeSessions } from '../src/judge/session.js';
import type { Deploy } from '../src/judge/types.js';
import { loadRules } from '../src/rules/load.js';
import { resolveRules } from '../src/rules/resolve.js';
import { metricsToQuery } from '../src/watch/queries.js';
import { SeriesCache } from '../src/watch/series-cache.js';
import { DemoSource } from '../src/sources/demo/index.js';
import type { SampleBatch } from '../src/store/records.js';

const { values: args } = parseArgs({ options: { watches: { type: 'string', default: '2000' }, ticks: { type: 'string', default: '8' } } });
const WATCHES = Number(args.watches);
const TICKS = Number(args.ticks);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc (tsx --expose-gc bench/watch-memory.ts)');

const ROOT = new URL('..', import.meta.url).pathname;
const loaded = await loadRules(join(ROOT, 'rules'));
const source = new DemoSource('demo', { type: 'demo', seed: 1, timeScale: 1 } as never);
const INTERVAL = 60;
const heap = (): number => {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};

const base = Math.floor(Date.UTC(2026, 0, 1) / 1000);
const watches = Array.from({ length: WATCHES }, (_, i) => {
  const deploy: Deploy = {
    id: `w-${i}`,
    service: `svc-${i}`,
    environment: 'production',
    version: 'v2.0.0',
    startedAt: base + (i % 60),
    labels: { demo: 'healthy' },
  };
  return { deploy, rules: resolveRules(loaded, deploy), cache: new SeriesCache(), evaluatedAt: null as number | null };
});

async function fetch(w: (typeof watches)[number], to: number): Promise<SampleBatch[]> {
  const decls = new Map(metricsToQuery(w.rules));
  const from = w.evaluatedAt === null ? null : w.evaluatedAt - INTERVAL;
  const out: SampleBatch[] = [];
  for (const q of observationPlan(w.rules, w.deploy, { from, to })) {
    const decl = decls.get(q.metric);
    if (!decl) continue;
    const r = await source.query({ metric: q.metric, decl, deploy: w.deploy, scope: q.scope, start: q.start, end: q.end, step: INTERVAL });
    if (r.kind === 'value' && r.points.length > 0) out.push({ scope: q.scope, metric: q.metric, points: r.points });
  }
  return out;
}

const sessions = new JudgeSessions();
const h0 = heap();
let judgeMs = 0;
for (let k = 0; k <= TICKS; k++) {
  for (const w of watches) {
    const to = w.deploy.startedAt + k * INTERVAL;
    w.cache.add(await fetch(w, to), []);
    const obs = { ...w.cache.observations(), previousDeploys: [] };
    const t0 = performance.now();
    sessions.judge(w.rules, w.deploy, obs, to);
    judgeMs += performance.now() - t0;
    w.evaluatedAt = to;
  }
}
const h1 = heap();
// Component by component: each session's parts are let go of one after another (private fields, for measuring only).
type Inside = { sessions: Map<string, Record<string, unknown>> };
const inside = (sessions as unknown as Inside).sessions;
const parts: Array<[string, number]> = [];
let before = h1;
for (const field of ['kinds', 'state', 'cache.fixedDerived', 'cache.sequential', 'cache']) {
  for (const s of inside.values()) {
    for (const m of s['memos'] as Array<Record<string, Record<string, unknown>>>) {
      const [f, g] = field.split('.') as [string, string | undefined];
      if (g && m[f]) delete m[f][g];
      else if (!g) m[f] = null as never;
    }
  }
  const after = heap();
  parts.push([`memos.${field}`, before - after]);
  before = after;
}
for (const field of ['previous', 'memos', 'baselines', 'rules']) {
  // `shared` remembers the baseline map its times were shared in.
  for (const s of inside.values()) for (const f of field === 'baselines' ? [field, 'shared'] : [field]) (s as Record<string, unknown>)[f] = null;
  const after = heap();
  parts.push([field, before - after]);
  before = after;
}
inside.clear();
const h2 = heap();
parts.push(['the rest of the sessions', before - h2]);
for (const w of watches) w.cache = new SeriesCache();
const h3 = heap();
const kb = (b: number) => `${(b / 1024 / WATCHES).toFixed(1)} KB`;
process.stdout.write(
  [
    `${WATCHES} watches, ${TICKS} ticks after the first (shipped rules, demo source, 1 h baseline at one point a minute)`,
    `  heap per watch, total:        ${kb(h1 - h0)}`,
    `  judge sessions:               ${kb(h1 - h2)}`,
    `  series caches (watch state):  ${kb(h2 - h3)}`,
    `  judge time per tick:          ${(judgeMs / WATCHES / (TICKS + 1)).toFixed(2)} ms`,
    ...parts.map(([name, bytes]) => `    ${name.padEnd(28)}${kb(bytes)}`),
  ].join('\n') + '\n',
);
