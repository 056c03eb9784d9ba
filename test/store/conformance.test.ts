// The store conformance suite: every backend in ./backends.ts passes the same contract (src/store/interfaces.ts).
import { describe } from 'vitest';
import { BACKENDS } from './backends.js';
import { attemptsContract } from './contract/attempts.js';
import { deploysContract } from './contract/deploys.js';
import { historyContract } from './contract/history.js';
import { judgementsContract } from './contract/judgements.js';
import { noncesContract } from './contract/nonces.js';
import { observationsContract } from './contract/observations.js';
import { outboxContract } from './contract/outbox.js';
import { previousDeploysContract } from './contract/previous-deploys.js';
import { reviewContract } from './contract/review.js';
import { sourceOutagesContract } from './contract/source-outages.js';
import { ticksContract } from './contract/ticks.js';
import { writeProbeContract } from './contract/write-probe.js';

describe.each(BACKENDS.map((b) => [b.name, b] as const))('store conformance: %s', (_name, backend) => {
  describe('deploys and watches', () => deploysContract(backend));
  describe('previous deploys', () => previousDeploysContract(backend));
  describe('observations', () => observationsContract(backend));
  describe('judgements', () => judgementsContract(backend));
  describe('watch ticks', () => ticksContract(backend));
  describe('outbox, silences, recoveries', () => outboxContract(backend));
  describe('delivery attempts', () => attemptsContract(backend));
  describe('history of actions', () => historyContract(backend));
  describe('SRE review', () => reviewContract(backend));
  describe('write probe', () => writeProbeContract(backend));
  describe('nonces and superseding', () => noncesContract(backend));
  describe('source outages', () => sourceOutagesContract(backend));
});
