// Start-up probe: asks each network metric source one small query, so a source that does not answer is said at once.
import type { MetricDecl } from '../rules/schema.js';
import type { MetricSource } from './types.js';

/** Sources that talk to a backend over the network; demo and recording always answer. */
const NETWORK_TYPES: readonly string[] = ['prometheus', 'datadog'];

export interface SourceProbe {
  source: string;
  /** not-probed: the default rules have no throughput query for its type (rules check --config says more). */
  status: 'answers' | 'no-answer' | 'not-probed';
  /** Why it did not answer; null otherwise. */
  problem: string | null;
}

/**
 * Queries `throughput` of a made-up service over the last five minutes on every network source, each bounded by
 * `timeoutMs`. No data is an answer; an error or no answer in time is a problem, worded for the start banner.
 */
export async function probeSources(
  sources: ReadonlyMap<string, MetricSource>,
  decl: MetricDecl,
  opts: { now: number; timeoutMs: number },
): Promise<SourceProbe[]> {
  const probes = [...sources.values()].filter((s) => NETWORK_TYPES.includes(s.type));
  return Promise.all(
    probes.map(async (s): Promise<SourceProbe> => {
      if (!decl.queries?.[s.type]) return { source: s.name, status: 'not-probed', problem: null };
      const end = Math.floor(opts.now / 60) * 60;
      const deploy = { id: 'start-up-probe', service: 'release-guard-start-up-probe', environment: 'probe', version: 'probe', startedAt: end - 300 };
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<{ kind: 'timeout' }>((resolve) => (timer = setTimeout(() => resolve({ kind: 'timeout' }), opts.timeoutMs)));
      try {
        const result = await Promise.race([s.query({ metric: 'throughput', decl, deploy, scope: 'deploy', start: end - 300, end, step: 60 }), timeout]);
        if (result.kind === 'timeout') return { source: s.name, status: 'no-answer', problem: `no answer within ${opts.timeoutMs / 1000}s` };
        return result.kind === 'error'
          ? { source: s.name, status: 'no-answer', problem: result.message }
          : { source: s.name, status: 'answers', problem: null };
      } catch (err) {
        return { source: s.name, status: 'no-answer', problem: (err as Error).message };
      } finally {
        clearTimeout(timer);
      }
    }),
  );
}
