// The daily digest: the alerts held for it (P3 by default) and the verdicts since the last digest, sent once.
import { z } from 'zod';
import type { DeliveryRecord } from '../../../store/records.js';
import type { JudgementStore, OutboxStore } from '../../../store/interfaces.js';
import type { Channels } from '../../channels.js';
import { baseFacts, composeDeliveries } from '../../compose.js';
import type { Outbox } from '../../outbox/outbox.js';
import type { DigestItemFacts } from '../../templates/context.js';
import type { Templates } from '../../templates/templates.js';
import { DIGEST_CHANNEL, type DigestConfig } from '../config.js';

const DAY = 86_400;
const HeldPayload = z.object({ title: z.string(), summary: z.string(), at: z.number() }).passthrough();

export interface DigestDeps {
  store: OutboxStore & Pick<JudgementStore, 'verdictsBetween'>;
  outbox: Outbox;
  channels: Channels;
  templates: Templates;
  config: DigestConfig;
  /** Seconds a digest delivery may keep failing before it is given up. */
  deadline: number;
  verdictUrl(deployId: string): string;
  guardUrl(): string;
  /** Wall clock, Unix seconds. */
  now(): number;
}

/**
 * Sends the digest for the run scheduled at `runAt` to `config.to`: every held item not yet sent, and the
 * verdicts decided since the previous digest (or the last 24 hours). Idempotent per run: a second call for the
 * same minute sends nothing. Returns the deliveries written.
 */
export async function sendDigest(deps: DigestDeps, runAt: Date): Promise<DeliveryRecord[]> {
  const now = deps.now();
  const held = await deps.store.listDeliveries({ status: 'held', channel: DIGEST_CHANNEL, limit: 1000 });
  const [previous] = await deps.store.listDeliveries({ event: 'digest', limit: 1 });
  const from = previous ? previous.createdAt : now - DAY;
  const verdicts = await deps.store.verdictsBetween(from, now);
  const items = held.sort((a, b) => a.id - b.id).map(itemFacts);
  const facts = {
    ...baseFacts('digest', null, null, { verdictUrl: null, guardUrl: deps.guardUrl(), now }),
    digest: { from, to: now, timezone: deps.config.timezone, items, verdicts: verdicts.map((v) => ({ ...v, link: deps.verdictUrl(v.deploy.id) })) },
  };
  const run = runAt.toISOString().slice(0, 16);
  const entries = composeDeliveries(facts, deps.config.to, `digest:${run}`, 'notice', {
    channels: deps.channels,
    templates: deps.templates,
    now,
    deadline: now + deps.deadline,
    silence: null,
  });
  const created = await deps.store.commitDigest(
    entries,
    held.map((h) => h.id),
    now,
  );
  if (created.length > 0) deps.outbox.kick();
  return created;
}

function itemFacts(d: DeliveryRecord): DigestItemFacts {
  const p = HeldPayload.safeParse(d.payload);
  return {
    severity: d.severity,
    deployId: d.deployId,
    service: d.service,
    environment: d.environment,
    title: p.success ? p.data.title : d.event,
    summary: p.success ? p.data.summary : d.event,
    at: p.success ? p.data.at : d.createdAt,
  };
}
