// What the build runs of the CLI bundle before it saves the bundle's code caches (src/cli/code-cache.ts), so that
// the functions a command runs are in its cache already compiled. Everything is imported here on demand, as the
// commands import it: loading the bundle runs none of it.
import type { CacheProfile } from './code-cache.js';

/**
 * Runs what the commands of `profile` run, into nothing: for `replay`, the replay of the recordings in `recordings`
 * under the rule files in `rulesDir` (null: none); for `commands`, the program's help, with every command. What
 * else a command runs it compiles as it goes: a cache of everything would cost each start more to read in.
 */
export async function exerciseForCodeCache(profile: CacheProfile, recordings: string, rulesDir: string | null): Promise<void> {
  const { buildProgram, clientCommands } = await import('./program.js');
  const program = buildProgram();
  const { Writable } = await import('node:stream');
  const nowhere = new Writable({ write: (_chunk, _encoding, done) => done() });
  if (profile === 'replay') {
    if (rulesDir === null) return;
    const { runReplay } = await import('./replay.js');
    await runReplay([recordings], { rulesDir, workers: 0, err: nowhere }, nowhere);
    return;
  }
  await clientCommands(program);
  program.helpInformation();
}
