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

/** One line of labels.json: a deploy's latest SRE label and the recording it belongs to. */
export interface LabelEntry {
  deployId: string;
  file: string;
  label: string;
  rule: string | null;
  note: string;
  actor: string;
  labelledAt: number;
}

/** A file name for a deploy id (ids are untrusted: no separators, no dot-only names). */
export function recordingFileName(deployId: string): string {
  return `${deployId.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_')}.json`;
}

/**
 * `export --labelled DIR`: a recording of every deploy an SRE labelled (latest label each) plus `labels.json`,
 * so a team's own labelled corpus accumulates for replay and benchmarks. Returns how many were written.
 */
export async function exportLabelled(store: Store, dir: string): Promise<number> {
  const { mkdir, writeFile } = await import('node:fs/promises');
  const { join } = await import('node:path');
  await mkdir(dir, { recursive: true });
  const labels: LabelEntry[] = [];
  for (const f of await store.latestFeedback(0)) {
    const file = recordingFileName(f.deployId);
    await writeFile(join(dir, file), `${JSON.stringify(await exportRecording(store, f.deployId), null, 2)}\n`);
    labels.push({ deployId: f.deployId, file, label: f.label, rule: f.rule, note: f.note, actor: f.actor, labelledAt: f.createdAt });
  }
  await writeFile(join(dir, 'labels.json'), `${JSON.stringify({ format: 'release-guard/labels@1', labels }, null, 2)}\n`);
  return labels.length;
}
