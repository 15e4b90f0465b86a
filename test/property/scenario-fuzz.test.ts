// Hostile and broken scenario, workload and runbook files, thousands of them: the real library
// files mutated (keys deleted, duplicated, swapped, retyped; huge numbers, NaN-like strings, deep
// nesting, unicode, `__proto__`/`constructor` keys, YAML anchors, aliases and tags, truncation,
// random bytes) and plain random text. Each is checked as `firedrill validate` and
// POST /api/scenarios/validate check a file — `loadLibrary([{ path, text, kind }], { fallback })`
// — in a worker thread, so a case that hung would be stopped and reported instead of hanging the
// run. Every file must be accepted (and then run in the engine without throwing) or answered with
// problems that each carry a registered code, a message and a line inside the file.
import { readFileSync, readdirSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parse as parseYamlValue, stringify as stringifyYaml } from 'yaml';
import { PROBLEM_CODES, type Problem } from '../../server/engine/scenario/problems.ts';
import { MAX_FILE_BYTES, MAX_NODES } from '../../server/engine/scenario/yaml.ts';
import { fileKind } from '../../server/http/routes/scenarios.ts';

type Kind = 'scenario' | 'workload' | 'runbook';
interface Source {
  path: string;
  text: string;
  kind: Kind;
}

const LIBRARY = new URL('../../scenarios/', import.meta.url);
const read = (sub: string, match: RegExp, kind: Kind): Source[] =>
  readdirSync(new URL(sub, LIBRARY))
    .filter((f) => match.test(f))
    .sort()
    .map((f) => ({ path: `${sub}${f}`, text: readFileSync(new URL(sub + f, LIBRARY), 'utf8'), kind }));
const SOURCES: Source[] = [
  ...read('', /\.scenario\.yaml$/, 'scenario'),
  ...read('workloads/', /\.workload\.yaml$/, 'workload'),
  ...read('runbooks/', /\.md$/, 'runbook'),
];
const YAML_SOURCES = SOURCES.filter((s) => s.kind !== 'runbook');

/**
 * Past SLOW_MS a case fails as slow; past HANG_MS the worker is stopped and the case fails as a
 * hang. Typical files take a few ms; the largest parsed ones (hundreds of thousands of YAML nodes,
 * under 1 MiB) take seconds on this shared machine, whose load average reaches 15 on 2 cores.
 */
const SLOW_MS = 15_000;
const HANG_MS = 60_000;

interface Outcome {
  id: number;
  problems?: Problem[];
  files?: { path: string; kind: string; id?: string }[];
  ran?: { events: number; phase: string } | { error: string } | null;
  threw?: string;
  ms: number;
  validateMs?: number;
  polluted?: boolean;
}

// ── the worker ──────────────────────────────────────────────────────────────────────────────

let worker: Worker;
let nextId = 1;
const pending = new Map<number, (o: Outcome) => void>();

function startWorker(): Promise<void> {
  worker = new Worker(new URL('./fuzz-worker.mjs', import.meta.url), { workerData: { libraryDir: LIBRARY.pathname } });
  return new Promise((resolve, reject) => {
    worker.once('error', reject);
    worker.on('message', (m: Outcome & { ready?: boolean }) => {
      if (m.ready) return resolve();
      pending.get(m.id)?.(m);
      pending.delete(m.id);
    });
  });
}

beforeAll(startWorker, 60_000);
afterAll(async () => {
  await worker?.terminate();
});

const stats = { cases: 0, accepted: 0, refused: 0, codes: new Map<string, number>(), slowest: { ms: 0, what: '' }, totalMs: 0 };

