// Runs the CLI bundle (dist/cli/cli.cjs) with the V8 code cache the build saved beside it.
//
// Compiling the bundle's 1.1 MB of JavaScript took every command ~60 ms on the 2-core bench machine, and each function
// a command runs is compiled again on its first call. V8 can serialize what it compiled for a later process to take
// back (Node 22 does it for every module with `module.enableCompileCache()`; Node 20 offers it to `vm.Script` only).
// The build compiles the bundle, exercises it as a command would (src/cli/code-cache-train.ts) and saves what V8
// compiled; a command then loads the bundle through `vm.Script` with that cache (~25 ms). Nothing is written at run
// time: the caches sit in the package, as trusted as the bundle itself.
//
// The cache only saves work, never changes it: V8 refuses a cache made by another V8 version, under other V8 flags or
// for a source of another length, and the cache starts with the size and modification time (in seconds) of the bundle it
// was made for (as Python's .pyc files do), so a bundle rebuilt without it, or changed by hand, is compiled from its source as
// if there were no cache. (A digest of the bundle would cost every start ~7 ms, most of it loading node:crypto.)
import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Script } from 'node:vm';

/**
 * Each cache is made by exercising the bundle as some commands would, and holds what they compiled: `replay` for the
 * replay command, `commands` for every other. V8 reads a whole cache in before the command starts, so a cache with
 * every command's functions made each start pay for the functions of the others.
 */
export const CACHE_PROFILES = ['replay', 'commands'] as const;
export type CacheProfile = (typeof CACHE_PROFILES)[number];

/** The cache profile for the command line `argv` (process.argv): the command named first, as main() reads it. */
export function cacheProfileOf(argv: readonly string[]): CacheProfile {
  return argv.slice(2).find((arg) => !arg.startsWith('-')) === 'replay' ? 'replay' : 'commands';
}

/** The file of `bundle`'s cache for `profile`. */
export const cacheFileOf = (bundle: string, profile: CacheProfile): string => `${bundle}.${profile}.cache`;

/** The header: the bundle's size and its modification time in whole seconds (a copy may round finer parts), two float64s. */
const HEADER_BYTES = 16;

/** A CommonJS bundle compiled (with its cache, when it has a usable one) and run: its exports and how it was compiled. */
export interface LoadedBundle<T> {
  exports: T;
  /** The compiled script, for writeCodeCache (none when Node's module loader ran the bundle). */
  script?: Script;
  /** Whether V8 took the cache (false: none, or refused). */
  cached: boolean;
}

/**
 * Compiles and runs the CommonJS file `bundle` as Node's module loader would (the same wrapper, `require` resolving
 * from the bundle's directory, `__filename` and `__dirname` its own), with its cache for `profile` when it has one
 * that fits (null: without a cache). Under `node --enable-source-maps` Node's loader itself runs it, without a cache:
 * only the loader maps stack traces through the bundle's source map to the sources.
 */
export function loadBundle<T>(file: string, profile: CacheProfile | null): LoadedBundle<T> {
  const bundle = path.resolve(file);
  if (process.sourceMapsEnabled) return { exports: createRequire(bundle)(bundle) as T, cached: false };
  const source = readFileSync(bundle, 'utf8');
  const cachedData = profile === null ? undefined : cacheFor(bundle, profile);
  // The wrapper of Node's CommonJS loader (require('node:module').wrap), on the first line so that line numbers stay.
  const script = new Script(`(function (exports, require, module, __filename, __dirname) { ${source}\n});`, {
    filename: bundle,
    ...(cachedData ? { cachedData } : {}),
  });
  const module = { exports: {} as T };
  const wrapper = script.runInThisContext() as (e: unknown, r: NodeRequire, m: { exports: T }, f: string, d: string) => void;
  wrapper.call(module.exports, module.exports, createRequire(bundle), module, bundle, path.dirname(bundle));
  return { exports: module.exports, script, cached: cachedData !== undefined && !script.cachedDataRejected };
}

/** The V8 data of `bundle`'s cache, when there is one made for the bundle as it is. */
function cacheFor(bundle: string, profile: CacheProfile): Buffer | undefined {
  let file: Buffer;
  try {
    file = readFileSync(cacheFileOf(bundle, profile));
  } catch {
    return undefined;
  }
  return file.length > HEADER_BYTES && file.subarray(0, HEADER_BYTES).equals(headerOf(bundle)) ? file.subarray(HEADER_BYTES) : undefined;
}

function headerOf(bundle: string): Buffer {
  const { size, mtimeMs } = statSync(bundle);
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeDoubleLE(size, 0);
  header.writeDoubleLE(Math.floor(mtimeMs / 1000), 8);
  return header;
}

/**
 * Writes `profile`'s cache of a bundle loaded with `loadBundle(bundle, null)`, holding every function compiled so
 * far: call it after exercising the bundle, in a process whose V8 flags are those the commands start with. Written
 * whole or not at all (a temporary file renamed over it).
 */
export function writeCodeCache(bundle: string, profile: CacheProfile, loaded: LoadedBundle<unknown>): void {
  if (!loaded.script) throw new Error(`${bundle} was run by Node's module loader (--enable-source-maps): it has no code cache to write`);
  const data = Buffer.concat([headerOf(path.resolve(bundle)), loaded.script.createCachedData()]);
  const file = cacheFileOf(path.resolve(bundle), profile);
  writeFileSync(`${file}.tmp`, data);
  renameSync(`${file}.tmp`, file);
}
