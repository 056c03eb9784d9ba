// Configuration of the recording metric source (`type: recording` under `sources:` in the config file).
import { z } from 'zod';

export const RecordingSourceConfig = z
  .object({
    type: z.literal('recording'),
    /** Directory of release-guard/recording@1 files (*.json); relative to the config file's folder. */
    dir: z.string().min(1),
  })
  .strict();
export type RecordingSourceConfig = z.infer<typeof RecordingSourceConfig>;
