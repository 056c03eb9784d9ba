// Public face of the judge: the pure judge function, its building blocks and the domain types.
export { judge } from './judge.js';
export { preDeployBaseline, median, medianAbsoluteDeviation } from './baseline.js';
export type { BaselineStats } from './baseline.js';
export { conditionHolds, whenHolds, whenText, ratioTo, changeFrom } from './conditions.js';
export { evaluateRule } from './evaluate-rule.js';
export { blindFindings, BLIND_RULE } from './blind.js';
export { highestSeverity, triggersRollback, failsVerdict, windowVerdict } from './classify.js';
export { insufficientEvidence } from './evidence.js';
export { stepTimes, observedAt } from './steps.js';
export { breachSummary, formatValue, formatNumber } from './summary.js';
export * from './types.js';
