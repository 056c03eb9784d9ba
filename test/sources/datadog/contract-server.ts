// A local stand-in that speaks Datadog's metrics query API as documented (GET /api/v1/query,
// https://docs.datadoghq.com/api/latest/metrics/#query-timeseries-points): DD-API-KEY / DD-APPLICATION-KEY auth,
// 400/403/429 bodies {"errors":[…]}, X-RateLimit-* headers on every answer, and a small query evaluator
// (agg:metric{filters} by {tags}.as_count().rollup(agg, N), `tag IN (…)`, AND, + - * / and numbers).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A stored timeseries: metric name, its tags, and its value at a time (null: nothing reported then). */
export interface FakeSeries {
  metric: string;
  tags: Record<string, string>;
  value(t: number): number | null;
}

export interface ContractOptions {
  apiKey: string;
  appKey: string;
  series: FakeSeries[];
  /** Requests allowed per calendar-aligned period; default: unlimited (the headers still say 1600 per hour). */
  rateLimit?: { limit: number; period: number };
  /** Seconds clock for the rate-limit periods (tests share theirs with the source). */
  now?: () => number;
  /** Answer every request with this status instead (5xx outages). */
  failWith?: number;
}

export interface SeenQuery {
  query: string;
  from: number;
  to: number;
  status: number;
}

export interface ContractServer {
  url: string;
  seen: SeenQuery[];
  options: ContractOptions;
  close(): Promise<void>;
}

type Group = { tags: string[]; points: Map<number, number | null> };
type Value = Map<string, Group>;

class QueryError extends Error {}

/** Parses and evaluates a query over [from, to]: one group per `by` tag combination. */
class Evaluator {
  private pos = 0;
  constructor(
    private readonly text: string,
    private readonly data: FakeSeries[],
    private readonly from: number,
    private readonly to: number,
  ) {}

  run(): Value {
    const v = this.expr();
    this.ws();
    if (this.pos < this.text.length) throw new QueryError(`unexpected "${this.text.slice(this.pos, this.pos + 10)}" at ${this.pos}`);
    return v;
  }

  private ws(): void {
    while (/\s/.test(this.text[this.pos] ?? '')) this.pos += 1;
  }

  private expr(): Value {
    let left = this.term();
    for (this.ws(); this.text[this.pos] === '+' || this.text[this.pos] === '-'; this.ws()) {
      const op = this.text[this.pos++]!;
      left = combine(left, this.term(), op);
    }
    return left;
  }

  private term(): Value {
    let left = this.factor();
    for (this.ws(); this.text[this.pos] === '*' || this.text[this.pos] === '/'; this.ws()) {
      const op = this.text[this.pos++]!;
      left = combine(left, this.factor(), op);
    }
    return left;
  }

  private factor(): Value {
    this.ws();
    if (this.text[this.pos] === '(') {
      this.pos += 1;
      const v = this.expr();
      this.ws();
      if (this.text[this.pos++] !== ')') throw new QueryError('missing )');
      return v;
    }
    const num = /^\d+(\.\d+)?/.exec(this.text.slice(this.pos));
    if (num) {
      this.pos += num[0].length;
      return new Map([['', { tags: [], points: new Map([[Number.NaN, Number(num[0])]]) }]]);
    }
    return this.metricQuery();
  }

  private take(re: RegExp, what: string): RegExpExecArray {
    const m = re.exec(this.text.slice(this.pos));
    if (!m) throw new QueryError(`expected ${what} at ${this.pos}`);
    this.pos += m[0].length;
    return m;
  }

  private metricQuery(): Value {
    const [, agg, metric] = this.take(/^(sum|avg|max|min|p\d\d):([A-Za-z0-9_.]+)\{/, 'agg:metric{') as unknown as [string, string, string];
    const filters = this.take(/^([^}]*)\}/, 'filters}')[1]!;
    let by: string[] = [];
    const byMatch = /^\s*by\s*\{([^}]*)\}/.exec(this.text.slice(this.pos));
    if (byMatch) {
      this.pos += byMatch[0].length;
      by = byMatch[1]!
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean);
    }
    let interval = 60;
    for (let fn = /^\.(\w+)\(([^)]*)\)/.exec(this.text.slice(this.pos)); fn; fn = /^\.(\w+)\(([^)]*)\)/.exec(this.text.slice(this.pos))) {
      this.pos += fn[0].length;
      if (fn[1] === 'rollup') interval = Number(fn[2]!.split(',')[1]);
      else if (fn[1] !== 'as_count' && fn[1] !== 'as_rate') throw new QueryError(`unknown function ${fn[1]}`);
    }
    const match = parseFilters(filters);
    const selected = this.data.filter((s) => s.metric === metric && match(s.tags));
    const groups: Value = new Map();
    for (const s of selected) {
      const tags = by.map((t) => `${t}:${s.tags[t] ?? 'N/A'}`);
      const key = tags.join(',');
      if (!groups.has(key)) groups.set(key, { tags, points: new Map() });
    }
    for (const [key, group] of groups) {
      const members = selected.filter((s) => by.map((t) => `${t}:${s.tags[t] ?? 'N/A'}`).join(',') === key);
      for (let t = Math.ceil(this.from / interval) * interval; t <= this.to; t += interval) {
        const values = members.map((s) => s.value(t)).filter((v): v is number => v !== null);
        group.points.set(t, values.length === 0 ? null : aggregate(agg, values));
      }
    }
    return groups;
  }
}

function aggregate(agg: string, values: number[]): number {
  if (agg === 'sum') return values.reduce((a, b) => a + b, 0);
  if (agg === 'avg') return values.reduce((a, b) => a + b, 0) / values.length;
  if (agg === 'max') return Math.max(...values);
  if (agg === 'min') return Math.min(...values);
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((Number(agg.slice(1)) / 100) * sorted.length) - 1)]!;
}

