import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MAX_FILE_BYTES, MAX_NODES, parseYaml } from '../../server/engine/scenario/yaml.ts';
import { parseRunbook } from '../../server/engine/scenario/runbook.ts';
import { validateScenario } from '../../server/engine/scenario/validate.ts';
import type { Problem } from '../../server/engine/scenario/problems.ts';

// Generous bounds: these inputs are refused in milliseconds; the bound only catches a regression
// to parsing them (seconds, or an out-of-memory crash), so it never flakes on a slow machine.
const FAST_MS = 2000;

function timed<T>(f: () => T): { result: T; ms: number } {
  const start = performance.now();
  const result = f();
  return { result, ms: performance.now() - start };
}

const codes = (problems: Problem[]) => problems.map((p) => p.code);

describe('refused before or while parsing, fast', () => {
  it('an alias bomb ("billion laughs") is refused in well under a second', () => {
    const text = readFileSync('test/fixtures/invalid/yaml-alias-limit.scenario.yaml', 'utf8');
    const { result, ms } = timed(() => parseYaml(text, 'bomb.yaml'));
    expect(result.value).toBeUndefined();
    expect(result.problems).toEqual([
      { file: 'bomb.yaml', line: 1, column: 1, field: '', code: 'yaml/alias-limit', message: 'too many alias expansions (over 50); refused as an entity-expansion attack' },
    ]);
    expect(ms).toBeLessThan(FAST_MS);
  });

  it('a 10 MB string is refused without being parsed', () => {
    const text = 'a: "' + 'x'.repeat(10 * 1024 * 1024) + '"\n';
    const { result, ms } = timed(() => parseYaml(text, 'big.yaml'));
    expect(result.value).toBeUndefined();
    expect(result.problems).toEqual([
      { file: 'big.yaml', line: 1, column: 1, field: '', code: 'limits/too-large', message: 'file is too large (over 1 MiB; the limit is 1 MiB); it was not parsed' },
    ]);
    expect(ms).toBeLessThan(FAST_MS);
  });

  it('a 10 MB runbook is refused too', () => {
    const { result, ms } = timed(() => parseRunbook('#'.repeat(10 * 1024 * 1024), 'big.md'));
    expect(codes(result.problems)).toEqual(['limits/too-large']);
    expect(ms).toBeLessThan(FAST_MS);
  });

  it('the limit counts UTF-8 bytes: 400 000 euro signs (1.2 MB) are too large, exactly 1 MiB of ASCII is not', () => {
    expect(codes(parseYaml('a: ' + '€'.repeat(400_000), 'e.yaml').problems)).toEqual(['limits/too-large']);
    const exact = '# ' + 'x'.repeat(MAX_FILE_BYTES - 2);
    expect(exact.length).toBe(MAX_FILE_BYTES);
    expect(codes(parseYaml(exact, 'exact.yaml').problems)).toEqual(['yaml/empty']);
    expect(codes(parseYaml(exact + 'x', 'over.yaml').problems)).toEqual(['limits/too-large']);
  });

  it.each([
    ['100 000 nested flow lists', '['.repeat(100_000)],
    ['a line of 10 000 "- " indicators', '- '.repeat(10_000) + 'x'],
    ['200 levels of indented mappings', Array.from({ length: 200 }, (_, i) => ' '.repeat(i) + 'a:').join('\n') + ' 1'],
    ['200 nested flow mappings', '{a: '.repeat(200) + '1' + '}'.repeat(200)],
  ])('%s: refused as too deep', (_, text) => {
    const { result, ms } = timed(() => parseYaml(text, 'deep.yaml'));
    expect(result.value).toBeUndefined();
    expect(codes(result.problems)).toEqual(['limits/too-deep']);
    expect(ms).toBeLessThan(FAST_MS);
  });

  it('nesting of 30 levels is fine', () => {
    const text = 'a: ' + '['.repeat(30) + '1' + ']'.repeat(30);
    const r = parseYaml(text, 'ok.yaml');
    expect(r.problems).toEqual([]);
    let v: unknown = (r.value as { a: unknown }).a;
    let depth = 0;
    while (Array.isArray(v)) {
      v = v[0];
      depth++;
    }
    expect([depth, v]).toEqual([30, 1]);
  });

  it('a file of junk (10 000 mismatched brackets, quotes and colons) gives at most 11 problems, quickly', () => {
    const text = Array.from({ length: 10_000 }, (_, i) => ['}', ']', ': :', '"', "'", '- -', '? ?', '&', '*x', '!!'][i % 10]).join('\n');
    const { result, ms } = timed(() => parseYaml(text, 'junk.yaml'));
    expect(result.value).toBeUndefined();
    expect(result.problems.length).toBeGreaterThan(0);
    expect(result.problems.length).toBeLessThanOrEqual(11);
    expect(ms).toBeLessThan(FAST_MS);
  });

  it('a scenario with 150 broken timeline entries lists 100 problems and says there are more', () => {
    const timeline = Array.from({ length: 150 }, (_, i) => `  - { at: ${i}, inject: { kind: crash } }`).join('\n');
    const y = parseYaml('timeline:\n' + timeline, 'many.yaml');
    const problems = validateScenario(y.value, { workload: undefined, runbooks: new Map() }, y.locate, 'many.yaml');
    expect(problems.length).toBe(101);
    expect(problems.filter((p) => p.code === 'limits/too-many-problems').map((p) => p.message)).toEqual([
      'more than 100 problems; fix these and check again',
    ]);
  });
});

