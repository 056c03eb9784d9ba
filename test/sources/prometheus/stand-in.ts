// A scripted stand-in for the Prometheus HTTP API on 127.0.0.1 (http or https), recording every request it gets.
import { createServer as createHttp, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttps } from 'node:https';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  path: string;
  headers: IncomingMessage['headers'];
  form: Record<string, string>;
}

/** An answer: status and JSON body; `hang` never answers (for timeouts). */
export type Scripted = { status: number; body: unknown } | { hang: true };

export interface StandIn {
  url: string;
  seen: SeenRequest[];
  /** Answers in order; the last one repeats. */
  script(...answers: Scripted[]): void;
  close(): Promise<void>;
}

export const matrix = (values: Array<[number, string]>, metric: Record<string, string> = {}) => ({
  status: 200,
  body: { status: 'success', data: { resultType: 'matrix', result: [{ metric, values }] } },
});

export async function startStandIn(tls?: { key: string; cert: string }): Promise<StandIn> {
  let answers: Scripted[] = [{ status: 200, body: { status: 'success', data: { resultType: 'matrix', result: [] } } }];
  const seen: SeenRequest[] = [];
  const hanging: ServerResponse[] = [];
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ path: req.url ?? '', headers: req.headers, form: Object.fromEntries(new URLSearchParams(body)) });
      const answer = answers.length > 1 ? answers.shift()! : answers[0]!;
      if ('hang' in answer) {
        hanging.push(res);
        return;
      }
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
    });
  };
  const server: Server = tls ? createHttps(tls, handler) : createHttp(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    seen,
    script: (...next) => {
      answers = next;
    },
    close: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