/** Checks one file in the worker; a case over HANG_MS terminates the worker and fails. */
async function check(path: string, text: string, kind: Kind, what: string): Promise<Outcome> {
  const id = nextId++;
  const outcome = await new Promise<Outcome | 'hang'>((resolve) => {
    const timer = setTimeout(() => resolve('hang'), HANG_MS);
    pending.set(id, (o) => {
      clearTimeout(timer);
      resolve(o);
    });
    worker.postMessage({ id, path, text, kind });
  });
  if (outcome === 'hang') {
    pending.delete(id);
    await worker.terminate();
    await startWorker();
    throw new Error(`HANG: ${what} (${kind}, ${text.length} chars) took over ${HANG_MS} ms: ${JSON.stringify(text.slice(0, 300))}`);
  }
  stats.cases++;
  stats.totalMs += outcome.ms;
  if (outcome.ms > stats.slowest.ms) stats.slowest = { ms: outcome.ms, what: `${what} (${kind}, ${text.length} chars)` };
  return outcome;
}

/** What every answer must satisfy: accepted and runnable, or problems that say what and where. */
function expectClearAnswer(o: Outcome, path: string, text: string, kind: Kind, what: string): void {
  const ctx = `${what} (${kind}): ${JSON.stringify(text.slice(0, 200))}`;
  expect(o.threw, `uncaught exception for ${ctx}`).toBeUndefined();
  expect(o.polluted, `Object.prototype changed after ${ctx}`).toBe(false);
  expect(o.ms, `slow: ${ctx}`).toBeLessThan(SLOW_MS);
  const problems = o.problems!;
  expect(Array.isArray(problems)).toBe(true);
  const lines = text.split('\n').length;
  for (const p of problems) {
    expect(Object.keys(PROBLEM_CODES), `unregistered code in ${JSON.stringify(p)} for ${ctx}`).toContain(p.code);
    expect(typeof p.message === 'string' && p.message.trim().length > 0, `empty message ${JSON.stringify(p)}`).toBe(true);
    expect(p.message.length, `overlong message for ${ctx}`).toBeLessThan(1000);
    expect(p.field.length, `overlong field for ${ctx}`).toBeLessThan(1000);
    expect(p.file).toBe(path);
    expect(typeof p.field).toBe('string');
    expect(Number.isInteger(p.line) && p.line >= 1 && p.line <= lines + 1, `line ${p.line} outside a ${lines}-line file: ${JSON.stringify(p)} for ${ctx}`).toBe(true);
    expect(Number.isInteger(p.column) && p.column >= 1, `column ${p.column}: ${JSON.stringify(p)}`).toBe(true);
  }
  // validate lists at most 100 problems per check plus one "more" marker; YAML errors at most 11
  expect(problems.length, `${problems.length} problems for ${ctx}`).toBeLessThanOrEqual(120);
  if (problems.length === 0) {
    stats.accepted++;
    if (kind === 'scenario') {
      expect(o.ran, `accepted but not run: ${ctx}`).toBeTruthy();
      expect((o.ran as { error?: string }).error, `an accepted scenario failed in the engine: ${ctx}`).toBeUndefined();
    }
  } else {
    stats.refused++;
    for (const p of problems) stats.codes.set(p.code, (stats.codes.get(p.code) ?? 0) + 1);
  }
}

// ── mutations ───────────────────────────────────────────────────────────────────────────────

/** mulberry32: the mutations' own randomness, from a seed fast-check picks (and shrinks). */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const one = <T>(xs: readonly T[]): T => xs[int(xs.length)];
  return { next, int, one };
}
type Rand = ReturnType<typeof prng>;

const HUGE = [1e308, -1e308, Infinity, -Infinity, NaN, 2 ** 53 + 1, -(2 ** 63), 1e-320, -0, 4294967296, 1.7976931348623157e308, 0.1 + 0.2];
const NAN_LIKE = ['NaN', '.nan', '.NaN', 'Infinity', '-.inf', '+.inf', '1e999', '-1e999', '0x1F', '0o17', '0b101', '+.5', '1_000', '', ' ', '~', 'null', 'true', 'yes', 'off', '5m5m', '-5m', '1h-30m', '99999999999h', '0s', '1e3s', '½', '٣', '１２'];
const UNICODE = ['\u202eevil\u202c', '👩‍🚒🔥', 'zero\u200bwidth', 'nul\u0000byte', 'lone\ud800surrogate', 'e\u0301\u0301\u0301', 'ﬁ', 'Ａ', 'іd' /* Cyrillic i */, '\ufeff', '\u2028line\u2029', 'x'.repeat(70_000), '𝔘𝔫𝔦𝔠𝔬𝔡𝔢', '\u0007\u001b[31m', 'ß'.repeat(300)];
const KEYS = ['__proto__', 'constructor', 'prototype', 'id', 'service', 'kind', 'at', 'duration', 'timeline', 'then', 'when', 'action', 'workload', 'faults', 'hasOwnProperty', 'toString', 'valueOf', '__defineGetter__', '', ' ', '0', '-1', 'length'];

