// Routes for tuning rules: the effective rules of a service, per-rule quality from feedback, and the backtest of
// pasted candidate rules over stored deploys (judged in memory, never written to disk).
import { Router } from 'express';
import { z } from 'zod';
import { runBacktest } from '../../review/backtest.js';
import { ruleQuality } from '../../review/quality.js';
import { loadRules, resolveRules, RuleError, type LoadedRules } from '../../rules/index.js';
import { parseDuration } from '../../rules/duration.js';
import { parseJsonBody, readRawBody } from '../body.js';
import type { AppDeps, TuningDeps } from '../deps.js';
import { sendError } from '../http-error.js';
import { toApiIssues } from '../issues.js';
import type { RouteDoc } from '../openapi/registry.js';
import { respond } from '../respond.js';
import { BacktestResponse, QualityResponse, RulesResponse } from '../schemas/index.js';
import { requireAdmin, requireViewer } from '../session.js';

const Name = z
  .string()
  .trim()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, ".", "_" and "-"');
/** "14d", "24h" or "90m": how far back to look. */
const Since = z.string().refine((s) => (parseDuration(s) ?? 0) > 0, 'a duration such as 14d, 24h or 90m');

export const RulesQuery = z.object({ service: Name, environment: Name.default('production') }).strict();
export const QualityQuery = z.object({ since: Since.default('30d') }).strict();
export const BacktestInput = z
  .object({
    /** The rule file the text replaces (or adds), e.g. default.yaml or checkout.yaml. */
    file: z.string().regex(/^[A-Za-z0-9._-]+\.ya?ml$/, 'a rule file name such as default.yaml or checkout.yaml (no folders)'),
    text: z.string().min(1, 'paste the rule file').max(200_000),
    since: Since.default('14d'),
    service: Name.optional(),
    environment: Name.optional(),
    limit: z.number().int().min(1).max(5000).default(1000),
  })
  .strict();

export const tuningRouteDocs: RouteDoc[] = [
  {
    method: 'get',
    path: '/v1/rules',
    summary: 'effective rules for a service/environment, with the file each came from',
    auth: 'viewer',
    query: RulesQuery,
    response: RulesResponse,
    errors: { 400: 'invalid query' },
  },
  {
    method: 'get',
    path: '/v1/rules/quality',
    summary: 'per-rule quality over a period, precision from feedback',
    auth: 'viewer',
    query: QualityQuery,
    response: QualityResponse,
    errors: { 400: 'invalid query' },
  },
  {
    method: 'post',
    path: '/v1/backtest',
    summary: 're-judge stored deploys under a pasted rule file (in memory) and diff',
    auth: 'admin',
    body: BacktestInput,
    response: BacktestResponse,
    errors: { 400: 'invalid body or rule file (file:line:column problems)', 403: 'not the admin token' },
  },
];

function sinceOf(text: string, now: number): number {
  return now - (parseDuration(text) ?? 0);
}

export function tuningRoutes(deps: AppDeps, tuning: TuningDeps): Router {
  const router = Router();
  const viewer = requireViewer(deps.auth);
  const admin = requireAdmin(deps.auth);

  router.get('/v1/rules', readRawBody, viewer, (req, res) => {
    const parsed = RulesQuery.safeParse(req.query);
    if (!parsed.success) return sendError(res, 400, 'invalid query', undefined, { issues: toApiIssues(parsed.error, ['service', 'environment']) });
    const set = resolveRules(tuning.rules(), parsed.data);
    const definedIn = (name: string): string =>
      [...set.sources].reverse().find((p) =>
        tuning
          .rules()
          .files.find((f) => f.path === p)
          ?.file.rules?.some((r) => r.name === name),
      ) ??
      set.sources[0] ??
      '';
    respond(res, RulesResponse, {
      ...parsed.data,
      files: set.sources,
      window: set.window,
      interval: set.interval,
      rules: set.rules.map((r) => ({
        name: r.name,
        metric: r.metric,
        severity: r.severity,
        when: 'all' in r.when ? r.when.all.map((c) => c.text).join(' and ') : r.when.any.map((c) => c.text).join(' or '),
        for: r.for,
        test: r.test,
        file: definedIn(r.name),
        rollback: set.severities[r.severity].rollback,
      })),
      hooks: set.hooks.rollback.map((h) => ({ name: h.name, type: h.type })),
    });
  });

  router.get('/v1/rules/quality', readRawBody, viewer, async (req, res) => {
    const parsed = QualityQuery.safeParse(req.query);
    if (!parsed.success) return sendError(res, 400, 'invalid query', undefined, { issues: toApiIssues(parsed.error, ['since']) });
    const since = sinceOf(parsed.data.since, tuning.now());
    const [facts, feedback] = await Promise.all([tuning.store.findingFacts(since), tuning.store.latestFeedback(since)]);
    respond(res, QualityResponse, { since, ...ruleQuality(facts, feedback) });
  });

  router.post('/v1/backtest', readRawBody, admin, parseJsonBody, async (req, res) => {
    const parsed = BacktestInput.safeParse(req.body);
    if (!parsed.success) return sendError(res, 400, 'invalid backtest', undefined, { issues: toApiIssues(parsed.error, Object.keys(BacktestInput.shape)) });
    const { file, text, since, service, environment, limit } = parsed.data;
    const current = tuning.rules();
    let candidate: LoadedRules;
    try {
      candidate = await loadRules(current.dir, new Map([[file, text]]));
    } catch (err) {
      if (err instanceof RuleError) return sendError(res, 400, 'invalid rules', err.message, { problems: err.problems });
      throw err;
    }
    const result = await runBacktest(tuning.store, current, candidate, { since: sinceOf(since, tuning.now()), service, environment, limit });
    respond(res, BacktestResponse, result);
  });

  return router;
}
