// A PagerDuty Events API v2 stand-in over HTTPS on 127.0.0.1: the real status codes and bodies, scripted faults.
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FaultScript } from './script.js';

export interface PdEvent {
  path: string;
  body: Record<string, unknown>;
}

const SEVERITIES = ['critical', 'error', 'warning', 'info'];

/** What PagerDuty answers 400 with: the problems with the event, or [] when it is valid. */
export function eventProblems(path: string, e: Record<string, unknown>): string[] {
  const problems: string[] = [];
  if (typeof e.routing_key !== 'string' || e.routing_key.length !== 32) problems.push("Length of 'routing_key' is incorrect (should be 32 characters)");
  const payload = e.payload as Record<string, unknown> | undefined;
  if (path === '/v2/change/enqueue') {
    if (typeof payload?.summary !== 'string') problems.push("'payload.summary' is missing or blank");
    return problems;
  }
  if (!['trigger', 'acknowledge', 'resolve'].includes(String(e.event_action)))
    problems.push("'event_action' is invalid (must be one of: trigger, acknowledge, resolve)");
  if (e.event_action === 'trigger') {
    if (typeof payload?.summary !== 'string' || payload.summary === '') problems.push("'payload.summary' is missing or blank");
    if (typeof payload?.source !== 'string' || payload.source === '') problems.push("'payload.source' is missing or blank");
    if (!SEVERITIES.includes(String(payload?.severity))) problems.push("'payload.severity' is invalid (must be one of: critical, error, warning, info)");
  } else if (typeof e.dedup_key !== 'string' || e.dedup_key === '') {
    problems.push("'dedup_key' is missing or blank");
  }
  if (typeof e.dedup_key === 'string' && e.dedup_key.length > 255) problems.push("'dedup_key' is too long (max 255 characters)");
  return problems;
}

export class PagerDutyStandIn {
  readonly faults = new FaultScript();
  /** Every request as received (including refused ones). */
  readonly requests: PdEvent[] = [];
  /** Events answered 202. */
  readonly accepted: PdEvent[] = [];
  /** Incident state by dedup_key, as PagerDuty would keep it. */
  readonly incidents = new Map<string, 'triggered' | 'resolved'>();
  private server: Server;
  private port = 0;

  constructor(private readonly tls: { key: string; cert: string }) {
    this.server = this.create();
  }

  /** host:port for the channel's `server` setting. */
  get host(): string {
    return `127.0.0.1:${this.port}`;
  }

  async start(port = 0): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  /** Stops listening (the endpoint is down) until `start(sameport)` again. */
  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    this.server = this.create();
  }

  /** Restarts on the same port. */
  async restart(): Promise<void> {
    await this.start(this.port);
  }

  private create(): Server {
    return createServer({ key: this.tls.key, cert: this.tls.cert }, (req, res) => void this.handle(req, res));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const path = req.url ?? '';
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
    } catch {
      return this.json(res, 400, { status: 'invalid event', message: 'Event object is invalid', errors: ['Request body is not valid JSON'] });
    }
    const event = { path, body };
    this.requests.push(event);
    const fault = this.faults.take();
    if (fault?.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
    if (fault?.drop) return void req.socket.destroy();
    if (fault?.status) {
      res.writeHead(fault.status, { 'content-type': fault.body?.startsWith('{') ? 'application/json' : 'text/plain', ...fault.headers });
      return void res.end(fault.body ?? '');
    }
    if (req.method !== 'POST' || (path !== '/v2/enqueue' && path !== '/v2/change/enqueue'))
      return this.json(res, 404, { status: 'not found', message: `no route ${path}` });
    const problems = eventProblems(path, body);
    if (problems.length > 0) return this.json(res, 400, { status: 'invalid event', message: 'Event object is invalid', errors: problems });
    this.accepted.push(event);
    if (path === '/v2/change/enqueue') return this.json(res, 202, { status: 'success', message: 'Change event processed' });
    const key = typeof body.dedup_key === 'string' ? body.dedup_key : `generated-${this.accepted.length}`;
    if (body.event_action === 'trigger') this.incidents.set(key, 'triggered');
    if (body.event_action === 'resolve' && this.incidents.has(key)) this.incidents.set(key, 'resolved');
    this.json(res, 202, { status: 'success', message: 'Event processed', dedup_key: key });
  }

  private json(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }
}

/** PagerDuty's answer to too many events, and a 5xx, as the stand-in scripts them. */
export const PD_THROTTLED = {
  status: 429,
  body: JSON.stringify({ status: 'throttle event', message: 'Requests for this service are arriving too quickly.  Please retry later.' }),
};
export const PD_SERVER_ERROR = { status: 500, body: 'Internal Server Error' };
