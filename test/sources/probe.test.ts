// The start-up probe says which network metric sources do not answer, against real local HTTP servers.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeSources } from '../../src/sources/probe.js';
import { createSource, SourceConfig } from '../../src/sources/registry.js';
import { silentLogger } from '../../src/telemetry/logger.js';

let ok: Server;
let okUrl: string;
beforeAll(async () => {
  ok = createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: [] } }));
  });
  await new Promise<void>((resolve) => ok.listen(0, '127.0.0.1', resolve));
  const addr = ok.address();
  okUrl = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
});
afterAll(() => new Promise<void>((resolve) => ok.close(() => resolve())));

const source = async (name: string, config: unknown) =>
  [name, await createSource(name, SourceConfig.parse(config), { logger: silentLogger(), baseDir: '.' })] as const;
const decl = {
  unit: 'req/s',
  direction: 'decrease' as const,
  queries: { prometheus: 'sum(rate(http_requests_total{service="{{service}}"}[{{rateInterval}}]))' },
};

describe('probeSources', () => {
  it('says which source answers, which does not and which it could not probe; skips the demo source', async () => {
    const sources = new Map(
      await Promise.all([
        source('up', { type: 'prometheus', url: okUrl }),
        source('down', { type: 'prometheus', url: 'http://127.0.0.1:9', retries: 0 }),
        source('demo', { type: 'demo' }),
      ]),
    );
    const probes = await probeSources(sources, decl, { now: 1_763_647_200, timeoutMs: 5000 });
    expect(probes.map((p) => [p.source, p.status])).toEqual([
      ['up', 'answers'],
      ['down', 'no-answer'],
    ]);
    expect(probes[1]!.problem).toMatch(/ECONNREFUSED|refused/);
    const bare = await probeSources(sources, { unit: 'req/s', direction: 'decrease' }, { now: 1_763_647_200, timeoutMs: 5000 });
    expect(bare.map((p) => p.status)).toEqual(['not-probed', 'not-probed']);
  });

  it('gives up on a source that does not answer in time', async () => {
    const hang = createServer(() => undefined);
    await new Promise<void>((resolve) => hang.listen(0, '127.0.0.1', resolve));
    const addr = hang.address();
    const port = typeof addr === 'object' && addr ? addr.port : 0;
    const probes = await probeSources(new Map([await source('slow', { type: 'prometheus', url: `http://127.0.0.1:${port}`, retries: 0 })]), decl, {
      now: 1_763_647_200,
      timeoutMs: 300,
    });
    hang.closeAllConnections();
    await new Promise<void>((resolve) => hang.close(() => resolve()));
    expect(probes).toEqual([{ source: 'slow', status: 'no-answer', problem: 'no answer within 0.3s' }]);
  });
});
