// Points into a parsed YAML rule file: which node a document path names, and its line:column.
import { isMap, isScalar, isSeq, visit, type Document, type LineCounter, type Node } from 'yaml';
import { formatPath, type RuleProblem } from './rule-error.js';

/** A rule file as parsed, kept with its positions so later checks can name lines. */
export interface SourceFile {
  path: string;
  doc: Document;
  lines: LineCounter;
}

export interface Position {
  line: number;
  column: number;
}

const START: Position = { line: 1, column: 1 };

/** The deepest existing node along `path`, and whether the whole path exists. */
export function nodeAt(doc: Document, path: ReadonlyArray<PropertyKey>): { node: Node | null; complete: boolean } {
  let node = (doc.contents ?? null) as Node | null;
  for (const seg of path) {
    let next: Node | null = null;
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
      if (pair) next = ((pair.value ?? pair.key) as Node | null) ?? null;
    } else if (isSeq(node) && typeof seg === 'number') {
      next = (node.items[seg] as Node | undefined) ?? null;
    }
    if (!next) return { node, complete: false };
    node = next;
  }
  return { node, complete: true };
}

function positionOf(src: SourceFile, node: Node | null | undefined): Position {
  const offset = node?.range?.[0];
  if (offset === undefined) return START;
  const { line, col } = src.lines.linePos(offset);
  return { line, column: col };
}

/** Where the value at `path` starts, or its nearest existing ancestor when part of the path is missing. */
export function positionAt(src: SourceFile, path: ReadonlyArray<PropertyKey>): Position {
  return positionOf(src, nodeAt(src.doc, path).node);
}

/** Where the key `key` of the map at `path` is written (for unknown keys). */
export function keyPosition(src: SourceFile, path: ReadonlyArray<PropertyKey>, key: string): Position {
  const { node } = nodeAt(src.doc, path);
  if (isMap(node)) {
    const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === key);
    if (pair) return positionOf(src, pair.key as Node);
  }
  return positionOf(src, node);
}

/** A problem at the value `path` names. */
export function problemAt(src: SourceFile, path: ReadonlyArray<PropertyKey>, message: string): RuleProblem {
  return { file: src.path, ...positionAt(src, path), path: formatPath(path), message };
}

/**
 * YAML syntax errors as problems, with the parser's own line:column and without its source excerpt. One mistake often
 * trips several parser errors on its line (a bad indent: missing "-", nested mapping, multi-line key): only the first
 * of a line is reported.
 */
export function syntaxProblems(src: SourceFile): RuleProblem[] {
  const lines = new Set<number>();
  return src.doc.errors.flatMap((err) => {
    const pos = err.linePos?.[0] ?? src.lines.linePos(err.pos[0]);
    if (lines.has(pos.line)) return [];
    lines.add(pos.line);
    const firstLine = err.message.split('\n')[0] ?? err.message;
    const reason = firstLine.replace(/ at line \d+, column \d+:?$/, '');
    return [
      {
        file: src.path,
        line: pos.line,
        column: pos.col,
        path: '',
        message: `YAML syntax error: ${reason} (${err.code}); fix the indentation or quoting here`,
      },
    ];
  });
}

/**
 * A key written twice in one mapping (the document is parsed with uniqueKeys off, so the rest is still validated): one
 * problem per repeat, at the repeat, naming the first.
 */
export function duplicateKeyProblems(src: SourceFile): RuleProblem[] {
  const problems: RuleProblem[] = [];
  visit(src.doc, {
    Map(_, map) {
      const first = new Map<string, Node>();
      for (const pair of map.items) {
        if (!isScalar(pair.key)) continue;
        const name = String(pair.key.value);
        const earlier = first.get(name);
        if (!earlier) {
          first.set(name, pair.key);
          continue;
        }
        const at = positionOf(src, pair.key);
        problems.push({
          file: src.path,
          ...at,
          path: '',
          message: `YAML syntax error: Map keys must be unique (DUPLICATE_KEY); "${name}" is already set at line ${positionOf(src, earlier).line}: delete one of the two`,
        });
      }
    },
  });
  return problems;
}
