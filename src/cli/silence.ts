// `release-guard silence add|list|expire`: mutes alerts of a service for a time range through the running guard's API.
import os from 'node:os';
import type { Command } from 'commander';
import type { SilenceView } from '../actions/silences/service.js';

export interface SilenceClientOptions {
  url?: string;
  token?: string;
  config?: string;
  json?: boolean;
}

type Out = (line: string) => void;

/** Where the guard is and the admin token: flags, then RELEASE_GUARD_ADMIN_TOKEN / the config. */
async function target(opts: SilenceClientOptions): Promise<{ url: string; token: string }> {
  const { loadConfig } = await import('../config/load.js');
  const loaded = loadConfig({ file: opts.config });
  const url = (opts.url ?? `http://127.0.0.1:${loaded.config.port}`).replace(/\/$/, '');
  const token = opts.token ?? loaded.secrets.adminToken;
  if (!token) throw new Error('no admin token: pass --token or set RELEASE_GUARD_ADMIN_TOKEN (silences need the admin token)');
  return { url, token };
}

async function call(opts: SilenceClientOptions, method: string, path: string, body?: unknown, doFetch: typeof fetch = fetch): Promise<unknown> {
  const { url, token } = await target(opts);
  let res: Response;
  try {
    res = await doFetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    throw new Error(`cannot reach the guard at ${url} (${(err as Error).message}); is it running? pass --url`, { cause: err });
  }
  const answer = (await res.json().catch(() => ({}))) as { error?: string; message?: string; issues?: Array<{ path: string; message: string }> };
  if (!res.ok) {
    const issues = answer.issues?.map((i) => `${i.path || 'body'}: ${i.message}`).join('; ');
    throw new Error(`the guard answered ${res.status} ${answer.error ?? ''}: ${answer.message ?? issues ?? ''}`.trim());
  }
  return answer;
}

/** One line per silence: "#3 active checkout/production until 2025-11-20T16:00:00Z by alice: why (muted 2)". */
export function formatSilence(s: SilenceView): string {
  const scope = `${s.service}/${s.environment ?? '*'}`;
  const when =
    s.state === 'pending'
      ? `from ${iso(s.startsAt)} until ${iso(s.endsAt)}`
      : s.state === 'active'
        ? `until ${iso(s.endsAt)}`
        : `ended ${iso(s.expiredAt ?? s.endsAt)}${s.expiredBy ? ` (expired by ${s.expiredBy})` : ''}`;
  return `#${s.id} ${s.state} ${scope} ${when} by ${s.createdBy}: ${s.reason} (muted ${s.muted})`;
}

const iso = (t: number): string => new Date(t * 1000).toISOString().replace('.000Z', 'Z');
const me = (): string => process.env.USER ?? os.userInfo().username;

export interface AddOptions extends SilenceClientOptions {
  service: string;
  environment?: string;
  for?: string;
  until?: string;
  from?: string;
  reason: string;
  by?: string;
}

export async function silenceAdd(opts: AddOptions, out: Out, doFetch?: typeof fetch): Promise<void> {
  const body = {
    service: opts.service,
    ...(opts.environment ? { environment: opts.environment } : {}),
    ...(opts.from ? { startsAt: opts.from } : {}),
    ...(opts.until ? { endsAt: opts.until } : {}),
    ...(opts.for ? { duration: opts.for } : {}),
    createdBy: opts.by ?? me(),
    reason: opts.reason,
  };
  const { silence } = (await call(opts, 'POST', '/v1/silences', body, doFetch)) as { silence: SilenceView };
  out(opts.json ? JSON.stringify(silence) : `silenced: ${formatSilence(silence)}`);
}

export async function silenceList(opts: SilenceClientOptions & { all?: boolean; service?: string }, out: Out, doFetch?: typeof fetch): Promise<void> {
  const query = new URLSearchParams({ ...(opts.all ? { all: 'true' } : {}), ...(opts.service ? { service: opts.service } : {}) }).toString();
  const { silences } = (await call(opts, 'GET', `/v1/silences${query ? `?${query}` : ''}`, undefined, doFetch)) as { silences: SilenceView[] };
  if (opts.json) return out(JSON.stringify(silences));
  if (silences.length === 0) return out(opts.all ? 'no silences' : 'no active or pending silences (--all shows ended ones)');
  for (const s of silences) out(formatSilence(s));
}

export async function silenceExpire(id: string, opts: SilenceClientOptions & { by?: string }, out: Out, doFetch?: typeof fetch): Promise<void> {
  const { silence } = (await call(opts, 'POST', `/v1/silences/${encodeURIComponent(id)}/expire`, { by: opts.by ?? me() }, doFetch)) as { silence: SilenceView };
  out(opts.json ? JSON.stringify(silence) : `expired: ${formatSilence(silence)}`);
}

/** Adds `silence add|list|expire` to the program. */
export function registerSilenceCommands(program: Command): void {
  const out: Out = (line) => process.stdout.write(`${line}\n`);
  /** Expected trouble (no token, guard down, 4xx) is one line on stderr and exit code 2 (could not run), not a stack trace. */
  const run = async (fn: () => Promise<void>): Promise<void> => {
    try {
      await fn();
    } catch (err) {
      process.stderr.write(`release-guard silence: ${(err as Error).message}\n`);
      process.exitCode = 2;
    }
  };
  const silence = program.command('silence').description('mute alerts of a service (and environment) for a while; muted alerts are still stored and shown');
  const common = (c: Command): Command =>
    c
      .option('--url <url>', 'guard base URL (default http://127.0.0.1:<port from config>)')
      .option('--token <token>', 'admin token (default $RELEASE_GUARD_ADMIN_TOKEN)')
      .option('-c, --config <file>', 'config file (for the port and admin token file)')
      .option('--json', 'print JSON');
  common(silence.command('add'))
    .description('create a silence')
    .requiredOption('-s, --service <service>', 'service to silence')
    .option('-e, --environment <env>', 'only this environment (default: all)')
    .option('--for <duration>', 'how long, e.g. 2h or 30m')
    .option('--until <time>', 'end time (ISO 8601), instead of --for')
    .option('--from <time>', 'start time (ISO 8601; default now)')
    .requiredOption('-r, --reason <text>', 'why (recorded)')
    .option('--by <name>', 'who (default $USER)')
    .action((opts: AddOptions) => run(() => silenceAdd(opts, out)));
  common(silence.command('list'))
    .description('list active and pending silences')
    .option('--all', 'include ended and expired silences')
    .option('-s, --service <service>', 'only this service')
    .action((opts: SilenceClientOptions & { all?: boolean; service?: string }) => run(() => silenceList(opts, out)));
  common(silence.command('expire <id>'))
    .description('end a silence now')
    .option('--by <name>', 'who (default $USER)')
    .action((id: string, opts: SilenceClientOptions & { by?: string }) => run(() => silenceExpire(id, opts, out)));
}