function randomScalar(r: Rand): unknown {
  switch (r.int(6)) {
    case 0:
      return r.one(HUGE);
    case 1:
      return r.one(NAN_LIKE);
    case 2:
      return r.one(UNICODE);
    case 3:
      return r.next() < 0.5;
    case 4:
      return null;
    default:
      return Math.floor(r.next() * 2000) - 1000;
  }
}

function randomValue(r: Rand, depth = 0): unknown {
  const k = depth > 3 ? 0 : r.int(4);
  if (k === 0 || k === 1) return randomScalar(r);
  if (k === 2) return Array.from({ length: r.int(4) }, () => randomValue(r, depth + 1));
  const o: Record<string, unknown> = {};
  for (let i = r.int(4); i > 0; i--) define(o, r.one(KEYS), randomValue(r, depth + 1));
  return o;
}

/** Sets an own property even for `__proto__`, as a crafted file would. */
function define(o: Record<string, unknown>, key: string, value: unknown) {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
}

function nest(value: unknown, levels: number, r: Rand): unknown {
  let v = value;
  for (let i = 0; i < levels; i++) {
    if (r.next() < 0.5) v = [v];
    else {
      const o: Record<string, unknown> = {};
      define(o, r.one(['a', 'then', 'inject', 'when']), v);
      v = o;
    }
  }
  return v;
}

type Container = Record<string, unknown> | unknown[];
/** Every container in the tree with its path (the tree's own nodes, to mutate in place). */
function containers(root: unknown): { node: Container; path: string }[] {
  const out: { node: Container; path: string }[] = [];
  const stack: { node: unknown; path: string }[] = [{ node: root, path: '' }];
  while (stack.length && out.length < 5000) {
    const { node, path } = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    out.push({ node: node as Container, path });
    for (const [k, v] of Object.entries(node)) stack.push({ node: v, path: `${path}/${k}` });
  }
  return out;
}

/** One structural change to the parsed value; returns its name. */
function mutateTree(root: Record<string, unknown>, r: Rand): string {
  const all = containers(root);
  const { node, path } = r.one(all);
  const keys = Object.keys(node);
  const key = keys.length ? r.one(keys) : undefined;
  const set = (k: string | number, v: unknown) => (Array.isArray(node) ? (node[Number(k)] = v) : define(node, String(k), v));
  const get = (k: string | number) => (node as Record<string, unknown>)[k as string];
  const op = r.int(11);
  switch (op) {
    case 0:
      if (key === undefined) return 'noop';
      if (Array.isArray(node)) node.splice(Number(key), 1);
      else delete node[key];
      return `delete ${path}/${key}`;
    case 1: {
      if (key === undefined || Array.isArray(node)) return 'noop';
      const other = r.one([...KEYS, ...keys.map((k) => k + '2')]);
      define(node, other, structuredClone(get(key)));
      return `copy ${path}/${key} to ${other}`;
    }
    case 2: {
      if (keys.length < 2) return 'noop';
      const [a, b] = [r.one(keys), r.one(keys)];
      const va = get(a);
      set(a, get(b));
      set(b, va);
      return `swap ${path}/${a} and ${b}`;
    }
    case 3:
      if (key === undefined) return 'noop';
      set(key, randomValue(r));
      return `retype ${path}/${key}`;
    case 4:
      if (key === undefined) return 'noop';
      set(key, r.one(HUGE));
      return `huge number at ${path}/${key}`;
    case 5:
      if (key === undefined) return 'noop';
      set(key, r.one(NAN_LIKE));
      return `NaN-like string at ${path}/${key}`;
    case 6:
      if (key === undefined) return 'noop';
      set(key, nest(get(key), 5 + r.int(r.next() < 0.7 ? 40 : 120), r));
      return `deep nesting at ${path}/${key}`;
    case 7:
      if (key === undefined) return 'noop';
      set(key, r.one(UNICODE));
      return `unicode at ${path}/${key}`;
    case 8: {
      if (Array.isArray(node)) {
        node.push(structuredClone(node[0] ?? null));
        return `duplicate item of ${path}`;
      }
      const bad = r.one(['__proto__', 'constructor', 'prototype']);
      define(node, bad, r.next() < 0.5 ? { polluted: true } : 'x');
      return `${bad} key in ${path}`;
    }
    case 9:
      if (key === undefined || Array.isArray(node)) return 'noop';
      // rename a key, keeping its value
      define(node, r.one(UNICODE.slice(0, 12)) + key, get(key));
      delete node[key];
      return `rename ${path}/${key}`;
    default: {
      // a list with many items (big but under the size limit)
      if (key === undefined) return 'noop';
      const item = get(key);
      set(key, Array.from({ length: 20 + r.int(200) }, () => structuredClone(item)));
      return `many copies at ${path}/${key}`;
    }
  }
}

