// The route registry behind /v1/openapi.json: each route group lists its routes with the zod schemas that validate
// their requests (and describe their answers); the document is generated from them with z.toJSONSchema.
import { z } from 'zod';

export type Auth = 'none' | 'ci' | 'viewer' | 'admin' | 'github' | 'gitlab';

/** One route as documented. `path` is written the express way (`/v1/deploys/:id`). */
export interface RouteDoc {
  method: 'get' | 'post' | 'delete';
  path: string;
  summary: string;
  auth: Auth;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** The 2xx answer: a zod schema (JSON) or a media type for non-JSON answers. */
  response?: z.ZodType | { mediaType: string; description: string };
  /** Status of the success answer; default 200. */
  status?: number;
  /** Other statuses this route answers, with a short reason. */
  errors?: Record<number, string>;
}

const SECURITY: Record<Auth, Array<Record<string, string[]>>> = {
  none: [],
  ci: [{ bearer: [] }, { hmac: [] }],
  viewer: [{ bearer: [] }, { session: [] }, { hmac: [] }],
  admin: [{ bearer: [] }, { session: [] }],
  github: [{ githubSignature: [] }],
  gitlab: [{ gitlabToken: [] }],
};

/** JSON Schema (draft 2020-12, what OpenAPI 3.1 uses) of what a client sends or receives. */
function schemaOf(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const json = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as Record<string, unknown>;
  delete json.$schema;
  return json;
}

const ERROR = { type: 'object', properties: { error: { type: 'string' }, message: { type: 'string' } }, required: ['error'] };

function operation(r: RouteDoc): Record<string, unknown> {
  const parameters: unknown[] = [...r.path.matchAll(/:([A-Za-z]+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
  if (r.query) {
    const q = schemaOf(r.query, 'input') as { properties?: Record<string, unknown>; required?: string[] };
    for (const [name, schema] of Object.entries(q.properties ?? {}))
      parameters.push({ name, in: 'query', required: q.required?.includes(name) ?? false, schema });
  }
  const ok =
    r.response === undefined
      ? { description: 'OK' }
      : r.response instanceof z.ZodType
        ? { description: 'OK', content: { 'application/json': { schema: schemaOf(r.response, 'output') } } }
        : { description: r.response.description, content: { [r.response.mediaType]: { schema: { type: 'string' } } } };
  const responses: Record<string, unknown> = { [String(r.status ?? 200)]: ok };
  for (const [status, why] of Object.entries({ ...(r.auth === 'none' ? {} : { 401: 'missing or invalid credentials' }), ...r.errors })) {
    responses[status] = { description: why, content: { 'application/json': { schema: ERROR } } };
  }
  return {
    summary: r.summary,
    operationId: `${r.method}${r.path.replace(/[/:.-]+(\w)/g, (_m, c: string) => c.toUpperCase())}`,
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(r.body ? { requestBody: { required: true, content: { 'application/json': { schema: schemaOf(r.body, 'input') } } } } : {}),
    responses,
    security: SECURITY[r.auth],
  };
}

/** The OpenAPI 3.1 document of `routes`. */
export function openApiDocument(routes: readonly RouteDoc[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) (paths[r.path.replace(/:([A-Za-z]+)/g, '{$1}')] ??= {})[r.method] = operation(r);
  return {
    openapi: '3.1.0',
    info: { title: 'release-guard', version, description: 'Guards production releases (DESIGN §6). Every value from a deploy is untrusted text.' },
    paths,
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'CI, viewer or admin token' },
        session: { type: 'apiKey', in: 'cookie', name: 'rg_session', description: 'UI session from POST /v1/session' },
        hmac: { type: 'apiKey', in: 'header', name: 'X-Release-Guard-Signature', description: 'sha256=<hex HMAC-SHA256> keyed with the CI token' },
        githubSignature: { type: 'apiKey', in: 'header', name: 'X-Hub-Signature-256' },
        gitlabToken: { type: 'apiKey', in: 'header', name: 'X-Gitlab-Token' },
      },
    },
  };
}
