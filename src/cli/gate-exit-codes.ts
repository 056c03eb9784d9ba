// Exit codes of the CI gate commands (`deploy --wait`, `wait`): one place, so pipelines can branch on them.

/** What `release-guard deploy --wait` and `release-guard wait` exit with. */
export const GATE_EXIT = {
  /** The guard passed the deploy. */
  pass: 0,
  /** The guard failed the deploy (and rolled it back if the rules say so). */
  fail: 1,
  /** The command could not run: bad flags, no token, the guard unreachable or refusing the request. */
  couldNotRun: 2,
  /** No verdict either way: too little evidence, a blind source, or the watch was superseded or stopped. */
  inconclusive: 3,
  /** `--timeout` passed while the guard was still watching. */
  timedOut: 4,
} as const;
export type GateExit = (typeof GATE_EXIT)[keyof typeof GATE_EXIT];
