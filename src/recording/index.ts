// Public face of recordings (DESIGN §3): the schema and reading files.
export { Recording, RecordedDeploy, RecordedSeries, RECORDING_FORMAT } from './schema.js';
export { readRecording, readRecordingSync, parseRecording, parseRecordingText, listRecordingFiles, formatPath } from './read.js';
