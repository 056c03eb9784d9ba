// The review UI's files (built by scripts/build-ui.ts into dist/ui) and the live-update stream it listens to.
import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { Router } from 'express';
import type { AppDeps } from '../deps.js';
import { sendError } from '../http-error.js';
import type { RouteDoc } from '../openapi/registry.js';
import { requireViewer } from '../session.js';

export const uiRouteDocs: RouteDoc[] = [
  {
    method: 'get',
    path: '/v1/events',
    summary: 'server-sent events: `deploys` whenever a listed deploy changes (the UI refreshes)',
    auth: 'viewer',
    response: { mediaType: 'text/event-stream', description: 'event stream' },
  },
];

/** What changes on the list page, as one string to compare between polls. */
async function listSignature(deps: AppDeps): Promise<string> {
  const views = await deps.intake.list({ limit: 100 });
  return views.map((v) => `${v.deploy.id}:${v.watch?.status}:${v.watch?.evaluatedAt}:${v.findings.length}:${v.actions.length}`).join('|');
}

/**
 * /ui and /ui/* answer index.html (the app routes in the browser), /ui/assets/* the bundle. The shell holds no
 * data: every API call it makes needs a token or session. /v1/events polls the store every `pollMs`.
 */
export function uiRoutes(deps: AppDeps, uiDir: string, pollMs = 1000): Router {
  const router = Router();
  const index = path.join(uiDir, 'index.html');
  router.use('/ui/assets', express.static(path.join(uiDir, 'assets'), { index: false, fallthrough: false, maxAge: '1h' }));
  router.get(['/ui', '/ui/{*rest}'], (_req, res) => {
    if (!existsSync(index)) return sendError(res, 503, 'UI not built', `no ${index}: run npm run build:ui (npm install runs it)`);
    res.set('Cache-Control', 'no-cache').sendFile(index);
  });

  router.get('/v1/events', requireViewer(deps.auth), async (req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    res.write('retry: 2000\n\n');
    let last = await listSignature(deps);
    let busy = false;
    const timer = setInterval(() => {
      if (busy) return;
      busy = true;
      listSignature(deps)
        .then((sig) => {
          if (sig !== last) res.write(`event: deploys\ndata: ${JSON.stringify({ at: Date.now() })}\n\n`);
          else res.write(': keep-alive\n\n');
          last = sig;
        })
        .catch((err: unknown) => deps.logger.warn({ err }, 'live updates: reading deploys failed'))
        .finally(() => (busy = false));
    }, pollMs);
    req.on('close', () => clearInterval(timer));
  });
  return router;
}
