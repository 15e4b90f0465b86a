import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadLibrary, classifyFile, type LibraryFile } from '../../server/engine/scenario/library.ts';
import { PROBLEM_CODES, formatProblem, type Problem } from '../../server/engine/scenario/problems.ts';
import { parseYaml } from '../../server/engine/scenario/yaml.ts';
import { impossibleCondition, validateScenario, validateWorkload } from '../../server/engine/scenario/validate.ts';
import { parseRunbook } from '../../server/engine/scenario/runbook.ts';
import type { WorkloadSpec } from '../../server/engine/workload/schema.ts';
import { readLibrary, readScenarioFiles, resolveScenario } from '../../server/library/fs.ts';
import { validateCommand } from '../../server/cli/validate.ts';

const VALID = 'test/fixtures/valid';
const INVALID = 'test/fixtures/invalid';
const read = (path: string): LibraryFile => ({ path, text: readFileSync(path, 'utf8') });
const validFiles = () => [read(`${VALID}/workloads/shop.workload.yaml`), read(`${VALID}/runbooks/api-latency.md`), read(`${VALID}/basic.scenario.yaml`)];

/** Problems of `names` (fixtures under test/fixtures/invalid/) loaded together with the valid library. */
function problemsOf(...names: string[]): Pick<Problem, 'file' | 'line' | 'field' | 'code'>[] {
  const files = names.map((n) => read(`${INVALID}/${n}`));
  const lib = loadLibrary([...validFiles(), ...files]);
  return lib.problems.map(({ file, line, field, code }) => ({ file: file.replace(`${INVALID}/`, ''), line, field, code }));
}

describe('valid fixtures', () => {
  it('the valid workload, runbook and scenario produce zero problems', () => {
    const lib = loadLibrary(validFiles());
    expect(lib.problems).toEqual([]);
    expect([...lib.workloads.keys()]).toEqual(['shop']);
    expect([...lib.scenarios.keys()]).toEqual(['basic']);
    expect([...lib.runbooks.keys()]).toEqual(['api-latency']);
    expect(lib.scenarios.get('basic')!.file).toBe(`${VALID}/basic.scenario.yaml`);
  });
});

