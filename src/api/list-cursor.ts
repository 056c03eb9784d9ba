// The opaque page cursor of GET /v1/deploys: where the previous page ended, carried by value so the next page needs
// no lookup. Clients pass it back unchanged; its content (base64url JSON) is not part of the API.
import type { ListPosition } from '../store/records.js';

/** Longest cursor accepted: far more than a position with the longest deploy id needs. */
export const MAX_CURSOR_LENGTH = 2048;

/** The cursor of the page after `last` (the last deploy of a page). */
export function encodeListCursor(last: ListPosition): string {
  return Buffer.from(JSON.stringify([last.receivedAt, last.id]), 'utf8').toString('base64url');
}

/** The position a cursor stands for, or null when the text is not a cursor this guard made. */
export function decodeListCursor(text: string): ListPosition | null {
  if (text.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(text)) return null;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (!Array.isArray(value) || value.length !== 2) return null;
  const [receivedAt, id] = value as [unknown, unknown];
  if (typeof receivedAt !== 'number' || !Number.isFinite(receivedAt) || typeof id !== 'string' || id.length === 0) return null;
  return { receivedAt, id };
}
