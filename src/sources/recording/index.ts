// The recording source kind: plays release-guard/recording@1 files back as a metric source.
import { resolve } from 'node:path';
import type { SourceKind } from '../kind.js';
import { RecordingCatalogue } from './catalogue.js';
import { RecordingSource } from './recording-source.js';
import { RecordingSourceConfig } from './schema.js';

export { RecordingSourceConfig } from './schema.js';
export { RecordingSource, findRecording, playedPoints } from './recording-source.js';
export { RecordingCatalogue } from './catalogue.js';

/** Registered as `type: recording`; `dir` resolves against the config file's folder. */
export const recordingSource = {
  type: 'recording',
  Config: RecordingSourceConfig,
  create: (name, config, deps) => new RecordingSource(name, new RecordingCatalogue(resolve(deps.baseDir, config.dir))),
} satisfies SourceKind<typeof RecordingSourceConfig>;