// One fixture per error class; each names the exact code, line and field it must produce.
const CASES: [fixture: string, expected: [line: number, field: string, code: string][]][] = [
  ['yaml-syntax.scenario.yaml', [[8, '', 'yaml/syntax']]],
  ['yaml-duplicate-key.scenario.yaml', [[4, '', 'yaml/duplicate-key']]],
  ['yaml-forbidden-key.scenario.yaml', [[12, 'timeline[0].__proto__', 'yaml/forbidden-key']]],
  ['yaml-complex-key.scenario.yaml', [[10, '', 'yaml/complex-key']]],
  ['yaml-empty.scenario.yaml', [[1, '', 'yaml/empty']]],
  ['yaml-alias-limit.scenario.yaml', [[1, '', 'yaml/alias-limit']]],
  ['limits-too-deep.scenario.yaml', [[3, '', 'limits/too-deep']]],
  ['library-unclassified.yaml', [[1, '', 'library/unclassified']]],

  ['schema-type.scenario.yaml', [[7, 'objectives', 'schema/type']]],
  ['schema-required.scenario.yaml', [[2, 'briefing', 'schema/required']]],
  ['schema-unknown-field.scenario.yaml', [[16, 'expectations.escalation.sevrity', 'schema/unknown-field']]],
  ['schema-enum.scenario.yaml', [[5, 'difficulty', 'schema/enum']]],
  ['schema-unknown-variant.scenario.yaml', [[12, 'timeline[0].inject.kind', 'schema/unknown-variant']]],
  ['schema-range.scenario.yaml', [[12, 'timeline[0].inject.ms', 'schema/range']]],
  ['schema-size.scenario.yaml', [[7, 'objectives', 'schema/size']]],
  ['schema-pattern.scenario.yaml', [[8, 'workload', 'schema/pattern']]],
  ['schema-duration.scenario.yaml', [[6, 'duration', 'schema/duration']]],

  ['ref-unknown-workload.scenario.yaml', [[8, 'workload', 'ref/unknown-workload']]],
  ['ref-unknown-service.scenario.yaml', [[12, 'timeline[0].inject.service', 'ref/unknown-service']]],
  ['ref-unknown-team.scenario.yaml', [[10, 'players.teams[0]', 'ref/unknown-team']]],
  ['ref-unknown-team.workload.yaml', [[69, 'alerts[1].route', 'ref/unknown-team']]],
  ['ref-unknown-runbook.scenario.yaml', [[17, 'expectations.runbook.id', 'ref/unknown-runbook']]],
  ['ref-unknown-alert.scenario.yaml', [[15, 'expectations.detection.alerts[0]', 'ref/unknown-alert']]],
  ['ref-unknown-hint.scenario.yaml', [[17, 'branches[0].then[0].hint', 'ref/unknown-hint']]],
  ['ref-unknown-branch.scenario.yaml', [[15, 'branches[0].when.after', 'ref/unknown-branch']]],
  ['ref-unknown-fault.scenario.yaml', [[13, 'rootCause.faults[0]', 'ref/unknown-fault']]],
  ['ref-unknown-flag.scenario.yaml', [[13, 'timeline[0].inject.resolvedBy[0].flag', 'ref/unknown-flag']]],
  ['ref-unknown-step.scenario.yaml', [[17, 'expectations.runbook.steps[1]', 'ref/unknown-step']]],
  ['ref-unknown-zone.scenario.yaml', [[12, 'timeline[0].inject.zone', 'ref/unknown-zone']]],
  ['ref-unknown-dependency.scenario.yaml', [[12, 'timeline[0].inject.dependency', 'ref/unknown-dependency']]],

  ['duplicate-service.workload.yaml', [[34, 'services[3].id', 'duplicate/service']]],
  ['duplicate-team.workload.yaml', [[78, 'teams[2].id', 'duplicate/team']]],
  ['duplicate-slo.workload.yaml', [[52, 'slos[1].id', 'duplicate/slo']]],
  ['duplicate-alert.scenario.yaml', [[11, 'alerts[0].id', 'duplicate/alert']]],
  ['duplicate-branch.scenario.yaml', [[17, 'branches[1].id', 'duplicate/branch']]],
  ['duplicate-hint.scenario.yaml', [[15, 'hints[1].id', 'duplicate/hint']]],
  ['duplicate-fault.scenario.yaml', [[17, 'branches[0].then[0].inject.id', 'duplicate/fault']]],
  ['duplicate-scenario.scenario.yaml', [[2, 'id', 'duplicate/scenario']]],
  ['duplicate-workload.workload.yaml', [[2, 'id', 'duplicate/workload']]],

  ['workload-dependency-cycle.workload.yaml', [[42, 'services[3].dependencies[0].service', 'workload/dependency-cycle']]],
  ['workload-cache-miss.workload.yaml', [[24, 'services[1].dependencies[1].onCacheMissOf', 'workload/cache-miss']]],
  ['metric-impossible.workload.yaml', [[67, 'alerts[1].threshold', 'metric/impossible']]],

  ['timeline-past-end.scenario.yaml', [[13, 'timeline[1].at', 'timeline/past-end']]],
  ['timeline-entry-shape.scenario.yaml', [[11, 'timeline[0]', 'timeline/entry-shape']]],
  ['branch-trigger-shape.scenario.yaml', [[15, 'branches[0].when', 'branch/trigger-shape']]],
  ['branch-consequence-shape.scenario.yaml', [[17, 'branches[0].then[0]', 'branch/consequence-shape']]],
  [
    'branch-after-cycle.scenario.yaml',
    [
      [15, 'branches[0].when.after', 'branch/after-cycle'],
      [18, 'branches[1].when.after', 'branch/after-cycle'],
    ],
  ],
  ['branch-unreachable.scenario.yaml', [[15, 'branches[0].when.action.service', 'branch/unreachable']]],
  ['stop-when-shape.scenario.yaml', [[19, 'stop[0].when', 'stop/when-shape']]],
  ['metric-impossible.scenario.yaml', [[15, 'branches[0].when.metric.threshold', 'metric/impossible']]],
  ['fault-unresolvable.scenario.yaml', [[12, 'timeline[0].inject.kind', 'fault/unresolvable']]],
  ['fault-resolver-inapplicable.scenario.yaml', [[12, 'timeline[0].inject.resolvedBy[0].action', 'fault/resolver-inapplicable']]],
  ['fault-service-kind.scenario.yaml', [[12, 'timeline[0].inject.kind', 'fault/service-kind']]],
  [
    'rootcause-unreachable.scenario.yaml',
    [
      [15, 'branches[0].when.metric.threshold', 'metric/impossible'],
      [18, 'rootCause.faults[0]', 'rootcause/unreachable'],
    ],
  ],
];

