// The error a store raises when a replica tries to act on work whose lease another replica holds now (fencing).

/** A lease was taken over by another replica (or lapsed): the caller must not act on that work. */
export class LeaseLostError extends Error {
  constructor(
    readonly work: string,
    detail: string,
  ) {
    super(`lease on ${work} lost: ${detail}; another replica carries this work now, so this replica does not act on it`);
    this.name = 'LeaseLostError';
  }
}

/** Whether `err` (or its cause) is a LeaseLostError. */
export function isLeaseLost(err: unknown): boolean {
  return err instanceof LeaseLostError || (err instanceof Error && err.cause instanceof LeaseLostError);
}
