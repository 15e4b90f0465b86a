// Parses untrusted YAML text into plain data, keeping source positions for error messages.
// Everything here is defensive: files come from users and pull requests, and a crafted file must
// cost milliseconds and produce a problem, never an exception, a hang or an out-of-memory crash.
import { LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import type { Document, Node } from 'yaml';
import type { Locate, Path, Position, Problem, ProblemCode } from './problems.ts';
import { fieldOf } from './problems.ts';

/** Files larger than this are refused before parsing (UTF-8 bytes). */
export const MAX_FILE_BYTES = 1024 * 1024;
/** Deeper nesting is refused: the YAML parser recurses, and our files need fewer than 10 levels. */
export const MAX_DEPTH = 64;
/** Alias expansions allowed per document; small, because the formats never need many. */
export const MAX_ALIAS_COUNT = 50;
/**
 * Lines plus commas: an upper bound on the nodes a YAML text can hold in block and flow style. The
 * parser costs ~10 µs a node with source positions, so a 1 MiB list of 340 000 items took 4 s of
 * the server's main thread; a shipped scenario has a few hundred lines.
 */
export const MAX_NODES = 20_000;
/** YAML errors listed per file; a broken file can produce hundreds of follow-on errors. */
const MAX_YAML_ERRORS = 10;

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const ALLOWED_TAGS = new Set(['str', 'int', 'float', 'bool', 'null', 'map', 'seq'].map((t) => 'tag:yaml.org,2002:' + t));

export interface ParsedYaml {
  /** The document as plain data, or undefined when the text could not be read safely. */
  value: unknown;
  problems: Problem[];
  /** Where `path` is written: the key of a mapping entry, the start of a list item, or (if the path does not exist) the closest existing parent. */
  locate: Locate;
}

const START: Position = { line: 1, column: 1 };
const atStart: Locate = () => START;

/** The offset at which newlines plus commas first exceed `limit`, or undefined. */
function findTooManyNodes(text: string, limit: number): number | undefined {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 44) {
      if (++n > limit) return i;
    }
  }
  return undefined;
}

/** UTF-8 length of `text`, counting only until it exceeds `limit`. */
export function utf8LengthExceeds(text: string, limit: number): boolean {
  if (text.length > limit) return true;
  if (text.length * 3 <= limit) return false;
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      bytes += 4;
      i++;
    } else bytes += 3;
    if (bytes > limit) return true;
  }
  return false;
}