function parseFilters(text: string): (tags: Record<string, string>) => boolean {
  const trimmed = text.trim();
  if (trimmed === '*' || trimmed === '') return () => true;
  const terms = trimmed.split(/\s+AND\s+|,(?![^(]*\))/).map((t) => t.trim());
  const checks = terms.map((term) => {
    const inList = /^([\w.\-/]+)\s+IN\s+\(([^)]*)\)$/.exec(term);
    if (inList) {
      const values = inList[2]!.split(',').map((v) => v.trim());
      return (tags: Record<string, string>) => values.includes(tags[inList[1]!] ?? '');
    }
    const eq = /^([\w.\-/]+):(\S+)$/.exec(term);
    if (!eq) throw new QueryError(`cannot parse filter "${term}"`);
    return (tags: Record<string, string>) => tags[eq[1]!] === eq[2];
  });
  return (tags) => checks.every((c) => c(tags));
}

/** Pointwise arithmetic, matching groups by key; a scalar or an ungrouped side applies to every group. */
function combine(a: Value, b: Value, op: string): Value {
  const apply = (x: number | null | undefined, y: number | null | undefined): number | null => {
    if (x === null || x === undefined || y === null || y === undefined) return null;
    const r = op === '+' ? x + y : op === '-' ? x - y : op === '*' ? x * y : y === 0 ? null : x / y;
    return r === null || Number.isFinite(r) ? r : null;
  };
  const scalar = (v: Value) => v.size === 1 && v.get('')?.points.has(Number.NaN) === true;
  const out: Value = new Map();
  const keys = a.size === 1 && a.has('') ? [...b.keys()] : [...a.keys()];
  for (const key of keys) {
    const ga = a.get(key) ?? a.get('')!;
    const gb = b.get(key) ?? b.get('');
    if (!ga || !gb) continue;
    const times = [...new Set([...ga.points.keys(), ...gb.points.keys()])].filter((t) => !Number.isNaN(t));
    const points = new Map<number, number | null>();
    for (const t of times)
      points.set(t, apply(scalar(a) ? ga.points.get(Number.NaN) : ga.points.get(t), scalar(b) ? gb.points.get(Number.NaN) : gb.points.get(t)));
    out.set(key, { tags: ga.tags.length ? ga.tags : gb.tags, points });
  }
  return out;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string>): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

export async function startContractServer(options: ContractOptions): Promise<ContractServer> {
  const seen: SeenQuery[] = [];
  const counts = new Map<number, number>();
  const now = () => (options.now ?? (() => Date.now() / 1000))();
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const query = url.searchParams.get('query') ?? '';
    const from = Number(url.searchParams.get('from'));
    const to = Number(url.searchParams.get('to'));
    const record = (status: number) => seen.push({ query, from, to, status });
    if (url.pathname !== '/api/v1/query' || req.method !== 'GET') return send(res, 404, { errors: ['Not found'] }, {});
    if (req.headers['dd-api-key'] !== options.apiKey || req.headers['dd-application-key'] !== options.appKey) {
      record(403);
      return send(res, 403, { errors: ['Forbidden'] }, {});
    }
    const limit = options.rateLimit ?? { limit: 1600, period: 3600 };
    const window = Math.floor(now() / limit.period);
    const used = counts.get(window) ?? 0;
    const rl = (remaining: number) => ({
      'x-ratelimit-limit': String(limit.limit),
      'x-ratelimit-period': String(limit.period),
      'x-ratelimit-remaining': String(Math.max(0, remaining)),
      'x-ratelimit-reset': String(Math.ceil((window + 1) * limit.period - now())),
      'x-ratelimit-name': 'metrics_query',
    });
    if (options.rateLimit && used >= limit.limit) {
      record(429);
      return send(res, 429, { errors: ['Too many requests'] }, rl(0));
    }
    counts.set(window, used + 1);
    if (options.failWith) {
      record(options.failWith);
      return send(res, options.failWith, { errors: ['Internal Server Error'] }, rl(limit.limit - used - 1));
    }
    if (!query || !Number.isFinite(from) || !Number.isFinite(to)) {
      record(400);
      return send(res, 400, { errors: ['The parameters from, to and query are required'] }, rl(limit.limit - used - 1));
    }
    let value: Value;
    try {
      value = new Evaluator(query, options.series, from, to).run();
    } catch (err) {
      record(400);
      return send(res, 400, { errors: [`Error parsing query: ${(err as Error).message}`] }, rl(limit.limit - used - 1));
    }
    record(200);
    const series = [...value.values()].map((g, i) => {
      const pointlist = [...g.points].sort((x, y) => x[0] - y[0]).map(([t, v]) => [t * 1000, v]);
      return {
        aggr: 'sum',
        attributes: {},
        display_name: query,
        end: (pointlist.at(-1)?.[0] ?? to * 1000) as number,
        expression: query,
        interval: 60,
        length: pointlist.length,
        metric: query,
        pointlist,
        query_index: i,
        scope: g.tags.join(',') || '*',
        start: (pointlist[0]?.[0] ?? from * 1000) as number,
        tag_set: g.tags,
        unit: null,
      };
    });
    send(
      res,
      200,
      {
        status: 'ok',
        res_type: 'time_series',
        resp_version: 1,
        query,
        message: '',
        from_date: from * 1000,
        to_date: to * 1000,
        group_by: [],
        series,
        values: [],
        times: [],
      },
      rl(limit.limit - used - 1),
    );
  };
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    options,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
