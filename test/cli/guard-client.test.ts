// The CLI's guard client against real servers on 127.0.0.1: the signed-request headers, and retries that are safe.
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signRequest } from '../../src/api/signature.js';
import { createGuardClient } from '../../src/cli/guard-client.js';
import { CLI_TOKEN, startLiveGuard, type LiveGuard } from './live-guard.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

async function listen(
  handler: (req: IncomingMessage, body: string, res: import('node:http').ServerResponse) => void,
): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => handler(req, body, res));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}
const close = (s: Server) =>
  new Promise<void>((r) => {
    s.closeAllConnections();
    s.close(() => r());
  });

let live: LiveGuard;
beforeAll(async () => {
  live = await startLiveGuard();
});
afterAll(async () => {
  await live?.close();
});

describe('guard client', () => {
  it('signs method, path with prefix and query, and the exact body; the token itself is never sent', async () => {
    const seen: Seen[] = [];
    const { server, url } = await listen((req, body, res) => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ deploys: [] }));
    });
    try {
      const client = createGuardClient({ url: `${url}/guard/`, token: 's3cret-token', auth: 'signed', now: () => 1_800_000_000.7 });
      await client.listDeploys({ service: 'check out', status: undefined });
      await client.postDeploy({ id: 'x', service: 'a' }).catch(() => undefined);
      const [get, post] = seen;
      expect(get?.url).toBe('/guard/v1/deploys?service=check+out');
      expect(get?.headers['x-release-guard-timestamp']).toBe('1800000000');
      expect(get?.headers['x-release-guard-signature']).toBe(
        signRequest('s3cret-token', { timestamp: 1_800_000_000, method: 'GET', path: '/guard/v1/deploys?service=check+out', body: '' })[
          'X-Release-Guard-Signature'
        ],
      );
      expect(post?.body).toBe('{"id":"x","service":"a"}');
      expect(post?.headers['x-release-guard-signature']).toBe(
        signRequest('s3cret-token', { timestamp: 1_800_000_000, method: 'POST', path: '/guard/v1/deploys', body: post?.body ?? '' })[
          'X-Release-Guard-Signature'
        ],
      );
      for (const s of seen) {
        expect(s.headers.authorization).toBeUndefined();
        expect(JSON.stringify(s.headers)).not.toContain('s3cret-token');
      }
    } finally {
      await close(server);
    }
  });

  it('bearer mode sends the token as Authorization: Bearer', async () => {
    const seen: Seen[] = [];
    const { server, url } = await listen((req, body, res) => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      res.writeHead(404).end('{}');
    });
    try {
      expect(await createGuardClient({ url, token: 'tok', auth: 'bearer' }).getDeploy('a/b')).toBeNull();
      expect(seen[0]?.url).toBe('/v1/deploys/a%2Fb');
      expect(seen[0]?.headers.authorization).toBe('Bearer tok');
      expect(seen[0]?.headers['x-release-guard-signature']).toBeUndefined();
    } finally {
      await close(server);
    }
  });

  it('a post whose answer was lost is retried with the same id: one deploy, reported as already posted', async () => {
    let posts = 0;
    const target = new URL(live.guard.url);
    // A proxy that forwards every request but cuts the connection instead of answering the first POST.
    const { server, url } = await listen((req, body, res) => {
      const isPost = req.method === 'POST';
      if (isPost) posts++;
      const upstream = httpRequest({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
        let text = '';
        answer.on('data', (c: Buffer) => (text += c.toString()));
        answer.on('end', () => {
          if (isPost && posts === 1) return res.socket?.destroy();
          res.writeHead(answer.statusCode ?? 500, { 'content-type': 'application/json' }).end(text);
        });
      });
      upstream.end(body);
    });
    try {
      const sleeps: number[] = [];
      const client = createGuardClient({ url, token: CLI_TOKEN, auth: 'bearer', sleep: async (ms) => void sleeps.push(ms) });
      const { view, created } = await client.postDeploy({ id: 'retried-1', service: 'demo-shop', environment: 'production', version: 'v9' });
      expect(posts).toBe(2);
      expect(sleeps).toEqual([500]);
      expect(created).toBe(false);
      expect(view.deploy.id).toBe('retried-1');
      const listed = await createGuardClient({ url: live.guard.url, token: CLI_TOKEN, auth: 'bearer' }).listDeploys({ service: 'demo-shop' });
      expect(listed.views.filter((v) => v.deploy.id === 'retried-1')).toHaveLength(1);
      expect(listed.next).toBeNull();
      const paged = await createGuardClient({ url: live.guard.url, token: CLI_TOKEN, auth: 'bearer' }).listDeploys({ service: 'demo-shop', limit: '1' });
      expect(paged.views).toHaveLength(1);
      expect(paged.next).toMatch(/^[A-Za-z0-9_-]+$/);
    } finally {
      await close(server);
    }
  });

  it('retries 503 and 429 with back-off, gives up after the attempts; a 4xx is not retried', async () => {
    const statuses = [503, 429, 502];
    let calls = 0;
    const { server, url } = await listen((_req, _body, res) => {
      const status = statuses[calls++] ?? 400;
      res
        .writeHead(status, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: status === 400 ? 'invalid deploy' : 'busy', message: `try ${calls}` }));
    });
    try {
      const sleeps: number[] = [];
      const client = createGuardClient({ url, token: 't', auth: 'bearer', attempts: 3, sleep: async (ms) => void sleeps.push(ms) });
      await expect(client.getDeploy('x')).rejects.toThrow('GET /v1/deploys/x answered 502: busy: try 3 (gave up after 3 attempts)');
      expect(sleeps).toEqual([500, 1000]);
      await expect(client.getDeploy('x')).rejects.toThrow('GET /v1/deploys/x answered 400: invalid deploy: try 4');
      expect(calls).toBe(4);
    } finally {
      await close(server);
    }
  });

  it('says so when --url is not a release-guard', async () => {
    const { server, url } = await listen((_req, _body, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>hello</html>'));
    try {
      await expect(createGuardClient({ url, token: 't', auth: 'bearer' }).getDeploy('x')).rejects.toThrow(/is not a deploy view .*is --url a release-guard\?/);
    } finally {
      await close(server);
    }
  });
});
