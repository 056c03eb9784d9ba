// The body of POST /v1/deploys (DESIGN §6): a strict zod schema that validates and normalizes what CI sends.
import { z } from 'zod';

/** Unix seconds of 2000-01-01T00:00:00Z: anything earlier is a unit or clock mistake, not a deploy. */
export const EARLIEST_STARTED_AT = 946_684_800;
/** Default bound on how far ahead of the guard's clock a deploy may claim to start (CI/guard clock skew): 5 min. */
export const DEFAULT_MAX_CLOCK_SKEW_SECONDS = 300;

/**
 * C0 and C1 control characters and DEL. They have no business in a name, version, label or link, and they break
 * what the values reach: a NUL in an exec hook's environment makes spawn fail, a newline forges log lines.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
export const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;
const NO_CONTROL = 'must not contain control characters (NUL, newline, tab, escape, …)';
/** Characters a link may not keep after re-serialisation: they end a Slack `<url|text>` link (Slack mrkdwn). */
const LINK_BREAKERS = /[|<>\s]/;

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
  return requiredString(what)
    .trim()
    .min(1, `must not be empty: ${what}`)
    .max(max, `must be at most ${max} characters`)
    .refine((v) => !CONTROL_CHARACTERS.test(v), NO_CONTROL);
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
function startedAtProblem(seconds: number, now: number, maxSkew: number): string | null {
  if (seconds < EARLIEST_STARTED_AT) return `${seconds} is before 2000-01-01; send Unix seconds (or an ISO-8601 date-time)`;
  if (seconds > now + maxSkew) {
    const hint = seconds > 1e11 ? ' (it looks like milliseconds: send seconds)' : '; check the CI clock (or raise intake.maxClockSkew)';
    return `${seconds} is ${Math.round(seconds - now)} s ahead of the guard's clock, more than the ${maxSkew} s of clock skew allowed${hint}`;
  }
  return null;
}

function startedAt(nowSeconds: () => number, maxSkew: number) {
  return z
    .union([z.number(), z.string()], { error: 'must be Unix seconds (number) or an ISO-8601 date-time string, e.g. "2025-11-20T14:00:00Z"' })
    .transform((value, ctx) => {
      const parsed = toUnixSeconds(value);
      const problem = parsed.ok ? startedAtProblem(parsed.seconds, nowSeconds(), maxSkew) : parsed.message;
      if (!parsed.ok || problem !== null) {
        ctx.addIssue({ code: 'custom', message: problem ?? 'invalid start time', input: value });
        return z.NEVER;
      }
      return parsed.seconds;
    });
}

/**
 * A link is re-serialised through the WHATWG URL parser (`new URL(v).href`), so what is stored and shown is what a
 * browser would open, and refused if it still holds `|`, `<`, `>` or white space, which would end a Slack link.
 */
const LinkUrl = z
  .url({ protocol: /^https?$/, error: 'must be an absolute http(s) URL' })
  .refine((v) => !CONTROL_CHARACTERS.test(v), NO_CONTROL)
  .transform((v) => new URL(v).href)
  .refine((v) => !LINK_BREAKERS.test(v), 'must not contain "|", "<", ">" or spaces (percent-encode them)');
const MapKey = z
  .string()
  .min(1, 'keys must not be empty')
  .max(128, 'keys must be at most 128 characters')
  .refine((v) => !CONTROL_CHARACTERS.test(v), `keys ${NO_CONTROL}`);

/**
 * Builds the DeployInput schema with the clock that bounds `startedAt` (Unix seconds, may be fractional) and the
 * clock skew allowed ahead of it. Tests pass a fixed clock; the app builds one from `intake.maxClockSkew`.
 */
export function deployInputSchema(nowSeconds: () => number, maxClockSkewSeconds: number = DEFAULT_MAX_CLOCK_SKEW_SECONDS) {
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
      startedAt: startedAt(nowSeconds, maxClockSkewSeconds).optional(),
      links: z
        .record(MapKey, LinkUrl)
        .refine((r) => Object.keys(r).length <= 64, 'at most 64 links')
        .optional(),
      labels: z
        .record(
          MapKey,
          z
            .string({ error: 'label values must be strings' })
            .max(1024, 'label values must be at most 1024 characters')
            .refine((v) => !CONTROL_CHARACTERS.test(v), `label values ${NO_CONTROL}`),
        )
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
export type DeployInputSchema = ReturnType<typeof deployInputSchema>;

/** The field names DeployInput accepts, for error messages. */
export const DEPLOY_INPUT_FIELDS: readonly string[] = Object.keys(DeployInput.shape);