const TAGS = ['!!binary aGVsbG8=', '!!timestamp 2001-12-14', '!custom x', '!!set {a, b}', '!!omap [a: 1]', '!!python/object:os.system [ls]', '!<tag:yaml.org,2002:str> x', '!!str 5', '!!int "12"', '!!float x', '!!map [1]', '!!seq {a: 1}', '!js/function "function(){}"', '!!null x', '!!bool maybe'];

/** One change to the text; returns its name. */
function mutateText(text: string, r: Rand): { text: string; op: string } {
  const lines = text.split('\n');
  const at = r.int(Math.max(1, text.length));
  const li = r.int(lines.length);
  const op = r.int(16);
  switch (op) {
    case 0:
      return { text: text.slice(0, at), op: `truncate at ${at}` };
    case 1: {
      const n = 1 + r.int(8);
      const bytes = Array.from({ length: n }, () => String.fromCharCode(r.int(r.next() < 0.5 ? 128 : 0x10000))).join('');
      return { text: text.slice(0, at) + bytes + text.slice(at + (r.next() < 0.5 ? n : 0)), op: `random chars at ${at}` };
    }
    case 2: {
      // an anchor on one value and aliases to it elsewhere
      const m = /^(\s*(?:- )?[A-Za-z]+:)( .+)$/.exec(lines[li]);
      if (!m) return { text: lines.toSpliced(li, 0, 'x: &a [1, 2]', 'y: *a').join('\n'), op: 'anchor lines' };
      lines[li] = `${m[1]} &anc${m[2]}`;
      const lj = li + 1 + r.int(Math.max(1, lines.length - li - 1));
      const mj = /^(\s*(?:- )?[A-Za-z]+:) .+$/.exec(lines[lj] ?? '');
      if (mj) lines[lj] = `${mj[1]} *anc`;
      return { text: lines.join('\n'), op: `anchor at line ${li + 1}, alias at ${lj + 1}` };
    }
    case 3: {
      const m = /^(\s*(?:- )?[A-Za-z]+:) .+$/.exec(lines[li]);
      if (m) lines[li] = `${m[1]} ${r.one(TAGS)}`;
      else lines.splice(li, 0, `tagged: ${r.one(TAGS)}`);
      return { text: lines.join('\n'), op: `tag at line ${li + 1}` };
    }
    case 4:
      return { text: lines.toSpliced(li, 0, lines[li]).join('\n'), op: `duplicate line ${li + 1}` };
    case 5: {
      const lj = r.int(lines.length);
      [lines[li], lines[lj]] = [lines[lj], lines[li]];
      return { text: lines.join('\n'), op: `swap lines ${li + 1} and ${lj + 1}` };
    }
    case 6:
      return { text: lines.toSpliced(li, 1).join('\n'), op: `delete line ${li + 1}` };
    case 7:
      lines[li] = r.next() < 0.5 ? ' '.repeat(1 + r.int(3)) + lines[li] : '\t' + lines[li].trimStart();
      return { text: lines.join('\n'), op: `indent line ${li + 1}` };
    case 8:
      return { text: lines.toSpliced(li, 0, r.one(['---', '...', '%YAML 1.1', '%TAG ! tag:evil.com,2000:', '? [a, b]\n: c', '? {a: 1}\n: c', '<<: *nowhere', '*undefined_alias', '&dangling'])).join('\n'), op: `directive/marker at line ${li + 1}` };
    case 9:
      return { text: '\ufeff' + text.replace(/\n/g, r.next() < 0.5 ? '\r\n' : '\r'), op: 'BOM and other line ends' };
    case 10: {
      const depth = 20 + r.int(200);
      const open = r.next() < 0.5 ? '['.repeat(depth) : '{a: '.repeat(depth);
      return { text: lines.toSpliced(li, 0, `deep: ${open}`).join('\n'), op: `unclosed nesting ${depth} at line ${li + 1}` };
    }
    case 11: {
      const depth = 20 + r.int(120);
      const block = Array.from({ length: depth }, (_, i) => ' '.repeat(i) + (r.next() < 0.5 ? '- ' : 'k:')).join('\n');
      return { text: text + '\nnested:\n' + block, op: `block nesting ${depth}` };
    }
    case 12: {
      // a billion-laughs ladder of 2..8 levels
      const levels = 2 + r.int(7);
      const ladder = ['l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
      for (let i = 1; i < levels; i++) ladder.push(`l${i}: &l${i} [${Array.from({ length: 9 }, () => `*l${i - 1}`).join(', ')}]`);
      return { text: text + '\n' + ladder.join('\n'), op: `alias ladder of ${levels} levels` };
    }
    case 13: {
      const n = 1000 + r.int(20_000);
      return { text: text + `\nbig: [${'1, '.repeat(n)}1]`, op: `flow list of ${n} items` };
    }
    case 14:
      return r.next() < 0.1
        ? { text: text + '\n# ' + 'x'.repeat(MAX_FILE_BYTES), op: 'over 1 MiB' }
        : { text: text + `\nlong: "${'é'.repeat(10_000 + r.int(200_000))}"`, op: 'long string' };
    default:
      return { text: text.replace(/: /g, r.next() < 0.5 ? ':' : ':  \t'), op: 'colons' };
  }
}

const parsedSources = new Map<string, unknown>();
function parsedSource(src: Source): unknown {
  if (!parsedSources.has(src.path)) parsedSources.set(src.path, parseYamlValue(src.text));
  return parsedSources.get(src.path);
}

/** 1–4 mutations of a real file, structural (through the parsed value) or on the text. */
function mutate(src: Source, seed: number, count: number): { text: string; ops: string[] } {
  const r = prng(seed);
  let text = src.text;
  const ops: string[] = [];
  for (let i = 0; i < count; i++) {
    if (src.kind !== 'runbook' && r.next() < 0.5) {
      let value: unknown;
      try {
        value = text === src.text ? structuredClone(parsedSource(src)) : parseYamlValue(text, { uniqueKeys: false, maxAliasCount: 50, logLevel: 'silent' }); // an alias ladder would expand to millions of nodes here
      } catch {
        value = undefined;
      }
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
        ops.push(mutateTree(value as Record<string, unknown>, r));
        try {
          text = stringifyYaml(value, { aliasDuplicateObjects: false, lineWidth: 0 });
          continue;
        } catch (err) {
          ops.push(`(not stringified: ${(err as Error).message})`);
        }
      }
    }
    const m = mutateText(text, r);
    text = m.text;
    ops.push(m.op);
  }
  return { text, ops };
}

