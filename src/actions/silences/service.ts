// Silences as a use case: create (validated), list with their state and muted count, show, expire.
import { z } from 'zod';
import { Duration } from '../../rules/duration.js';
import type { DeliveryRecord, SilenceRecord } from '../../store/records.js';
import type { Store } from '../../store/interfaces.js';
import { silenceActive } from './match.js';

/** The longest a silence may last, so a forgotten one cannot mute a service for good. */
export const MAX_SILENCE_SECONDS = 30 * 86_400;

/** A time as Unix seconds or an ISO 8601 string ("2025-11-20T14:00:00Z"). */
const Time = z.union([
  z.number().nonnegative(),
  z.string().transform((text, ctx) => {
    const ms = Date.parse(text);
    if (Number.isNaN(ms)) {
      ctx.addIssue({ code: 'custom', message: `"${text}" is not a time; use ISO 8601 (2025-11-20T14:00:00Z) or Unix seconds` });
      return z.NEVER;
    }
    return ms / 1000;
  }),
]);

/** Body of POST /v1/silences. Give `endsAt` or `duration` ("2h"); `startsAt` defaults to now. */
export const SilenceInput = z
  .object({
    service: z.string().min(1).max(128),
    /** Omit to silence every environment of the service. */
    environment: z.string().min(1).max(128).optional(),
    startsAt: Time.optional(),
    endsAt: Time.optional(),
    duration: Duration.optional(),
    /** Who silences (a person, for the record). */
    createdBy: z.string().min(1).max(128),
    /** Why (e.g. "planned DB migration, CHG-1234"). */
    reason: z.string().min(1).max(1000),
  })
  .strict()
  .superRefine((s, ctx) => {
    if ((s.endsAt === undefined) === (s.duration === undefined))
      ctx.addIssue({ code: 'custom', path: ['endsAt'], message: 'give either endsAt or duration (e.g. "2h")' });
  });
export type SilenceInput = z.infer<typeof SilenceInput>;

export type SilenceState = 'pending' | 'active' | 'expired';

export interface SilenceView extends SilenceRecord {
  state: SilenceState;
  /** Notifications this silence muted (stored, not sent). */
  muted: number;
}

/** A request the caller must fix; `message` says how. */
export class SilenceError extends Error {
  readonly expose = true;
  constructor(message: string) {
    super(message);
    this.name = 'SilenceError';
  }
}

export interface SilenceService {
  create(input: SilenceInput): Promise<SilenceView>;
  list(q: { all?: boolean; service?: string }): Promise<SilenceView[]>;
  get(id: number): Promise<{ silence: SilenceView; mutedDeliveries: DeliveryRecord[] } | null>;
  expire(id: number, by: string): Promise<SilenceView | null>;
}

export function stateOf(s: SilenceRecord, now: number): SilenceState {
  if (silenceActive(s, now)) return 'active';
  return s.startsAt > now && s.expiredAt === null ? 'pending' : 'expired';
}

export function createSilenceService(store: Store, now: () => number): SilenceService {
  const view = async (s: SilenceRecord): Promise<SilenceView> => ({
    ...s,
    state: stateOf(s, now()),
    muted: (await store.listDeliveries({ silenceId: s.id, limit: 1000 })).length,
  });
  return {
    async create(input) {
      const t = now();
      const startsAt = input.startsAt ?? t;
      const endsAt = input.endsAt ?? startsAt + (input.duration ?? 0);
      if (endsAt <= startsAt) throw new SilenceError('the silence ends before it starts; check startsAt and endsAt/duration');
      if (endsAt <= t) throw new SilenceError('the silence would already be over; give a later endsAt or a duration');
      if (endsAt - startsAt > MAX_SILENCE_SECONDS) throw new SilenceError('a silence may last at most 30 days; create a new one when it ends');
      const s = await store.createSilence(
        { service: input.service, environment: input.environment ?? null, startsAt, endsAt, createdBy: input.createdBy, reason: input.reason },
        t,
      );
      return view(s);
    },
    async list(q) {
      return Promise.all((await store.listSilences({ now: now(), ...q })).map(view));
    },
    async get(id) {
      const s = await store.getSilence(id);
      if (!s) return null;
      return { silence: await view(s), mutedDeliveries: await store.listDeliveries({ silenceId: id, limit: 1000 }) };
    },
    async expire(id, by) {
      const s = await store.expireSilence(id, by, now());
      return s ? view(s) : null;
    },
  };
}
