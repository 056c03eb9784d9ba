// The recordings in a directory, re-read only when a file changes, with unreadable files kept as problems.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Recording } from '../../judge/types.js';
import { readRecording } from '../../recording/read.js';

export interface CatalogueEntry {
  file: string;
  recording: Recording;
}

/** What the directory holds: readable recordings in file-name order, and why the others could not be read. */
export type Catalogue = { kind: 'ok'; entries: CatalogueEntry[]; problems: string[] } | { kind: 'error'; message: string };

interface Cached {
  version: string;
  outcome: { recording: Recording } | { problem: string };
}

/** Reads a recording directory, reusing files whose size and modification time have not changed. */
export class RecordingCatalogue {
  private readonly cache = new Map<string, Cached>();

  constructor(readonly dir: string) {}

  async read(): Promise<Catalogue> {
    let names: string[];
    try {
      const entries = await readdir(this.dir, { withFileTypes: true });
      names = entries
        .filter((e) => !e.isDirectory() && e.name.endsWith('.json'))
        .map((e) => e.name)
        .sort();
    } catch (e) {
      const detail = e instanceof Error ? e.message : String(e);
      return { kind: 'error', message: `cannot read recording directory ${this.dir}: ${detail}; check "dir" of the recording source` };
    }
    const entries: CatalogueEntry[] = [];
    const problems: string[] = [];
    for (const name of names) {
      const file = join(this.dir, name);
      const outcome = await this.readFile(file);
      if ('recording' in outcome) entries.push({ file, recording: outcome.recording });
      else problems.push(outcome.problem);
    }
    return { kind: 'ok', entries, problems };
  }

  private async readFile(file: string): Promise<Cached['outcome']> {
    const info = await stat(file).catch(() => null);
    const version = info ? `${info.size}:${info.mtimeMs}` : 'missing';
    const cached = this.cache.get(file);
    if (cached?.version === version) return cached.outcome;
    const outcome = await readRecording(file).then(
      (recording) => ({ recording }),
      (e: unknown) => ({ problem: e instanceof Error ? e.message : String(e) }),
    );
    this.cache.set(file, { version, outcome });
    return outcome;
  }
}
