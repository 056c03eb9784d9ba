// The UI's calls to the guard's API (same origin; the session cookie authenticates them).

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body: unknown,
  ) {
    super(message);
  }
}

export async function api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const res = await fetch(path, {
    method: init.method ?? 'GET',
    credentials: 'same-origin',
    headers: init.body === undefined ? {} : { 'content-type': 'application/json' },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // not JSON (log.md)
  }
  if (!res.ok) {
    const b = body as { error?: string; message?: string; issues?: Array<{ path: string; message: string }> } | null;
    const issues = b?.issues?.map((i) => `${i.path}: ${i.message}`).join('; ');
    throw new ApiError(res.status, `${res.status} ${b?.error ?? res.statusText}${b?.message ? `: ${b.message}` : ''}${issues ? ` (${issues})` : ''}`, body);
  }
  return body as T;
}

export interface Session {
  role: 'viewer' | 'admin';
  name: string;
  expiresAt: number | null;
}
