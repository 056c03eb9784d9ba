// The bench's reference: a bare express 5 + sqlite3 (WAL) handler doing what the guard's ingest must do at least —
// bearer auth (constant time), a raw body parsed as JSON, one INSERT — and a 50-row list. Usage: node reference-server.mjs <port> <dir> <token>
import { timingSafeEqual } from 'node:crypto';
import path from 'node:path';
import express from 'express';
import sqlite3 from 'sqlite3';

const [port, dir, token] = process.argv.slice(2);
const db = new sqlite3.Database(path.join(dir, 'reference.db'));
const run = (sql, params = []) => new Promise((resolve, reject) => db.run(sql, params, (err) => (err ? reject(err) : resolve())));
const all = (sql, params = []) => new Promise((resolve, reject) => db.all(sql, params, (err, rows) => (err ? reject(err) : resolve(rows))));
await run('PRAGMA journal_mode = WAL');
await run('PRAGMA synchronous = NORMAL');
await run(
  'CREATE TABLE IF NOT EXISTS deploys (id TEXT PRIMARY KEY, service TEXT NOT NULL, environment TEXT NOT NULL, version TEXT NOT NULL, started_at REAL NOT NULL, body TEXT NOT NULL)',
);
await run('CREATE INDEX IF NOT EXISTS deploys_started ON deploys (started_at DESC, id DESC)');

const expected = Buffer.from(`Bearer ${token}`);
const authorized = (header) => {
  const got = Buffer.from(header ?? '');
  return got.length === expected.length && timingSafeEqual(got, expected);
};

const app = express();
app.get('/healthz', (_req, res) => res.json({ ok: true }));
app.post('/v1/deploys', express.raw({ type: () => true, limit: 256 * 1024 }), async (req, res) => {
  if (!authorized(req.headers.authorization)) return res.status(401).json({ error: 'unauthorized' });
  let body;
  try {
    body = JSON.parse(req.body.toString('utf8'));
  } catch {
    return res.status(400).json({ error: 'bad json' });
  }
  if (typeof body.service !== 'string' || typeof body.environment !== 'string' || typeof body.version !== 'string')
    return res.status(400).json({ error: 'missing fields' });
  const record = { id: String(body.id), service: body.service, environment: body.environment, version: body.version, startedAt: Date.now() / 1000 };
  await run('INSERT INTO deploys (id, service, environment, version, started_at, body) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING', [
    record.id,
    record.service,
    record.environment,
    record.version,
    record.startedAt,
    JSON.stringify(body),
  ]);
  res.status(202).json({ deploy: record });
});
app.get('/v1/deploys', async (req, res) => {
  if (!authorized(req.headers.authorization)) return res.status(401).json({ error: 'unauthorized' });
  const rows = await all('SELECT id, service, environment, version, started_at AS startedAt FROM deploys ORDER BY started_at DESC, id DESC LIMIT 50');
  res.json({ deploys: rows });
});
app.listen(Number(port), '127.0.0.1');
