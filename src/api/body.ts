// Request body handling: read the raw bytes once (signatures are computed over them), then parse JSON after auth.
import express, { type Request, type RequestHandler, type Response } from 'express';
import { sendError } from './http-error.js';

/** Largest body accepted, in bytes (256 KiB). A deploy event is a few KiB; GitHub payloads rarely exceed 30. */
export const BODY_LIMIT_BYTES = 256 * 1024;

const readRaw = express.raw({ type: () => true, limit: BODY_LIMIT_BYTES });

/**
 * Reads the body as bytes whatever its content type (so `curl -d` without a JSON content type works) and
 * keeps them in res.locals.rawBody for signature checks. Over the limit → 413 via the error handler.
 */
export const readRawBody: RequestHandler = (req, res, next) => {
  readRaw(req, res, (err?: unknown) => {
    if (err) return next(err);
    res.locals.rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    req.body = undefined;
    next();
  });
};

/** The exact bytes the client sent (empty when there was no body or readRawBody did not run). */
export function rawBodyOf(res: Response): Buffer {
  const raw: unknown = res.locals.rawBody;
  return Buffer.isBuffer(raw) ? raw : Buffer.alloc(0);
}

/** Parses the raw body as JSON into req.body; 400 with the parser's message (it names the position). */
export const parseJsonBody: RequestHandler = (req: Request, res: Response, next) => {
  const raw = rawBodyOf(res);
  if (raw.length === 0) {
    sendError(res, 400, 'invalid JSON', 'the request body is empty: send a JSON object');
    return;
  }
  try {
    req.body = JSON.parse(raw.toString('utf8')) as unknown;
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    const form = req.is('application/x-www-form-urlencoded')
      ? '; the body is form-encoded: send Content-Type application/json (in GitHub: webhook "Content type: application/json")'
      : '';
    sendError(res, 400, 'invalid JSON', `the request body is not valid JSON: ${why}${form}`);
    return;
  }
  next();
};
