// Error answers cite the repo's own docs: every README.md#anchor in src/ must exist as a README heading.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to dashes. */
const anchor = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : [],
  );
}

describe('README anchors cited by the code', () => {
  it('exist, and the code cites no document outside the repo', () => {
    const readme = readFileSync('README.md', 'utf8');
    const anchors = new Set([...readme.matchAll(/^#{1,6} (.+)$/gm)].map((m) => anchor(m[1]!)));
    const cited = files('src').flatMap((f) => [...readFileSync(f, 'utf8').matchAll(/README\.md#([a-z0-9-]+)/g)].map((m) => [f, m[1]!] as const));
    expect(cited.length).toBeGreaterThan(2);
    expect(cited.filter(([, a]) => !anchors.has(a))).toEqual([]);
    const outside = files('src').filter((f) =>
      /see DESIGN|seeds\//.test(
        readFileSync(f, 'utf8')
          .split('\n')
          .filter((l) => /sendError\(|new \w*Error\(/.test(l))
          .join('\n'),
      ),
    );
    expect(outside).toEqual([]);
  });
});
