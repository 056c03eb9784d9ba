// The one table of exit codes (README "CLI", EXIT in src/cli/program.ts), as a user meets it: real child processes.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const VERSION = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
let dir: string;

function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', TSX, path.join(ROOT, 'src/cli/index.ts'), ...args],
      { cwd: dir, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env }, timeout: 240_000 },
      (error, out, err) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, out, err });
      },
    );
  });
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'rg-exit-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** [what, argv, env, exit code, stdout or stderr must match]. */
const TABLE: Array<[string, string[], Record<string, string>, 0 | 1 | 2, RegExp]> = [
  ['--version prints the version', ['--version'], {}, 0, new RegExp(`^${VERSION.replace(/\./g, '\\.')}\\n$`)],
  ['an unknown option is a usage error', ['serve', '--bogus'], {}, 2, /unknown option '--bogus'/],
  ['a missing argument is a usage error', ['replay'], {}, 2, /missing required argument 'paths'/],
  ['an unknown command is a usage error', ['serv'], {}, 2, /unknown command 'serv'/],
  ['silence without an admin token could not run', ['silence', 'list', '--url', 'http://127.0.0.1:9'], {}, 2, /release-guard silence: .*admin token/i],
  ['silence with the guard unreachable could not run', ['silence', 'list', '--url', 'http://127.0.0.1:9', '--token', 'x'], {}, 2, /release-guard silence: /],
  [
    'store copy without a SQLite file could not run',
    ['store', 'copy', '--from', 'nope.db', '--to', 'postgres://x@127.0.0.1:9/x'],
    {},
    2,
    /release-guard: --from nope\.db: no SQLite database at/,
  ],
  ['rules check found problems', ['rules', 'check', 'no-such-dir'], {}, 1, /rule directory does not exist/],
];

describe('exit codes', () => {
  it('follow the one table, with one message and no stack trace', async () => {
    // Three at a time: each child compiles the CLI with tsx, and CI machines are small.
    const results: Array<Awaited<ReturnType<typeof cli>>> = [];
    for (let i = 0; i < TABLE.length; i += 3) results.push(...(await Promise.all(TABLE.slice(i, i + 3).map(([, args, env]) => cli(args, env)))));
    const seen = TABLE.map(([what, , , , pattern], i) => {
      const r = results[i]!;
      return { what, code: r.code, matches: pattern.test(r.out + r.err), stack: /\n\s+at /.test(r.err) };
    });
    expect(seen).toEqual(TABLE.map(([what, , , code]) => ({ what, code, matches: true, stack: false })));
  }, 600_000);
});
