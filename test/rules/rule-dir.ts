// Writes small rule directories into a temp folder for the rules tests, and removes them afterwards.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const made: string[] = [];

/** A fresh temp directory holding `files` (name → YAML text; names may include subfolders). */
export async function ruleDir(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'rg-rules-'));
  made.push(dir);
  for (const [name, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, name)), { recursive: true });
    await writeFile(join(dir, name), text);
  }
  return dir;
}

/** Removes every directory ruleDir made (call from afterEach). */
export async function removeRuleDirs(): Promise<void> {
  await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

/** A minimal valid default file. */
export const MINIMAL_DEFAULT = `version: 1
rules:
  - name: error-rate-spike
    metric: error_rate
    severity: P1
    when: ratio > 5
`;