describe('one fixture per error class', () => {
  it.each(CASES)('%s', (fixture, expected) => {
    expect(problemsOf(fixture)).toEqual(expected.map(([line, field, code]) => ({ file: fixture, line, field, code })));
  });

  it('every fixture states its code on its first line', () => {
    for (const [fixture, expected] of CASES) {
      const first = readFileSync(`${INVALID}/${fixture}`, 'utf8').split('\n')[0];
      expect(first, fixture).toContain(expected[expected.length - 1][2]);
    }
  });

  it('a scenario whose workload is broken says so, once, and the workload reports its own problem', () => {
    expect(problemsOf('ref-workload-invalid.scenario.yaml', 'ref-workload-invalid.workload.yaml')).toEqual([
      { file: 'ref-workload-invalid.scenario.yaml', line: 8, field: 'workload', code: 'ref/workload-invalid' },
      { file: 'ref-workload-invalid.workload.yaml', line: 5, field: 'services[0].replicas', code: 'schema/type' },
    ]);
  });
});

describe('messages', () => {
  const lib = (name: string) => loadLibrary([...validFiles(), read(`${INVALID}/${name}`)]).problems.map(formatProblem);

  it('name the file, line, column, field, a did-you-mean and the code', () => {
    expect(lib('ref-unknown-service.scenario.yaml')).toEqual([
      `${INVALID}/ref-unknown-service.scenario.yaml:12:44 timeline[0].inject.service: unknown service "apii" (did you mean "api"?) [ref/unknown-service]`,
    ]);
    expect(lib('schema-unknown-field.scenario.yaml')).toEqual([
      `${INVALID}/schema-unknown-field.scenario.yaml:16:17 expectations.escalation.sevrity: unknown field "sevrity" (did you mean "severity"?) [schema/unknown-field]`,
    ]);
    expect(lib('schema-unknown-variant.scenario.yaml')).toEqual([
      `${INVALID}/schema-unknown-variant.scenario.yaml:12:29 timeline[0].inject.kind: unknown fault kind "latncy" (did you mean "latency"?) [schema/unknown-variant]`,
    ]);
    expect(lib('schema-enum.scenario.yaml')).toEqual([
      `${INVALID}/schema-enum.scenario.yaml:5:1 difficulty: must be one of: easy, medium, hard (got "hrad"; did you mean "hard"?) [schema/enum]`,
    ]);
    expect(lib('workload-dependency-cycle.workload.yaml')).toEqual([
      `${INVALID}/workload-dependency-cycle.workload.yaml:42:11 services[3].dependencies[0].service: dependency cycle: lb → api → db → lb [workload/dependency-cycle]`,
    ]);
    expect(lib('metric-impossible.scenario.yaml')[0]).toContain('error_rate is a fraction between 0 and 1, so "> 5" never holds (for 5%, write 0.05)');
  });

  it('an unknown fault kind far from every kind lists the kinds', () => {
    const y = parseYaml('timeline: [{ at: 1, inject: { kind: meteor, id: x, service: api } }]', 'x.yaml');
    const problems = validateScenario(y.value, { workload: undefined, runbooks: new Map() }, y.locate, 'x.yaml');
    const variant = problems.find((p) => p.code === 'schema/unknown-variant')!;
    expect(variant.message).toBe(
      'unknown fault kind "meteor" (expected one of: latency, error-rate, crash, cpu-saturation, memory-leak, dependency-outage, network-partition, disk-full, cert-expiry, bad-deploy, bad-config, traffic-surge, cache-failure, pool-exhaustion, slow-query)',
    );
    expect(variant.field).toBe('timeline[0].inject.kind');
  });

  it('an action union reports only the errors of the chosen action', () => {
    const text = 'id: r\ntitle: t\n---\n';
    expect(text).toBeTruthy();
    const y = parseYaml('action: scale-out\nservice: api\ncount: 0\n', 'a.yaml');
    // reuse the schema walker through validateScenario's building block
    return import('../../server/engine/scenario/schema-errors.ts').then(async ({ schemaProblems }) => {
      const { Action } = await import('../../server/engine/actions/schema.ts');
      const problems = schemaProblems(Action, y.value, 'a.yaml', y.locate);
      expect(problems.map((p) => [p.line, p.field, p.code, p.message])).toEqual([[3, 'count', 'schema/range', 'must be at least 1 (got 0)']]);
    });
  });

  it('a schema keyword the walker has no words for still yields one located problem (schema/invalid)', async () => {
    const { schemaProblems } = await import('../../server/engine/scenario/schema-errors.ts');
    const Type = (await import('typebox')).default;
    const y = parseYaml('n: 7\n', 'n.yaml');
    const problems = schemaProblems(Type.Object({ n: Type.Number({ multipleOf: 5 }) }), y.value, 'n.yaml', y.locate);
    expect(problems.map((p) => [p.line, p.field, p.code])).toEqual([[1, 'n', 'schema/invalid']]);
  });

  it('impossible conditions have exact reasons', () => {
    expect(impossibleCondition('error_rate', '>', 1)).toBe('error_rate is a fraction between 0 and 1, so "> 1" never holds');
    expect(impossibleCondition('error_rate', '>=', 1)).toBeUndefined();
    expect(impossibleCondition('disk_pct', '>', 100)).toBe('disk_pct is a percentage between 0 and 100, so "> 100" never holds');
    expect(impossibleCondition('latency_p99_ms', '<', 0)).toBe('latency_p99_ms is never negative, so "< 0" never holds');
    expect(impossibleCondition('rps', '>', 1e9)).toBeUndefined();
    const api = { id: 'api', kind: 'api' } as WorkloadSpec['services'][number];
    expect(impossibleCondition('cache_hit_ratio', '<', 0.5, api)).toBe('cache_hit_ratio is only measured on caches, and "api" is an api');
  });
});

