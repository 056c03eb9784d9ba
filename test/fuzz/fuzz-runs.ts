// How many cases each fuzz property runs: a CI-sized default, scaled up with RG_FUZZ_RUNS for a long run.
// RG_FUZZ_RUNS=20000 npx vitest run test/fuzz   (a number: cases per property; the default is each suite's own)

/** Cases for one property: RG_FUZZ_RUNS when set to a positive whole number, else `ciDefault`. */
export function fuzzRuns(ciDefault: number): number {
  const raw = process.env.RG_FUZZ_RUNS;
  const n = raw === undefined ? Number.NaN : Number(raw);
  return Number.isInteger(n) && n > 0 ? n : ciDefault;
}

/** A test timeout that grows with the number of cases (ms per case), never below 30 s. */
export function fuzzTimeout(runs: number, msPerCase: number): number {
  return Math.max(30_000, runs * msPerCase * 3);
}