/** A problem for a file that is refused as too large. */
export function tooLargeProblem(file: string, bytes?: number): Problem {
  const size = bytes === undefined ? 'over 1 MiB' : `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  return {
    file,
    line: 1,
    column: 1,
    field: '',
    message: `file is too large (${size}; the limit is 1 MiB); it was not parsed`,
    code: 'limits/too-large',
  };
}

/**
 * A cheap, linear estimate of nesting depth made before parsing, because the parser itself
 * recurses per level. Counts indentation levels, leading `- ` indicators and `[`/`{` outside
 * quotes and comments. Returns the offset where the depth first exceeds `limit`.
 */
function findExcessiveNesting(text: string, limit: number): number | undefined {
  const indents: number[] = [];
  let flow = 0;
  let i = 0;
  while (i < text.length) {
    let end = text.indexOf('\n', i);
    if (end < 0) end = text.length;
    let p = i;
    while (p < end && (text[p] === ' ' || text[p] === '\t')) p++;
    const indent = p - i;
    let block = indents.length;
    if (p < end && text[p] !== '#' && text[p] !== '\r' && flow === 0) {
      while (indents.length > 0 && indents[indents.length - 1] >= indent) indents.pop();
      indents.push(indent);
      block = indents.length;
      // `- - - x` opens one sequence per indicator on a single line
      while (p + 1 < end && (text[p] === '-' || text[p] === '?' || text[p] === ':') && (text[p + 1] === ' ' || text[p + 1] === '\t')) {
        block++;
        p += 2;
        while (p < end && (text[p] === ' ' || text[p] === '\t')) p++;
        if (block > limit) return p;
      }
      if (block > limit) return p;
    }
    let prev = ' ';
    for (; p < end; p++) {
      const c = text[p];
      if (c === '#' && (prev === ' ' || prev === '\t')) break;
      if ((c === '"' || c === "'") && ' \t[{,:'.includes(prev)) {
        // skip a quoted scalar on this line; one left open runs to the end of the line
        let q = p + 1;
        while (q < end && !(text[q] === c && text[q - 1] !== '\\')) q++;
        p = q;
        prev = c;
        continue;
      }
      if (c === '[' || c === '{') {
        flow++;
        if (flow + block > limit) return p;
      } else if ((c === ']' || c === '}') && flow > 0) flow--;
      prev = c;
    }
    i = end + 1;
  }
  return undefined;
}

function positionOf(lineCounter: LineCounter, offset: number): Position {
  const { line, col } = lineCounter.linePos(offset);
  return { line, column: col };
}

function nodeStart(node: unknown): number | undefined {
  const range = (node as { range?: [number, number, number] } | null)?.range;
  return range ? range[0] : undefined;
}

/** True when `value` holds only what JSON can: the YAML 1.2 core schema, no dates, sets or binary. */
function isPlainData(value: unknown): boolean {
  const stack: unknown[] = [value];
  let seen = 0;
  while (stack.length > 0) {
    const v = stack.pop();
    if (++seen > 2_000_000) return false;
    if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') continue;
    if (Array.isArray(v)) {
      for (const item of v) stack.push(item);
      continue;
    }
    if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
      for (const item of Object.values(v as Record<string, unknown>)) stack.push(item);
      continue;
    }
    return false;
  }
  return true;
}

/**
 * Parses one YAML document safely.
 * parseYaml('a: 1', 'x.yaml') → { value: { a: 1 }, problems: [], locate }
 */
export function parseYaml(text: string, file: string): ParsedYaml {
  const problems: Problem[] = [];
  // messages of the YAML parser may quote the file (a tag, an anchor): never more than 300 characters of it
  const push = (code: ProblemCode, message: string, pos: Position = START, field = '') =>
    problems.push({ file, line: pos.line, column: pos.column, field, message: message.length > 300 ? message.slice(0, 300) + '…' : message, code });

  if (typeof text !== 'string') {
    push('yaml/syntax', 'file content is not text');
    return { value: undefined, problems, locate: atStart };
  }
  if (utf8LengthExceeds(text, MAX_FILE_BYTES)) {
    problems.push(tooLargeProblem(file));
    return { value: undefined, problems, locate: atStart };
  }

  const manyAt = findTooManyNodes(text, MAX_NODES);
  if (manyAt !== undefined) {
    const line = text.slice(0, manyAt).split('\n').length;
    push('limits/too-many-nodes', `more than ${MAX_NODES} lines and list separators (line ${line} is past the limit); the file was not parsed`, { line, column: 1 });
    return { value: undefined, problems, locate: atStart };
  }

  const lineCounter = new LineCounter();
  // lineCounter only learns line starts while parsing; compute positions for the pre-scan by hand
  const tooDeepAt = findExcessiveNesting(text, MAX_DEPTH);
  if (tooDeepAt !== undefined) {
    const before = text.slice(0, tooDeepAt);
    const line = before.split('\n').length;
    const column = tooDeepAt - before.lastIndexOf('\n');
    push('limits/too-deep', `nesting deeper than ${MAX_DEPTH} levels; the file was not parsed`, { line, column });
    return { value: undefined, problems, locate: atStart };
  }

  let doc: Document.Parsed;
  try {
    doc = parseDocument(text, {
      lineCounter,
      // duplicate keys are found by checkNodes: the parser's own check compares each key with every
      // earlier one (20 000 keys took 20 s), ours uses a set per mapping
      uniqueKeys: false,
      prettyErrors: false,
      version: '1.2',
      schema: 'core',
      resolveKnownTags: false,
      merge: false,
    });
  } catch (err) {
    push('yaml/syntax', `YAML could not be parsed: ${(err as Error)?.message ?? String(err)}`);
    return { value: undefined, problems, locate: atStart };
  }

  const locate: Locate = (path: Path) => locateIn(doc, lineCounter, path);

  // errors and warnings (unknown tags) in file order; a broken file yields many follow-on errors
  const issues = [...doc.errors, ...doc.warnings].sort((a, b) => a.pos[0] - b.pos[0]);
  for (const e of issues.slice(0, MAX_YAML_ERRORS)) {
    const pos = positionOf(lineCounter, e.pos[0]);
    if (e.code === 'DUPLICATE_KEY') push('yaml/duplicate-key', duplicateKeyMessage(text, e.pos), pos);
    else if (/call stack/i.test(e.message)) push('limits/too-deep', 'nesting too deep for the YAML parser', pos);
    else if (e.code === 'MULTIPLE_DOCS') push('yaml/syntax', 'the file holds several YAML documents (`---`); put each in its own file', pos);
    else if (e.code === 'TAG_RESOLVE_FAILED') push('yaml/syntax', `${lowerFirst(e.message.replace('tag:yaml.org,2002:', '!!'))} (custom tags are not supported)`, pos);
    else push('yaml/syntax', lowerFirst(e.message), pos);
  }
  if (issues.length > MAX_YAML_ERRORS) {
    push('limits/too-many-problems', `${issues.length - MAX_YAML_ERRORS} more YAML errors not shown`);
  }
  if (problems.length > 0) return { value: undefined, problems, locate };

  if (doc.schema?.name !== 'core') {
    push('yaml/syntax', 'only YAML 1.2 is supported; remove the %YAML directive');
    return { value: undefined, problems, locate };
  }
  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null && !doc.contents.source)) {
    push('yaml/empty', 'the file is empty');
    return { value: undefined, problems, locate };
  }

  checkNodes(doc.contents, lineCounter, push, text);
  if (problems.length > 0) return { value: undefined, problems, locate };

  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    const message = (err as Error)?.message ?? String(err);
    if (/alias count/i.test(message)) {
      push('yaml/alias-limit', `too many alias expansions (over ${MAX_ALIAS_COUNT}); refused as an entity-expansion attack`);
    } else push('yaml/syntax', lowerFirst(message));
    return { value: undefined, problems, locate };
  }
  if (!isPlainData(value)) {
    push('yaml/syntax', 'the file holds values JSON cannot (dates, sets, binary); quote them as text');
    return { value: undefined, problems, locate };
  }
  return { value, problems, locate };
}

function lowerFirst(s: string): string {
  return s.length > 0 ? s[0].toLowerCase() + s.slice(1) : s;
}

function duplicateKeyMessage(text: string, pos: [number, number]): string {
  const key = (/^[^:\n]{0,60}/.exec(text.slice(pos[0], pos[0] + 61))?.[0] ?? '').trim();
  return key ? `duplicate key "${key}" (each key may appear once per mapping)` : 'duplicate key (each key may appear once per mapping)';
}

/** Walks the syntax tree without recursion: forbidden and complex keys, explicit tags, depth. */
function checkNodes(root: unknown, lineCounter: LineCounter, push: (code: ProblemCode, message: string, pos?: Position, field?: string) => void, text: string) {
  const stack: { node: unknown; depth: number; path: (string | number)[] }[] = [{ node: root, depth: 0, path: [] }];
  let reported = 0;
  const report = (code: ProblemCode, message: string, node: unknown, path: (string | number)[]) => {
    if (reported++ >= MAX_YAML_ERRORS) return;
    const offset = nodeStart(node);
    push(code, message, offset === undefined ? START : positionOf(lineCounter, offset), fieldOf(path));
  };
  while (stack.length > 0) {
    const { node, depth, path } = stack.pop()!;
    if (node === null || node === undefined) continue;
    if (depth > MAX_DEPTH) {
      report('limits/too-deep', `nesting deeper than ${MAX_DEPTH} levels`, node, path);
      return;
    }
    const tag = (node as { tag?: string }).tag;
    if (tag !== undefined && !ALLOWED_TAGS.has(tag)) {
      report('yaml/syntax', `tag ${tag.replace('tag:yaml.org,2002:', '!!')} is not supported`, node, path);
    }
    if (isMap(node)) {
      const seen = new Set<string>();
      for (const pair of node.items) {
        const key = pair.key as unknown;
        if (key === null || key === undefined || (isScalar(key) && key.value === null)) {
          report('yaml/complex-key', 'a mapping entry has no key', key ?? pair.value ?? node, path);
          continue;
        }
        if (!isScalar(key)) {
          report('yaml/complex-key', 'mapping keys must be plain text, not lists, mappings or aliases', key, path);
          continue;
        }
        const name = String(key.value);
        if (seen.has(name)) {
          const start = nodeStart(key) ?? 0;
          report('yaml/duplicate-key', duplicateKeyMessage(text, [start, start + 1]), key, []);
          continue;
        }
        seen.add(name);
        if (FORBIDDEN_KEYS.has(name)) {
          report('yaml/forbidden-key', `the key "${name}" is not allowed`, key, [...path, name]);
          continue;
        }
        if (key.tag !== undefined && !ALLOWED_TAGS.has(key.tag)) report('yaml/syntax', `tag ${key.tag} is not supported`, key, path);
        stack.push({ node: pair.value, depth: depth + 1, path: [...path, name] });
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => stack.push({ node: item, depth: depth + 1, path: [...path, i] }));
    }
  }
}

function locateIn(doc: Document.Parsed, lineCounter: LineCounter, path: Path): Position {
  let node: unknown = doc.contents;
  let pos: Position = nodeStart(node) === undefined ? START : positionOf(lineCounter, nodeStart(node)!);
  for (const seg of path) {
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) break;
      const keyStart = nodeStart(pair.key);
      if (keyStart !== undefined) pos = positionOf(lineCounter, keyStart);
      node = pair.value;
    } else if (isSeq(node)) {
      const index = typeof seg === 'number' ? seg : /^\d+$/.test(seg) ? Number(seg) : -1;
      const item = index >= 0 ? (node.items[index] as Node | null | undefined) : undefined;
      if (item === undefined || item === null) break;
      const start = nodeStart(item);
      if (start !== undefined) pos = positionOf(lineCounter, start);
      node = item;
    } else break;
  }
  return pos;
}