describe('runbooks in the library', () => {
  it('a runbook naming a service the workloads that use it do not have is reported at its line', () => {
    const text = readFileSync(`${VALID}/runbooks/api-latency.md`, 'utf8').replace('`check: deploys api`', '`check: deploys apii`').replace('services: [api, db]', 'services: [api, dbb]');
    const lib = loadLibrary([read(`${VALID}/workloads/shop.workload.yaml`), { path: 'runbooks/api-latency.md', text }]);
    expect(lib.problems.map((p) => [p.line, p.column, p.field, p.code])).toEqual([
      [4, 17, 'services[1]', 'ref/unknown-service'],
      [11, 1, 'step[1].check.service', 'ref/unknown-service'],
    ]);
    expect(lib.problems[1].message).toBe('unknown service "apii" (did you mean "api"?): the runbook is used by workload "shop", which has no such service');
  });

  it('files are classified by suffix and folder', () => {
    expect(classifyFile('scenarios/runbooks/x.md')).toBe('runbook');
    expect(classifyFile('scenarios/notes.md')).toBe('ignored');
    expect(classifyFile('scenarios/README.md')).toBe('ignored');
    expect(classifyFile('scenarios/examples/a.scenario.yaml')).toBe('ignored');
    expect(classifyFile('/home/u/examples/lib/a.scenario.yaml', '/home/u/examples/lib')).toBe('scenario');
    expect(classifyFile('scenarios/workloads/shop.workload.yml')).toBe('workload');
    expect(classifyFile('scenarios/x.yaml')).toBe('unclassified');
  });
});

