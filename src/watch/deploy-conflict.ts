// A repeated deploy id is idempotent only when it repeats the same facts; otherwise it is a conflict (409).
import type { DeployInput } from '../api/deploy-input.js';
import type { DeployOrigin, DeployRecord } from '../store/records.js';

/** A deploy id already stored with other facts; the API answers 409 with the differing fields. */
export class DeployConflictError extends Error {
  /** Tells the HTTP error handler the message and fields are safe to show the caller. */
  readonly expose = true;
  readonly status = 409;
  constructor(
    readonly id: string,
    readonly fields: string[],
  ) {
    super(`deploy ${id} already exists with different ${fields.join(', ')}; a repeated id must repeat the same deploy (send a new id for a new deploy)`);
    this.name = 'DeployConflictError';
  }
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));

function sortKeys(v: unknown): unknown {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return v;
  return Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * The fields in which a repeated deploy differs from the stored one (empty: a true repeat). The origin always
 * counts. Webhooks send one deploy as several events (GitHub deployment + deployment_status, GitLab running +
 * success) whose times and delivery labels legitimately differ, so for them only the deploy's identity is compared:
 * service, environment, version, previousVersion and commit. From the API every field sent is compared.
 */
export function differingFields(input: DeployInput, stored: DeployRecord, origin: DeployOrigin): string[] {
  const out: string[] = [];
  if (stored.origin !== origin) out.push('origin');
  const identity: Array<[string, unknown, unknown]> = [
    ['service', input.service, stored.service],
    ['environment', input.environment, stored.environment],
    ['version', input.version, stored.version],
    ['previousVersion', input.previousVersion ?? null, stored.previousVersion ?? null],
    ['commit', input.commit ?? null, stored.commit ?? null],
  ];
  for (const [name, a, b] of identity) if (!same(a, b)) out.push(name);
  if (origin !== 'api') return out;
  if (input.startedAt !== undefined && input.startedAt !== stored.startedAt) out.push('startedAt');
  if (!same(input.links ?? {}, stored.links ?? {})) out.push('links');
  if (!same(input.labels ?? {}, stored.labels ?? {})) out.push('labels');
  return out;
}
