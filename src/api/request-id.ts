// Gives every request an id (the caller's X-Request-Id when sane, else a UUID), echoed back and used in logs.
import { randomUUID } from 'node:crypto';
import type { RequestHandler, Response } from 'express';

const SANE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Sets res.locals.requestId and the X-Request-Id response header. */
export const assignRequestId: RequestHandler = (req, res, next) => {
  const given = req.get('x-request-id');
  const id = given !== undefined && SANE_ID.test(given) ? given : randomUUID();
  res.locals.requestId = id;
  res.set('X-Request-Id', id);
  next();
};

/** The id assigned by {@link assignRequestId}. */
export function requestIdOf(res: Response): string {
  return String(res.locals.requestId ?? '');
}