// ── properties ──────────────────────────────────────────────────────────────────────────────

const NUM_MUTATED = Number(process.env.FUZZ_RUNS ?? 1600);
const NUM_RANDOM = Number(process.env.FUZZ_RANDOM_RUNS ?? 600);

describe('scenario files: hostile and broken input is accepted or answered with problems', () => {
  it('every real library file is accepted as it is (the mutations start from valid files)', async () => {
    for (const src of SOURCES) {
      const o = await check(src.path, src.text, src.kind, `unmutated ${src.path}`);
      expectClearAnswer(o, src.path, src.text, src.kind, `unmutated ${src.path}`);
      expect(o.problems, src.path).toEqual([]);
    }
    expect(SOURCES.filter((s) => s.kind === 'scenario').length).toBeGreaterThanOrEqual(10);
  }, 120_000);

  it(`${NUM_MUTATED} mutated library files`, async () => {
    const before = { ...stats, refused: stats.refused, accepted: stats.accepted };
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: SOURCES.length - 1 }),
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.integer({ min: 1, max: 4 }),
        fc.constantFrom<Kind | 'own'>('own', 'own', 'own', 'own', 'scenario', 'workload', 'runbook'),
        async (index, seed, count, as) => {
          const src = SOURCES[index];
          const { text, ops } = mutate(src, seed, count);
          const kind = as === 'own' ? src.kind : as;
          const path = kind === 'runbook' ? 'runbooks/fuzz.md' : `fuzz.${kind}.yaml`;
          const what = `${src.path} seed ${seed}: ${ops.join('; ')}`;
          const o = await check(path, text, kind, what);
          expectClearAnswer(o, path, text, kind, what);
        },
      ),
      { numRuns: NUM_MUTATED, seed: process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined, endOnFailure: false },
    );
    const refused = stats.refused - before.refused;
    const accepted = stats.accepted - before.accepted;
    // The mutations must bite (most files refused, with many different codes), yet not all of them:
    // some (a changed text, a swapped pair of equal types) are still valid files.
    expect(refused).toBeGreaterThan(NUM_MUTATED * 0.5);
    expect(accepted).toBeGreaterThan(0);
    expect(stats.codes.size).toBeGreaterThanOrEqual(15);
  }, 600_000);

  it(`${NUM_RANDOM} files of random text and bytes`, async () => {
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 2000 }),
      fc.string({ unit: 'grapheme', maxLength: 500 }),
      fc.uint8Array({ maxLength: 4000 }).map((b) => Buffer.from(b).toString(b.length % 2 ? 'latin1' : 'utf8')),
      // random YAML-shaped values, with forbidden keys among the keys
      fc
        .jsonValue({ maxDepth: 6 })
        .map((v) => ({ id: 'fuzz', title: 'x', workload: 'shop', duration: '5m', extra: v }))
        .map((v) => stringifyYaml(v)),
      fc.array(fc.constantFrom(...'{}[]:-?&*!|>\'"#%@`,\n\t '.split(''), 'a', 'b: c', '- x', '&a', '*a', '!!str', '---'), { maxLength: 400 }).map((xs) => xs.join('')),
    );
    await fc.assert(
      fc.asyncProperty(text, fc.constantFrom<Kind>('scenario', 'workload', 'runbook'), fc.boolean(), async (t, kind, named) => {
        // as the REST route decides the kind of an unnamed upload
        const k = named ? kind : fileKind(undefined, undefined, t);
        const path = k === 'runbook' ? 'runbooks/random.md' : `random.${k}.yaml`;
        const o = await check(path, t, k, 'random text');
        expectClearAnswer(o, path, t, k, 'random text');
      }),
      { numRuns: NUM_RANDOM, endOnFailure: false },
    );
  }, 300_000);

  it('named hostile files: each refused with its own code, fast', async () => {
    const shop = YAML_SOURCES.find((s) => s.path.includes('friday-deploy'))!.text;
    const cases: [string, string, Kind, Problem['code']][] = [
      ['alias bomb', 'a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n', 'scenario', 'yaml/alias-limit'],
      ['100 000 open brackets', 'a: ' + '['.repeat(100_000), 'scenario', 'limits/too-deep'],
      ['2 MiB', 'a: "' + 'x'.repeat(2 * 1024 * 1024) + '"', 'workload', 'limits/too-large'],
      ['__proto__ key', shop.replace(/^title:/m, '__proto__: { polluted: true }\ntitle:'), 'scenario', 'yaml/forbidden-key'],
      ['constructor key', shop.replace(/^title:/m, 'constructor: { prototype: { polluted: true } }\ntitle:'), 'scenario', 'yaml/forbidden-key'],
      ['duplicate id', shop.replace(/^title:/m, 'id: again\ntitle:'), 'scenario', 'yaml/duplicate-key'],
      ['custom tag', shop.replace(/^title: .*$/m, 'title: !js/function "x"'), 'scenario', 'yaml/syntax'],
      ['two documents', shop + '\n---\nid: other\n', 'scenario', 'yaml/syntax'],
      ['NaN duration', shop.replace(/^duration: .*$/m, 'duration: .nan'), 'scenario', 'schema/duration'],
      ['runbook of junk', '\u0000'.repeat(1000), 'runbook', 'runbook/no-steps'],
    ];
    for (const [what, text, kind, code] of cases) {
      const path = kind === 'runbook' ? 'runbooks/x.md' : `x.${kind}.yaml`;
      const o = await check(path, text, kind, what);
      expectClearAnswer(o, path, text, kind, what);
      expect(o.problems!.map((p) => p.code), what).toContain(code);
      expect(o.ms, what).toBeLessThan(2000);
    }
  }, 120_000);

  it('many keys cost what as many list items cost: the duplicate-key check is linear (it was quadratic: 20 000 keys took 20 s)', async () => {
    const n = MAX_NODES - 1_000; // under the node limit, so that both are parsed
    const keys = 'a:\n' + Array.from({ length: n }, (_, i) => `  k${i}: 1`).join('\n') + '\n  k0: 2\n';
    const list = 'a:\n' + Array.from({ length: n }, (_, i) => `  - k${i} 1`).join('\n') + '\n';
    const k = await check('keys.scenario.yaml', keys, 'scenario', `${n} keys`);
    const l = await check('list.scenario.yaml', list, 'scenario', `${n} list items`);
    expect(k.problems!.map((p) => [p.line, p.code])).toEqual([[n + 2, 'yaml/duplicate-key']]);
    expect(k.problems![0].message).toBe('duplicate key "k0" (each key may appear once per mapping)');
    expect(l.problems!.map((p) => p.code)).not.toContain('yaml/duplicate-key');
    console.log(`${n} keys: ${k.ms.toFixed(0)} ms; ${n} list items: ${l.ms.toFixed(0)} ms`);
    expect(k.ms).toBeLessThan(4 * l.ms + 1000);
  }, 180_000);

  it('1 MiB of flow-list items (4 s to parse) is refused before parsing; the costliest file under the node limit is answered', async () => {
    const text = `id: x\nbig: [${'1, '.repeat(340_000)}1]\n`;
    expect(text.length).toBeLessThan(MAX_FILE_BYTES);
    const o = await check('big.scenario.yaml', text, 'scenario', '1 MiB flow list');
    expect(o.threw).toBeUndefined();
    expect(o.problems!.map((p) => p.code)).toEqual(['limits/too-many-nodes']);
    const under = `id: x\nbig: [${'1, '.repeat(MAX_NODES - 10)}1]\n`;
    const u = await check('under.scenario.yaml', under, 'scenario', 'flow list just under the node limit');
    expect(u.problems!.map((p) => p.code)).toContain('schema/unknown-field');
    console.log(`1 MiB flow list: refused in ${o.ms.toFixed(0)} ms; ${MAX_NODES - 9} items: ${u.ms.toFixed(0)} ms`);
    expect(u.ms).toBeLessThan(HANG_MS);
  }, 60_000);

  afterAll(() => {
    const codes = [...stats.codes].sort((a, b) => b[1] - a[1]).map(([c, n]) => `${c} ${n}`);
    console.log(
      `scenario fuzz: ${stats.cases} files checked in ${(stats.totalMs / 1000).toFixed(1)} s of worker time; ${stats.accepted} accepted, ${stats.refused} refused; ` +
        `slowest ${stats.slowest.ms.toFixed(0)} ms: ${stats.slowest.what.slice(0, 300)}\ncodes: ${codes.join(', ')}`,
    );
  });
});
