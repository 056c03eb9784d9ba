// Response schemas of the UI session routes.
import { z } from 'zod';

/** POST and GET /v1/session: who the session (or token) is. */
export const SessionResponse = z.object({
  role: z.enum(['viewer', 'admin']),
  name: z.string(),
  expiresAt: z.number().nullable().describe('Unix seconds; null for a token'),
});
export type SessionResponse = z.infer<typeof SessionResponse>;

/** DELETE /v1/session. */
export const LogoutResponse = z.object({ ok: z.literal(true) });
