// Turns zod validation errors into the API's field-level `issues` list: one entry per problem, named by path.
import type { z } from 'zod';

/** One field problem in a 400 answer: `path` is dotted ("labels.team"), "" for the body itself. */
export interface ApiIssue {
  path: string;
  message: string;
}

/**
 * Lists every problem in a zod error. Unknown keys become one issue per key, naming the key and the
 * fields that are accepted (when `allowed` is given).
 */
export function toApiIssues(error: z.ZodError, allowed?: readonly string[]): ApiIssue[] {
  const out: ApiIssue[] = [];
  for (const issue of error.issues) {
    const base = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const hint = allowed ? `; accepted fields: ${allowed.join(', ')}` : '';
        out.push({ path: base ? `${base}.${key}` : key, message: `unknown field "${key}"${hint}` });
      }
      continue;
    }
    if (issue.code === 'invalid_key' && issue.issues[0]) {
      // A record key failed its schema: say why (zod's own message is only "Invalid key in record").
      out.push({ path: base, message: issue.issues[0].message });
      continue;
    }
    out.push({ path: base, message: issue.message });
  }
  return out;
}
