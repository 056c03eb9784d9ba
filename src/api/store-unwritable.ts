// A store that cannot be written (disk full, read-only) is expected trouble: 503 with what to do, not a 500.
import type { ErrorRequestHandler } from 'express';
import { unwritableReason } from '../store/store-health.js';
import { sendError } from './http-error.js';

/** Seconds a client should wait before retrying a write refused because the store is unwritable. */
export const STORE_RETRY_AFTER = 30;

/** Answers 503 (Retry-After) for errors that mean the store cannot be written; passes anything else on. */
export const storeUnwritableHandler: ErrorRequestHandler = (err, _req, res, next) => {
  const reason = unwritableReason(err);
  if (reason === null || res.headersSent) {
    next(err);
    return;
  }
  res.set('Retry-After', String(STORE_RETRY_AFTER));
  sendError(
    res,
    503,
    'store unwritable',
    `release-guard cannot write its store (${reason}), so nothing from this request was kept; retry in ${STORE_RETRY_AFTER}s. ` +
      'Operators: free space in the data dir (or make it writable); reads keep working and watches resume on their own',
  );
};