describe('no crash on any input', () => {
  const workload = (loadLibrary(validFiles()).workloads.get('shop'))!;
  const runbooks = loadLibrary(validFiles()).runbooks;
  const at = () => ({ line: 1, column: 1 });
  const junk: unknown[] = [
    null,
    undefined,
    0,
    -1,
    Number.NaN,
    'text',
    true,
    [],
    [1, 2, 3],
    {},
    { id: 5, timeline: 'x', branches: { a: 1 } },
    { timeline: [null, 1, 'x', [], { at: null, inject: [] }, { at: '5m', inject: { kind: null } }] },
    { services: [{ dependencies: [{ service: null }] }], teams: null, traffic: [] },
    JSON.parse('{"a":' + '['.repeat(500) + ']'.repeat(500) + '}'),
    { expectations: { detection: { alerts: [[[[]]]] } }, stop: [{ when: { metric: { service: {} } } }] },
  ];

  it.each(junk.map((j, i) => [i, j]))('junk value #%i gives problems, not exceptions', (_, value) => {
    const s = validateScenario(value, { workload, runbooks }, at, 'x.scenario.yaml');
    const w = validateWorkload(value, at, 'x.workload.yaml');
    expect(s.length).toBeGreaterThan(0);
    expect(w.length).toBeGreaterThan(0);
    for (const p of [...s, ...w]) expect(Object.keys(PROBLEM_CODES)).toContain(p.code);
  });

  it('seeded mutations of the valid scenario never throw', () => {
    const base = readFileSync(`${VALID}/basic.scenario.yaml`, 'utf8');
    let seed = 12345;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const pieces = ['', ' ', ':', '-', '[', ']', '{', '}', 'null', '0', 'x', '\n', '  ', '&a', '*a', '"', '!!str', '#'];
    let problemsSeen = 0;
    for (let i = 0; i < 300; i++) {
      let text = base;
      for (let k = 0; k < 3; k++) {
        const pos = rand(text.length);
        text = text.slice(0, pos) + pieces[rand(pieces.length)] + text.slice(pos + rand(4));
      }
      const lib = loadLibrary([...validFiles().filter((f) => !f.path.endsWith('basic.scenario.yaml')), { path: 'm.scenario.yaml', text }]);
      problemsSeen += lib.problems.length;
      for (const p of lib.problems) {
        expect(p.line).toBeGreaterThanOrEqual(1);
        expect(Object.keys(PROBLEM_CODES)).toContain(p.code);
      }
    }
    expect(problemsSeen).toBeGreaterThan(100);
  });

  it('without its workload, a scenario still gets the checks that need no workload', () => {
    const y = parseYaml(readFileSync(`${INVALID}/timeline-past-end.scenario.yaml`, 'utf8'), 'p.yaml');
    const problems = validateScenario(y.value, { workload: undefined, runbooks: new Map(), workloadIds: ['shop'] }, y.locate, 'p.yaml');
    expect(problems.map((p) => [p.line, p.field, p.code])).toEqual([
      [8, 'workload', 'ref/unknown-workload'],
      [13, 'timeline[1].at', 'timeline/past-end'],
    ]);
  });

  it('a runbook of junk bytes gives problems, not exceptions', () => {
    const r = parseRunbook('\u0000\u0001---\n`run:`\n## 1.\n`check:`', 'r.md');
    expect(r.runbook).toBeUndefined();
    // the directive under the broken heading belongs to it, so it is not reported again
    expect(r.problems.map((p) => [p.line, p.code])).toEqual([
      [1, 'runbook/front-matter'],
      [2, 'runbook/stray-directive'],
      [3, 'runbook/step-heading'],
      [1, 'runbook/no-steps'],
    ]);
  });
});

