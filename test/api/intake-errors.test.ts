// A deploy the guard cannot watch as configured answers 422 with the intake's explanation, not a 500.
import { afterEach, expect, it } from 'vitest';
import { IntakeError } from '../../src/watch/intake.js';
import { FakeIntake } from './fake-intake.js';
import { CI_TOKEN, startApp, type RunningApp } from './start-app.js';

let app: RunningApp | null = null;
afterEach(async () => {
  await app?.close();
  app = null;
});

it('answers 422 with the reason when the rules name a metric source that is not configured', async () => {
  const intake = new FakeIntake();
  intake.ingest = async () => {
    throw new IntakeError('the rules for shop/production use metric source "prom", which is not configured');
  };
  app = await startApp({ intake });
  const res = await fetch(`${app.url}/v1/deploys`, {
    method: 'POST',
    headers: { authorization: `Bearer ${CI_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ service: 'shop', environment: 'production', version: 'v1' }),
  });
  expect(res.status).toBe(422);
  expect(await res.json()).toEqual({
    error: 'cannot watch deploy',
    message: 'the rules for shop/production use metric source "prom", which is not configured',
  });
});
