// Configuration of the demo metric source (`type: demo` under `sources:` in the config file).
import { z } from 'zod';

export const DemoConfig = z
  .object({
    type: z.literal('demo'),
    /** Changes every noise value; the same seed always produces the same series. */
    seed: z.number().default(1),
    /** Series seconds per wall-clock second, so a 30-minute window can play out in a minute (30 → 1 min). */
    timeScale: z.number().min(1).max(600).default(1),
  })
  .strict();
export type DemoConfig = z.infer<typeof DemoConfig>;
