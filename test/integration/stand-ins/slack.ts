// A Slack incoming-webhook stand-in on 127.0.0.1: 200 "ok", plain-text errors, 429 with Retry-After, scripted faults.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FaultScript } from './script.js';

export interface SlackMessage {
  text?: string;
  blocks?: Array<Record<string, unknown>>;
}

export class SlackStandIn {
  readonly faults = new FaultScript();
  /** Messages answered 200 ok, per webhook path. */
  readonly accepted: Array<{ path: string; message: SlackMessage }> = [];
  requests = 0;
  private server: Server;
  private port = 0;
  /** The webhook paths that exist; anything else is 404 channel_not_found. */
  private readonly hooks = new Set<string>();

  constructor() {
    this.server = this.create();
  }

  /** A new webhook URL (its path is the secret). */
  webhook(name: string): string {
    const path = `/services/T0TEST/B0${name.toUpperCase()}/s3cr3t${name}Xq9`;
    this.hooks.add(path);
    return `http://127.0.0.1:${this.port}${path}`;
  }

  texts(): string[] {
    return this.accepted.map((m) => m.message.text ?? '');
  }

  async start(port = 0): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    this.server = this.create();
  }

  async restart(): Promise<void> {
    await this.start(this.port);
  }

  private create(): Server {
    return createServer((req, res) => void this.handle(req, res));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    this.requests++;
    const fault = this.faults.take();
    if (fault?.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
    if (fault?.drop) return void req.socket.destroy();
    if (fault?.status) {
      res.writeHead(fault.status, { 'content-type': 'text/plain', ...fault.headers });
      return void res.end(fault.body ?? '');
    }
    const path = req.url ?? '';
    if (req.method !== 'POST' || !this.hooks.has(path)) return this.text(res, 404, 'channel_not_found');
    let message: SlackMessage;
    try {
      message = JSON.parse(Buffer.concat(chunks).toString('utf8')) as SlackMessage;
    } catch {
      return this.text(res, 400, 'invalid_payload');
    }
    if (typeof message.text !== 'string' && !Array.isArray(message.blocks)) return this.text(res, 400, 'invalid_payload');
    if (Array.isArray(message.blocks) && message.blocks.some((b) => typeof b.type !== 'string')) return this.text(res, 400, 'invalid_blocks');
    this.accepted.push({ path, message });
    this.text(res, 200, 'ok');
  }

  private text(res: ServerResponse, status: number, body: string): void {
    res.writeHead(status, { 'content-type': 'text/plain' });
    res.end(body);
  }
}

/** Slack's rate limit answer and its server error, as scripted faults. */
export const SLACK_RATE_LIMITED = (seconds: number) => ({ status: 429, body: 'rate_limited', headers: { 'retry-after': String(seconds) } });
export const SLACK_ROLLUP_ERROR = { status: 500, body: 'rollup_error' };
