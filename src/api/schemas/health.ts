// Response schemas of /healthz and /readyz.
import { z } from 'zod';

export const HealthResponse = z.object({ status: z.literal('ok') });
export const ReadyResponse = z.union([z.object({ status: z.literal('ready') }), z.object({ status: z.literal('not ready'), reason: z.string() })]);
