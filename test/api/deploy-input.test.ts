// The DeployInput schema: normalization, limits and field-level error messages (pure).
import { describe, expect, expectTypeOf, it } from 'vitest';
import { DEPLOY_INPUT_FIELDS, deployInputSchema, type DeployInput } from '../../src/api/deploy-input.js';
import { toApiIssues } from '../../src/api/issues.js';

const NOW = 1_763_647_200; // 2025-11-20T14:00:00Z
const schema = deployInputSchema(() => NOW);

function issues(body: unknown) {
  const r = schema.safeParse(body);
  if (r.success) throw new Error('expected a validation error');
  return toApiIssues(r.error, DEPLOY_INPUT_FIELDS);
}

const minimal = { service: 'checkout', environment: 'production', version: 'v1.2.0' };

describe('DeployInput', () => {
  it('accepts the minimal body and leaves id and startedAt for the intake', () => {
    expect(schema.parse(minimal)).toEqual(minimal);
  });

  it('trims strings and keeps every optional field', () => {
    const body = {
      service: '  checkout ',
      environment: 'production',
      version: ' v1.2.0 ',
      id: 'gh:run-42.1',
      previousVersion: 'v1.1.9',
      commit: 'abc123',
      startedAt: 1_763_647_000,
      links: { ci: 'https://ci.example.com/runs/42' },
      labels: { team: 'payments' },
    };
    expect(schema.parse(body)).toEqual({ ...body, service: 'checkout', version: 'v1.2.0' });
  });

  it.each([
    ['2025-11-20T14:00:00Z', 1_763_647_200],
    ['2025-11-20T14:00:00+01:00', 1_763_643_600],
    ['2025-11-20T13:59:59.900Z', 1_763_647_199],
    ['1763647000', 1_763_647_000],
    [1_763_647_000.5, 1_763_647_000.5],
  ])('normalizes startedAt %j to Unix seconds %d', (startedAt, seconds) => {
    expect(schema.parse({ ...minimal, startedAt }).startedAt).toBe(seconds);
  });

  it('accepts a start up to the clock skew (default 5 min) ahead of the clock and rejects beyond', () => {
    expect(schema.parse({ ...minimal, startedAt: NOW + 300 }).startedAt).toBe(NOW + 300);
    expect(issues({ ...minimal, startedAt: NOW + 301 })).toEqual([
      {
        path: 'startedAt',
        message: `${NOW + 301} is 301 s ahead of the guard's clock, more than the 300 s of clock skew allowed; check the CI clock (or raise intake.maxClockSkew)`,
      },
    ]);
    // A deploy dated tomorrow (the review's case) is refused; the bound is configurable.
    expect(issues({ ...minimal, startedAt: NOW + 86_000 })[0]?.path).toBe('startedAt');
    expect(deployInputSchema(() => NOW, 3600).parse({ ...minimal, startedAt: NOW + 3600 }).startedAt).toBe(NOW + 3600);
  });

  it.each([
    ['version', { version: 'v1\u0000' }],
    ['previousVersion', { previousVersion: 'v0\nv1' }],
    ['commit', { commit: 'abc\u0000def' }],
    ['labels.team', { labels: { team: 'pay\u001bments' } }],
    ['labels.te\nam', { labels: { 'te\nam': 'x' } }],
    ['links.ci', { links: { ci: 'https://ci.example.com/\u0000' } }],
    ['version', { version: 'v1\u0085' }],
  ])('refuses control characters in %s (they reach hook environments, queries and messages)', (path, extra) => {
    const found = issues({ ...minimal, ...extra });
    expect(found.map((i) => i.path)).toEqual([path]);
    expect(found[0]?.message).toContain('control characters');
  });

  it('re-serialises links through the URL parser and refuses what would break a Slack link', () => {
    const parsed = schema.parse({ ...minimal, links: { ci: 'https://x.example/a> <!channel> <https://evil.example/login' } });
    expect(parsed.links?.ci).toBe('https://x.example/a%3E%20%3C!channel%3E%20%3Chttps://evil.example/login');
    expect(issues({ ...minimal, links: { ci: 'https://x.example/a|Click here' } })).toEqual([
      { path: 'links.ci', message: 'must not contain "|", "<", ">" or spaces (percent-encode them)' },
    ]);
  });

  it('explains milliseconds, pre-2000 times and unparseable strings', () => {
    expect(issues({ ...minimal, startedAt: NOW * 1000 })[0]?.message).toContain('looks like milliseconds');
    expect(issues({ ...minimal, startedAt: 946_684_799 })[0]?.message).toContain('before 2000-01-01');
    expect(issues({ ...minimal, startedAt: 'yesterday' })).toEqual([
      { path: 'startedAt', message: '"yesterday" is neither Unix seconds nor an ISO-8601 date-time with offset, e.g. "2025-11-20T14:00:00Z"' },
    ]);
    expect(issues({ ...minimal, startedAt: '2025-11-20T14:00:00' })[0]?.path).toBe('startedAt');
    expect(issues({ ...minimal, startedAt: true })[0]?.path).toBe('startedAt');
  });

  it('lists every field problem at once', () => {
    const found = issues({ environment: 'prod env', version: '', id: 'a/b', labels: { team: 7 }, links: { ci: 'ftp://x' }, extra: 1 });
    expect(found.map((i) => i.path)).toEqual(['service', 'environment', 'version', 'id', 'links.ci', 'labels.team', 'extra']);
    expect(found[0]?.message).toBe('required: the service name, e.g. "checkout"');
    expect(found[1]?.message).toContain('may contain only letters, digits, ".", "_" and "-" (at most 128 characters)');
    expect(found[3]?.message).toContain('":"');
    expect(found[6]?.message).toBe(`unknown field "extra"; accepted fields: ${DEPLOY_INPUT_FIELDS.join(', ')}`);
  });

  it('limits names and ids to 128 characters and labels to 64 entries', () => {
    expect(schema.safeParse({ ...minimal, service: 'a'.repeat(128) }).success).toBe(true);
    expect(issues({ ...minimal, service: 'a'.repeat(129) })).toEqual([{ path: 'service', message: 'must be at most 128 characters' }]);
    expect(issues({ ...minimal, id: 'x'.repeat(129) })[0]?.path).toBe('id');
    const labels = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, 'v']));
    expect(issues({ ...minimal, labels })).toEqual([{ path: 'labels', message: 'at most 64 labels' }]);
  });

  it('leaves id and startedAt optional in the parsed type (the intake fills them)', () => {
    expectTypeOf<DeployInput['startedAt']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<DeployInput['id']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<{ service: string; environment: string; version: string }>().toExtend<DeployInput>();
  });

  it('rejects a body that is not an object', () => {
    expect(issues([minimal])[0]?.path).toBe('');
  });
});
