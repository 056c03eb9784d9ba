// Answers through a response schema: the body is what the schema promises, never a store record passed through.
import type { Response } from 'express';
import type { z } from 'zod';

/**
 * Sends `body` as parsed by `schema` (fields the schema does not name are dropped). A body that does not fit is a
 * bug in the guard, not the caller's: it throws, and the error handler answers 500 and logs it.
 */
export function respond<S extends z.ZodType>(res: Response, schema: S, body: z.input<S>, status = 200): void {
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    throw new Error(
      `response for ${res.req.method} ${res.req.path} does not fit its schema: ${parsed.error.message}; fix the route or the schema in src/api/schemas/`,
      { cause: parsed.error },
    );
  }
  res.status(status).json(parsed.data);
}
