// The CLI's HTTP client for a running guard: signed or bearer requests, retries on network trouble, zod at the boundary.
import { z } from 'zod';
import { DeployDetailResponse, DeployListResponse, DeployResponse, type DeploySummaryBody, type FindingBody } from '../api/schemas/index.js';
import { signRequest } from '../api/signature.js';

/** How requests prove they come from CI: `signed` (HMAC over time, method, path and body; the token never travels) or `bearer`. */
export const AUTH_MODES = ['signed', 'bearer'] as const;
export type AuthMode = (typeof AUTH_MODES)[number];

/**
 * A deploy as the guard answers it: the API's own response schemas (src/api/schemas/), never a second copy. GET
 * /v1/deploys/:id adds the review history (DeployDetailResponse); the commands read the fields every answer has.
 */
export type DeployViewWire = DeployResponse;
export type FindingWire = FindingBody;
/** A deploy of a GET /v1/deploys page: findings without evidence, actions without payloads (DeploySummaryBody). */
export type DeploySummaryWire = DeploySummaryBody;

/** GET /v1/deploys as DeployListResponse, but a guard older than the cursor sends no `next` (its pages end at `limit`). */
const DeployListWire = DeployListResponse.extend({ next: z.string().nullable().optional() });

/** Trouble talking to the guard, as a value the commands turn into a message and exit code 2. */
export class GuardRequestError extends Error {
  override readonly name = 'GuardRequestError';
  constructor(
    message: string,
    /** HTTP status, or null when no answer came back. */
    readonly status: number | null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface GuardClientOptions {
  /** Base URL of the guard, e.g. https://guard.example.com (a path prefix is kept). */
  url: string;
  token: string;
  auth: AuthMode;
  fetch?: typeof fetch;
  /** Unix seconds, for the signature timestamp. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Attempts per request for network errors, 429 and 5xx (default 6: about 30 s of back-off). */
  attempts?: number;
  /** Per-attempt timeout in ms (default 15 s). */
  requestTimeoutMs?: number;
}

export interface GuardClient {
  readonly url: string;
  /** POST /v1/deploys: `created` false when the id was already known (a retried or repeated post). */
  postDeploy(body: Record<string, unknown>): Promise<{ view: DeployViewWire; raw: unknown; created: boolean }>;
  /** GET /v1/deploys/:id, or null for 404. */
  getDeploy(id: string): Promise<{ view: DeployViewWire; raw: unknown } | null>;
  /** A page of GET /v1/deploys; `next` is the cursor of the following page (query `cursor`), null on the last one. */
  listDeploys(query: Record<string, string | undefined>): Promise<{ views: DeploySummaryWire[]; next: string | null; raw: unknown }>;
  /** The review UI page of a deploy. */
  uiLink(id: string): string;
}

const RETRYABLE_STATUS = new Set([408, 425, 429, 500, 502, 503, 504]);

/** Builds the client. Requests are idempotent (GETs, and POSTs carrying an id), so every one may be retried. */
export function createGuardClient(opts: GuardClientOptions): GuardClient {
  const base = opts.url.replace(/\/+$/, '');
  const doFetch = opts.fetch ?? fetch;
  const now = opts.now ?? (() => Date.now() / 1000);
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const attempts = opts.attempts ?? 6;
  const timeoutMs = opts.requestTimeoutMs ?? 15_000;

  function headersFor(method: string, url: URL, body: string): Record<string, string> {
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'release-guard-cli' };
    if (body) headers['content-type'] = 'application/json';
    if (opts.auth === 'bearer') headers.authorization = `Bearer ${opts.token}`;
    else Object.assign(headers, signRequest(opts.token, { timestamp: now(), method, path: `${url.pathname}${url.search}`, body }));
    return headers;
  }

  async function request(method: 'GET' | 'POST', path: string, body = ''): Promise<{ status: number; json: unknown }> {
    const url = new URL(`${base}${path}`);
    let last: GuardRequestError | null = null;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (attempt > 1) await sleep(Math.min(8000, 500 * 2 ** (attempt - 2)));
      let res: Response;
      try {
        // Signed afresh per attempt: the timestamp must stay inside the guard's replay window.
        res = await doFetch(url, { method, headers: headersFor(method, url, body), body: body || undefined, signal: AbortSignal.timeout(timeoutMs) });
      } catch (err) {
        last = new GuardRequestError(`cannot reach the guard at ${base} (${describeNetworkError(err)}); check --url / RELEASE_GUARD_URL`, null, { cause: err });
        continue;
      }
      const text = await res.text().catch(() => '');
      const json = parseJson(text);
      if (res.ok || res.status === 404) return { status: res.status, json };
      const problem = new GuardRequestError(`${method} ${url.pathname} answered ${res.status}: ${explain(json, text)}`, res.status);
      if (!RETRYABLE_STATUS.has(res.status)) throw problem;
      last = problem;
    }
    const tries = attempts > 1 ? ` (gave up after ${attempts} attempts)` : '';
    throw new GuardRequestError(`${last?.message ?? 'request failed'}${tries}`, last?.status ?? null, { cause: last });
  }

  function parseView(json: unknown, what: string, schema: z.ZodType<DeployViewWire> = DeployResponse): DeployViewWire {
    const parsed = schema.safeParse(json);
    if (!parsed.success)
      throw new GuardRequestError(
        `the guard's answer to ${what} is not a deploy view (${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}); is --url a release-guard?`,
        null,
      );
    return parsed.data;
  }

  return {
    url: base,
    async postDeploy(body) {
      const { status, json } = await request('POST', '/v1/deploys', JSON.stringify(body));
      if (status === 404) throw new GuardRequestError(`POST /v1/deploys answered 404: is --url (${base}) the guard's base URL?`, 404);
      return { view: parseView(json, 'POST /v1/deploys'), raw: json, created: status === 202 };
    },
    async getDeploy(id) {
      const { status, json } = await request('GET', `/v1/deploys/${encodeURIComponent(id)}`);
      return status === 404 ? null : { view: parseView(json, `GET /v1/deploys/${id}`, DeployDetailResponse), raw: json };
    },
    async listDeploys(query) {
      const q = new URLSearchParams(Object.entries(query).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== '')).toString();
      const { status, json } = await request('GET', `/v1/deploys${q ? `?${q}` : ''}`);
      const parsed = DeployListWire.safeParse(json);
      if (status === 404 || !parsed.success)
        throw new GuardRequestError(`GET /v1/deploys did not answer with a deploy list; is --url (${base}) a release-guard?`, status);
      return { views: parsed.data.deploys, next: parsed.data.next ?? null, raw: json };
    },
    uiLink: (id) => `${base}/ui/deploys/${encodeURIComponent(id)}`,
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** The guard's own explanation: `{error, message}` or field issues; the raw text (shortened) otherwise. */
function explain(json: unknown, text: string): string {
  const a = (json ?? {}) as { error?: unknown; message?: unknown; issues?: Array<{ path?: unknown; message?: unknown }> };
  const issues = Array.isArray(a.issues) ? a.issues.map((i) => `${String(i.path || 'body')}: ${String(i.message)}`).join('; ') : '';
  const said = [a.error, a.message].filter((x) => typeof x === 'string' && x).join(': ');
  return [said, issues].filter(Boolean).join(' — ') || text.slice(0, 200) || '(empty answer)';
}

function describeNetworkError(err: unknown): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError') return 'no answer in time';
  return e.cause?.code ?? e.cause?.message ?? e.message ?? String(err);
}
