// Answers through a response schema: the body is what the schema promises, never a store record passed through.
import type { Response } from 'express';
import type { z } from 'zod';

/** The body parsed by `schema`; a body that does not fit throws (a bug in the guard: the error handler answers 500). */
function checked<S extends z.ZodType>(res: Response, schema: S, body: z.input<S>): z.output<S> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    throw new Error(
      `response for ${res.req.method} ${res.req.path} does not fit its schema: ${parsed.error.message}; fix the route or the schema in src/api/schemas/`,
      { cause: parsed.error },
    );
  }
  return parsed.data;
}

/**
 * Sends `body` as parsed by `schema` (fields the schema does not name are dropped). A body that does not fit is a
 * bug in the guard, not the caller's: it throws, and the error handler answers 500 and logs it.
 */
export function respond<S extends z.ZodType>(res: Response, schema: S, body: z.input<S>, status = 200): void {
  res.status(status).json(checked(res, schema, body));
}

/** A body checked and serialized once: its bytes, and their ETag when the app makes ETags. */
interface Prepared {
  bytes: Buffer;
  etag: string | undefined;
}

const prepared = new WeakMap<z.ZodType, WeakMap<object, Map<string, Prepared>>>();

/**
 * `respond` for a body that `build` makes from `shared`, a value that is never changed once made (the store's list
 * pages are frozen), and from `variant`, the rest of what the body depends on. The first call with the same schema,
 * `shared` and `variant` checks and serializes the body; later ones send the same bytes with the same headers
 * (Content-Type, Content-Length, ETag: what `res.json` sends) without building it again.
 */
export function respondShared<S extends z.ZodType>(res: Response, schema: S, shared: object, variant: string, build: () => z.input<S>, status = 200): void {
  const app = res.app;
  // res.json would serialize differently with these set (none is, in app.ts): no bytes of our own then.
  if (app.get('json replacer') || app.get('json spaces') || app.get('json escape')) return respond(res, schema, build(), status);
  let byShared = prepared.get(schema);
  if (!byShared) prepared.set(schema, (byShared = new WeakMap()));
  let byVariant = byShared.get(shared);
  if (!byVariant) byShared.set(shared, (byVariant = new Map()));
  let body = byVariant.get(variant);
  if (!body) {
    const bytes = Buffer.from(JSON.stringify(checked(res, schema, build())), 'utf8');
    const etagOf: unknown = app.get('etag fn');
    body = { bytes, etag: typeof etagOf === 'function' ? (etagOf as (b: Buffer) => string | undefined)(bytes) : undefined };
    byVariant.set(variant, body);
  }
  res.status(status).set('Content-Type', 'application/json; charset=utf-8');
  if (body.etag) res.set('ETag', body.etag);
  res.send(body.bytes);
}
