// Tests that runHook dispatches each hook type to its runner and never throws for a failing hook.
import { describe, expect, it } from 'vitest';
import { runHook, type HookContext } from '../../../src/actions/hooks/index.js';
import { Hook } from '../../../src/rules/schema.js';

const ctx: HookContext = {
  deploy: { id: 'd-9', service: 'search', environment: 'staging', version: 'v3', startedAt: 1763647200 },
  reason: 'outage',
  findings: [],
};

describe('runHook', () => {
  it('runs an exec hook', async () => {
    const hook = Hook.parse({ type: 'exec', name: 'echo', command: [process.execPath, '-e', 'console.log(process.env.RG_DEPLOY_ID)'] });
    expect(await runHook(hook, ctx)).toMatchObject({ ok: true, output: 'd-9\n', error: null });
  });

  it('runs an http hook', async () => {
    const fetchStub: typeof fetch = async () => new Response('', { status: 200, statusText: 'OK' });
    const hook = Hook.parse({ type: 'http', name: 'deployer', url: 'https://deployer.example/rollback' });
    expect(await runHook(hook, ctx, { fetch: fetchStub })).toMatchObject({ ok: true, output: 'HTTP 200 OK\n' });
  });

  it('resolves with ok=false instead of throwing when the hook fails', async () => {
    const hook = Hook.parse({ type: 'exec', name: 'missing', command: ['/nonexistent/rollback'] });
    await expect(runHook(hook, ctx)).resolves.toMatchObject({ ok: false, retryable: false });
  });
});
