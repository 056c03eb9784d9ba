// The explicit registry of channel kinds: config schema (a discriminated union on `type`) and factory.
import { z } from 'zod';
import { emailNotifier } from './email/index.js';
import type { NotifierDeps, NotifierKind } from './kind.js';
import { logNotifier } from './log/index.js';
import { pagerDutyNotifier } from './pagerduty/index.js';
import { slackNotifier } from './slack/index.js';
import type { Notifier } from './types.js';

/** Every channel kind, by its `type`. A test checks that each sending folder under notify/ is listed here. */
export const NOTIFIER_KINDS = {
  pagerduty: pagerDutyNotifier,
  slack: slackNotifier,
  email: emailNotifier,
  log: logNotifier,
} as const;
export type NotifierType = keyof typeof NOTIFIER_KINDS;
export const NOTIFIER_TYPES = Object.keys(NOTIFIER_KINDS) as NotifierType[];

type AnyNotifierKind = NotifierKind<z.ZodType<{ type: string }>, Notifier | Promise<Notifier>>;

const allowed = NOTIFIER_TYPES.join(', ');

/** One entry under `notifications.channels`; an unknown `type` fails at load, naming the allowed types. */
export const ChannelConfig = z.discriminatedUnion(
  'type',
  [NOTIFIER_KINDS.pagerduty.Config, NOTIFIER_KINDS.slack.Config, NOTIFIER_KINDS.email.Config, NOTIFIER_KINDS.log.Config],
  {
    error: (issue) => {
      if (issue.code !== 'invalid_union' || issue.note !== 'No matching discriminator') return undefined;
      const type = (issue.input as { type?: unknown } | undefined)?.type;
      return type === undefined
        ? `channel has no type; set type to one of: ${allowed}`
        : `unknown channel type ${JSON.stringify(type)}; allowed types: ${allowed}`;
    },
  },
);
export type ChannelConfig = z.infer<typeof ChannelConfig>;

/** The registered kind of `type`, or undefined (a hook's type, `digest`, a kind since removed). */
export function registeredKind(type: string): AnyNotifierKind | undefined {
  return Object.hasOwn(NOTIFIER_KINDS, type) ? (NOTIFIER_KINDS[type as NotifierType] as AnyNotifierKind) : undefined;
}

/** Builds the configured channel `name`, loading its library only now; rejects (naming the channel and setting) when a secret cannot be read. */
export async function createNotifier(name: string, config: ChannelConfig, deps: NotifierDeps): Promise<Notifier> {
  const kind = NOTIFIER_KINDS[config.type] as AnyNotifierKind;
  return await kind.create(name, config, deps);
}
