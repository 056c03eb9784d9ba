// Public face of the judge: the pure judge function, its building blocks and the domain types.
export { judge } from './judge.js';
export { preDeployBaseline, selectBaseline, baselineRanges, median, medianAbsoluteDeviation, WEEK } from './baseline.js';
export type { BaselineStats, BaselineSample } from './baseline.js';
export { conditionHolds, whenHolds, whenText, ratioTo, changeFrom, theilSenPerHour } from './conditions.js';
export { evaluateRule } from './evaluate-rule.js';
export { windowCounts } from './error-counts.js';
export { checkStep, harmful, majorityValue } from './step-check.js';
export { track } from './persistence.js';
export { observationPlan, previousDeploysWanted, watchedMetrics, ruleMetrics } from './plan.js';
export type { PlannedQuery } from './plan.js';
export { mannWhitneyU, exactUpperTail } from './stats/mann-whitney.js';
export { countTest } from './stats/count-test.js';
export { blindFindings, BLIND_RULE } from './blind.js';
export { highestSeverity, triggersRollback, failsVerdict, windowVerdict } from './classify.js';
export { insufficientEvidence } from './evidence.js';
export { stepTimes, windowSteps, observedAt } from './steps.js';
export { breachSummary, formatValue, formatNumber } from './summary.js';
export * from './types.js';
