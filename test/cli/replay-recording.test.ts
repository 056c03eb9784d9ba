// One recording through replay: the judgement judge() gives at the window's end, also when replay stops at its early look.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EARLY_LOOK_STEPS, recordingObservations, replayRecording } from '../../src/cli/replay-recording.js';
import { judge } from '../../src/judge/judge.js';
import { loadRules, resolveRules } from '../../src/rules/index.js';
import { generateScenarios } from '../scenarios/generate.js';

const ROOT = join(import.meta.dirname, '..', '..');

describe('replayRecording', () => {
  it.each(['rules', 'bench/rules-v1'])("gives judge()'s judgement at the window's end on two scenarios of every type (%s)", async (dir) => {
    const loaded = await loadRules(join(ROOT, dir));
    let early = 0;
    for (const { recording } of generateScenarios({ seed: 20251120, healthyPerType: 2, badPerType: 2 })) {
      const rules = resolveRules(loaded, recording.deploy);
      const end = recording.deploy.startedAt + rules.window + rules.minEvidence.extend;
      const expected = judge(rules, recording.deploy, recordingObservations(recording), end);
      expect(replayRecording(loaded, recording).judgement).toStrictEqual(expected);
      if (expected.rollbackAt !== null && expected.rollbackAt <= recording.deploy.startedAt + EARLY_LOOK_STEPS * rules.interval) early++;
    }
    // Rollbacks within the early look, whose remaining steps replay skips.
    expect(early).toBeGreaterThan(5);
  });
});
