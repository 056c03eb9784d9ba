// What a page gets from the app shell: the session, navigation, and a hook for cleaning up when it is left.
import type { Session } from './api.js';

export interface Ctx {
  session: Session;
  go(path: string): void;
  /** Called when the page is left (close event streams, timers). */
  onLeave(fn: () => void): void;
}