describe('the engine side is pure', () => {
  it('scenario/ files use no I/O, clock or randomness', () => {
    for (const f of ['problems', 'yaml', 'schema-errors', 'runbook', 'validate', 'library']) {
      const src = readFileSync(`server/engine/scenario/${f}.ts`, 'utf8');
      expect(src, f).not.toMatch(/from 'node:|require\(|Date\.now|new Date|Math\.random|setTimeout|process\./);
    }
  });
});

describe('file system and CLI', () => {
  const io = () => {
    const out = { stdout: '', stderr: '' };
    return { out, io: { stdout: { write: (s: string) => (out.stdout += s) }, stderr: { write: (s: string) => (out.stderr += s) } } };
  };

  it('readLibrary reads the valid fixture library with no problems', async () => {
    const lib = await readLibrary(VALID);
    expect(lib.problems).toEqual([]);
    expect(lib.files.map((f) => [f.kind, f.id])).toEqual([
      ['runbook', 'api-latency'],
      ['workload', 'shop'],
      ['scenario', 'basic'],
    ]);
  });

  it('refuses a file over 1 MiB from its size, without reading it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'firedrill-'));
    writeFileSync(join(dir, 'big.scenario.yaml'), '#'.repeat(2 * 1024 * 1024));
    const lib = await readLibrary(dir);
    expect(lib.problems.map((p) => [p.code, p.message])).toEqual([['limits/too-large', 'file is too large (2.0 MiB; the limit is 1 MiB); it was not parsed']]);
  });

  it('validates named files against the library, reporting only their problems', async () => {
    const lib = await readScenarioFiles([`${INVALID}/ref-unknown-service.scenario.yaml`], VALID);
    expect(lib.problems.map(formatProblem)).toEqual([
      `${INVALID}/ref-unknown-service.scenario.yaml:12:44 timeline[0].inject.service: unknown service "apii" (did you mean "api"?) [ref/unknown-service]`,
    ]);
  });

  it('reports missing and unreadable files', async () => {
    const lib = await readScenarioFiles(['nope/missing.scenario.yaml', `${VALID}/basic.scenario.yaml/inside.scenario.yaml`, 'notes.txt'], VALID);
    expect(lib.problems.map((p) => [p.file, p.code])).toEqual([
      ['nope/missing.scenario.yaml', 'io/not-found'],
      ['notes.txt', 'library/unclassified'],
      [`${VALID}/basic.scenario.yaml/inside.scenario.yaml`, 'io/read-error'],
    ]);
  });

  it('resolveScenario finds by id and by path, and suggests close ids', async () => {
    const byId = await resolveScenario('basic', VALID);
    expect('scenario' in byId && [byId.scenario.id, byId.workload.id, [...byId.runbooks.keys()], byId.file]).toEqual([
      'basic',
      'shop',
      ['api-latency'],
      `${VALID}/basic.scenario.yaml`,
    ]);
    const byPath = await resolveScenario(`${VALID}/basic.scenario.yaml`, VALID);
    expect('scenario' in byPath && byPath.scenario.id).toBe('basic');
    const unknown = await resolveScenario('basik', VALID);
    expect('problems' in unknown && unknown.problems.map((p) => [p.code, p.message])).toEqual([['ref/unknown-scenario', 'unknown scenario "basik" (did you mean "basic"?)']]);
    const broken = await resolveScenario(`${INVALID}/timeline-past-end.scenario.yaml`, VALID);
    expect('problems' in broken && broken.problems.map((p) => p.code)).toEqual(['timeline/past-end']);
  });

  it('validate: a clean library prints a summary and exits 0', async () => {
    const { out, io: streams } = io();
    expect(await validateCommand(['--library', VALID, '--no-dry-run'], streams)).toBe(0);
    expect(out.stdout).toBe('ok: 1 scenario, 1 workload, 1 runbook\n');
  });

  it('validate: problems are printed one per line with a summary, exit 1', async () => {
    const { out, io: streams } = io();
    const files = [`${INVALID}/ref-unknown-team.scenario.yaml`, `${INVALID}/branch-after-cycle.scenario.yaml`];
    expect(await validateCommand([...files, '--library', VALID], streams)).toBe(1);
    const lines = out.stdout.trimEnd().split('\n');
    expect(lines.length).toBe(4);
    expect(lines[0]).toBe(`${INVALID}/branch-after-cycle.scenario.yaml:15:13 branches[0].when.after: branch "chicken" can never fire: branches wait for each other in a cycle (chicken → egg → chicken) [branch/after-cycle]`);
    expect(lines[2]).toBe(`${INVALID}/ref-unknown-team.scenario.yaml:10:20 players.teams[0]: unknown team "webb" (did you mean "web"?) [ref/unknown-team]`);
    expect(lines[3]).toBe('3 problems in 2 files');
  });

  it('validate --json prints the problems as a JSON array', async () => {
    const { out, io: streams } = io();
    expect(await validateCommand([`${INVALID}/schema-enum.scenario.yaml`, '--json', '--library', VALID], streams)).toBe(1);
    expect(JSON.parse(out.stdout)).toEqual([
      {
        file: `${INVALID}/schema-enum.scenario.yaml`,
        line: 5,
        column: 1,
        field: 'difficulty',
        message: 'must be one of: easy, medium, hard (got "hrad"; did you mean "hard"?)',
        code: 'schema/enum',
      },
    ]);
  });

  it('validate: a usage error exits 2', async () => {
    const { out, io: streams } = io();
    expect(await validateCommand(['--frobnicate'], streams)).toBe(2);
    expect(out.stderr).toContain('Usage: firedrill validate');
  });
});
