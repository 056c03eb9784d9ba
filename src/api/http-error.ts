// JSON error answers: the shared error shape, the 404 for unknown routes, and the last-resort error handler.
import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import type { Logger } from '../telemetry/logger.js';
import { IntakeError } from '../watch/intake.js';
import { requestIdOf } from './request-id.js';

/** Every error answer is `{ error, message?, ...extra }`; `error` is short and stable, `message` says how to fix. */
export function sendError(res: Response, status: number, error: string, message?: string, extra: Record<string, unknown> = {}): void {
  res.status(status).json({ error, ...(message === undefined ? {} : { message }), ...extra });
}

/** 404 for any route nothing else answered. */
export const notFoundHandler: RequestHandler = (req, res) => {
  sendError(res, 404, 'not found', `no route for ${req.method} ${req.path}; see DESIGN §6 for the API`);
};

interface BodyParserError {
  type?: unknown;
  status?: unknown;
  expose?: unknown;
  message?: unknown;
  length?: unknown;
  limit?: unknown;
  /** A 409 from the intake: the fields in which a repeated deploy id differs from the stored deploy. */
  fields?: unknown;
}

/** Maps body-parser's (expected) client errors to answers; null for anything else. */
function clientError(err: unknown): { status: number; error: string; message: string; extra?: Record<string, unknown> } | null {
  if (err instanceof IntakeError) return { status: 422, error: 'cannot watch deploy', message: err.message };
  if (typeof err !== 'object' || err === null) return null;
  const e = err as BodyParserError;
  if (e.type === 'entity.too.large') {
    const size = typeof e.length === 'number' ? `is ${e.length} bytes` : 'is larger than that';
    return { status: 413, error: 'payload too large', message: `the limit is ${String(e.limit)} bytes (256 KiB) and the body ${size}` };
  }
  if (e.type === 'encoding.unsupported' || e.type === 'charset.unsupported') {
    return { status: 415, error: 'unsupported media type', message: String(e.message) };
  }
  if (err instanceof URIError && e.status === 400) {
    // The router could not percent-decode a path parameter (e.g. /v1/deploys/%ZZ): the client's mistake.
    return { status: 400, error: 'bad request', message: 'the path has a malformed percent-escape (use %XX with two hex digits)' };
  }
  if (e.status === 409 && e.expose === true && Array.isArray(e.fields)) {
    return { status: 409, error: 'conflict', message: String(e.message), extra: { fields: e.fields } };
  }
  if (typeof e.status === 'number' && e.status >= 400 && e.status < 500 && e.expose === true) {
    return { status: e.status, error: 'bad request', message: String(e.message) };
  }
  return null;
}

/**
 * The last middleware: client errors from body parsing get their 4xx; anything else is a bug, logged with
 * the request id and answered 500 without the stack or message (they may carry internals).
 */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    const requestId = requestIdOf(res);
    const known = clientError(err);
    if (known) {
      sendError(res, known.status, known.error, known.message, known.extra);
      return;
    }
    logger.error({ err, requestId, method: req.method, path: req.path }, 'unhandled error in HTTP handler');
    sendError(res, 500, 'internal error', undefined, { requestId });
  };
}
