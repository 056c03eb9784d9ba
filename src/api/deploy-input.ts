// The body of POST /v1/deploys (DESIGN §6): a strict zod schema that validates and normalizes what CI sends.
import { z } from 'zod';

/** Unix seconds of 2000-01-01T00:00:00Z: anything earlier is a unit or clock mistake, not a deploy. */
export const EARLIEST_STARTED_AT = 946_684_800;
/** How far ahead of the guard's clock a deploy may claim to start (clock skew between CI and the guard). */
export const MAX_FUTURE_SECONDS = 86_400;

const NAME_PATTERN = /^[A-Za-z0-9._-]+$/;
const ID_PATTERN = /^[A-Za-z0-9._:-]+$/;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i;
const DIGITS = /^\d+(\.\d+)?$/;

function requiredString(what: string) {
  return z.string({ error: (iss) => (iss.input === undefined ? `required: ${what}` : `must be a string: ${what}`) });
}

function name(what: string) {
  return requiredString(what)
    .trim()
    .min(1, `must not be empty: ${what}`)
    .max(128, 'must be at most 128 characters')
    .regex(NAME_PATTERN, 'may contain only letters, digits, ".", "_" and "-" (at most 128 characters)');
}

function text(what: string, max: number) {
  return requiredString(what).trim().min(1, `must not be empty: ${what}`).max(max, `must be at most ${max} characters`);
}

/** Turns a number or string into Unix seconds, or explains what is wrong with it. */
function toUnixSeconds(value: number | string): { ok: true; seconds: number } | { ok: false; message: string } {
  if (typeof value === 'number') return { ok: true, seconds: value };
  const v = value.trim();
  if (DIGITS.test(v)) return { ok: true, seconds: Number(v) };
  const ms = ISO_DATE_TIME.test(v) ? Date.parse(v) : Number.NaN;
  if (Number.isNaN(ms)) {
    return { ok: false, message: `"${value.slice(0, 64)}" is neither Unix seconds nor an ISO-8601 date-time with offset, e.g. "2025-11-20T14:00:00Z"` };
  }
  return { ok: true, seconds: Math.floor(ms / 1000) };
}

/** Checks the range of a start time against the guard's clock; null when it is acceptable. */
function startedAtProblem(seconds: number, now: number): string | null {
  if (seconds < EARLIEST_STARTED_AT) return `${seconds} is before 2000-01-01; send Unix seconds (or an ISO-8601 date-time)`;
  if (seconds > now + MAX_FUTURE_SECONDS) {
    const hint = seconds > 1e11 ? ' (it looks like milliseconds: send seconds)' : '; check the CI clock';
    return `${seconds} is more than 1 day in the future${hint}`;
  }
  return null;
}

function startedAt(nowSeconds: () => number) {
  return z
    .union([z.number(), z.string()], { error: 'must be Unix seconds (number) or an ISO-8601 date-time string, e.g. "2025-11-20T14:00:00Z"' })
    .transform((value, ctx) => {
      const parsed = toUnixSeconds(value);
      const problem = parsed.ok ? startedAtProblem(parsed.seconds, nowSeconds()) : parsed.message;
      if (!parsed.ok || problem !== null) {
        ctx.addIssue({ code: 'custom', message: problem ?? 'invalid start time', input: value });
        return z.NEVER;
      }
      return parsed.seconds;
    });
}

const LinkUrl = z.url({ protocol: /^https?$/, error: 'must be an absolute http(s) URL' });
const MapKey = z.string().min(1, 'keys must not be empty').max(128, 'keys must be at most 128 characters');

/**
 * Builds the DeployInput schema with the clock that bounds `startedAt` (Unix seconds, may be fractional).
 * Tests pass a fixed clock; the app uses {@link DeployInput}.
 */
export function deployInputSchema(nowSeconds: () => number) {
  return z
    .object({
      service: name('the service name, e.g. "checkout"'),
      environment: name('the environment, e.g. "production"'),
      version: text('the version being deployed, e.g. "v1.2.0"', 256),
      id: requiredString('the deploy id')
        .trim()
        .min(1, 'must not be empty (omit it to have one generated)')
        .max(128, 'must be at most 128 characters')
        .regex(ID_PATTERN, 'may contain only letters, digits, ".", "_", ":" and "-" (at most 128 characters)')
        .optional(),
      previousVersion: text('the version being replaced', 256).optional(),
      commit: text('the commit', 256).optional(),
      startedAt: startedAt(nowSeconds).optional(),
      links: z.record(MapKey, LinkUrl).refine((r) => Object.keys(r).length <= 64, 'at most 64 links').optional(),
      labels: z
        .record(MapKey, z.string({ error: 'label values must be strings' }).max(1024, 'label values must be at most 1024 characters'))
        .refine((r) => Object.keys(r).length <= 64, 'at most 64 labels')
        .optional(),
    })
    .strict();
}

/**
 * A deploy as CI reports it. `id` and `startedAt` may be absent: the API generates `d-<uuid>` ids and the
 * intake uses the receive time as the start.
 */
export const DeployInput = deployInputSchema(() => Date.now() / 1000);
export type DeployInput = z.infer<typeof DeployInput>;

/** The field names DeployInput accepts, for error messages. */
export const DEPLOY_INPUT_FIELDS: readonly string[] = Object.keys(DeployInput.shape);
