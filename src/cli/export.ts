// `release-guard export <deployId>`: what the guard saw for one deploy, as a recording (DESIGN §3).
import type { Recording, SeriesSet } from '../judge/types.js';
import type { Store } from '../store/interfaces.js';

/** Builds the `release-guard/recording@1` document for a stored deploy; throws if the id is unknown. */
export async function exportRecording(store: Store, deployId: string): Promise<Recording> {
  const view = await store.getDeploy(deployId);
  if (!view) throw new Error(`no deploy with id ${deployId}; list deploys with GET /v1/deploys`);
  const { series, control, blind } = await store.observations(deployId);
  const d = view.deploy;
  const recording: Recording = {
    format: 'release-guard/recording@1',
    deploy: {
      id: d.id,
      service: d.service,
      environment: d.environment,
      version: d.version,
      previousVersion: d.previousVersion ?? null,
      startedAt: d.startedAt,
    },
    series,
  };
  if (!isEmpty(control)) recording.control = control;
  // Source errors only: a no-data answer is already in the series (as their absence).
  const errors = blind.filter((b) => b.kind === 'error');
  if (errors.length > 0) recording.blind = errors;
  return recording;
}

function isEmpty(set: SeriesSet): boolean {
  return Object.keys(set).length === 0;
}