describe('refused YAML features', () => {
  it.each(['__proto__', 'constructor', 'prototype'])('the key %s is refused anywhere, and nothing is polluted', (key) => {
    const r = parseYaml(`a:\n  b:\n    - ${key}: { polluted: true }\n`, 'k.yaml');
    expect(r.value).toBeUndefined();
    expect(r.problems.map((p) => [p.line, p.column, p.field, p.code])).toEqual([[3, 7, `a.b[0].${key}`, 'yaml/forbidden-key']]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('a duplicate key is refused with its name and line', () => {
    const r = parseYaml('id: a\ntitle: x\nid: b\n', 'd.yaml');
    expect(r.problems.map((p) => [p.line, p.code, p.message])).toEqual([[3, 'yaml/duplicate-key', 'duplicate key "id" (each key may appear once per mapping)']]);
  });

  it.each([
    ['several documents', 'a: 1\n---\nb: 2\n', 2, 'the file holds several YAML documents (`---`); put each in its own file'],
    ['a custom tag', 'a: !js/function "x"\n', 1, 'unresolved tag: !js/function (custom tags are not supported)'],
    ['a binary value', 'a: !!binary aGVsbG8=\n', 1, 'unresolved tag: !!binary (custom tags are not supported)'],
    ['a timestamp', 'a: !!timestamp 2001-12-14\n', 1, 'unresolved tag: !!timestamp (custom tags are not supported)'],
    ['an unresolved alias', 'a: *nowhere\n', 1, 'unresolved alias (the anchor must be set before the alias): nowhere'],
  ])('%s is a yaml/syntax problem', (_, text, line, message) => {
    const r = parseYaml(text, 'f.yaml');
    expect(r.value).toBeUndefined();
    expect(r.problems.map((p) => [p.line, p.code, p.message])).toEqual([[line, 'yaml/syntax', message]]);
  });

  it('a %YAML 1.1 directive does not bring back YAML 1.1 booleans or dates', () => {
    const r = parseYaml('%YAML 1.1\n---\na: yes\nb: 2001-12-14\n', 'v.yaml');
    expect(r.problems).toEqual([]);
    expect(r.value).toEqual({ a: 'yes', b: '2001-12-14' });
  });

  it('a few aliases are fine', () => {
    const r = parseYaml('base: &b { service: api, ms: 100 }\none: *b\ntwo: *b\n', 'a.yaml');
    expect(r.problems).toEqual([]);
    expect(r.value).toEqual({ base: { service: 'api', ms: 100 }, one: { service: 'api', ms: 100 }, two: { service: 'api', ms: 100 } });
  });

  it('text that is not a string is a problem, not an exception', () => {
    expect(codes(parseYaml(42 as unknown as string, 'n.yaml').problems)).toEqual(['yaml/syntax']);
  });
});

describe('locate', () => {
  const r = parseYaml(['id: x', 'timeline:', '  - at: 5m', '    inject:', '      kind: latency', '      service: ordrs', '  - at: 6m', '    message: hi'].join('\n'), 'l.yaml');

  it('points at the key of a mapping entry', () => {
    expect(r.locate(['timeline', 0, 'inject', 'service'])).toEqual({ line: 6, column: 7 });
    expect(r.locate(['timeline', 0, 'inject'])).toEqual({ line: 4, column: 5 });
  });

  it('points at the start of a list item', () => {
    expect(r.locate(['timeline', 1])).toEqual({ line: 7, column: 5 });
  });

  it('points at the closest existing parent for a missing path', () => {
    expect(r.locate(['timeline', 0, 'inject', 'ms'])).toEqual({ line: 4, column: 5 });
    expect(r.locate(['timeline', 9, 'at'])).toEqual({ line: 2, column: 1 });
    expect(r.locate(['nothing', 'here'])).toEqual({ line: 1, column: 1 });
  });

  it('a CRLF file has the same lines', () => {
    const crlf = parseYaml('id: x\r\nlist:\r\n  - a\r\n  - b\r\n', 'c.yaml');
    expect(crlf.locate(['list', 1])).toEqual({ line: 4, column: 5 });
  });

  it('refuses more than MAX_NODES lines and separators before parsing (a 1 MiB list took 4 s to parse)', () => {
    const list = 'items:\n' + '  - 1\n'.repeat(170_000);
    const result = parseYaml(list, 'many.yaml');
    expect(codes(result.problems)).toEqual(['limits/too-many-nodes']);
    expect(result.problems[0].line).toBe(MAX_NODES + 1);
    const flow = 'a: [' + '1,'.repeat(MAX_NODES + 1) + '1]';
    expect(codes(parseYaml(flow, 'flow.yaml').problems)).toEqual(['limits/too-many-nodes']);
    // Just under the limit still parses.
    const under = 'items:\n' + '  - 1\n'.repeat(MAX_NODES - 2);
    expect(parseYaml(under, 'under.yaml').problems).toEqual([]);
  });
});
