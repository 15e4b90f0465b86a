import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseRunbook } from '../../server/engine/scenario/runbook.ts';
import { loadLibrary } from '../../server/engine/scenario/library.ts';
import { formatProblem } from '../../server/engine/scenario/problems.ts';

const VALID = 'test/fixtures/valid/runbooks/api-latency.md';
const INVALID = 'test/fixtures/invalid/runbooks';

describe('a valid runbook', () => {
  const parsed = parseRunbook(readFileSync(VALID, 'utf8'), VALID);

  it('has no problems and keeps its front matter', () => {
    expect(parsed.problems).toEqual([]);
    const rb = parsed.runbook!;
    expect([rb.id, rb.title, rb.services, rb.file]).toEqual(['api-latency', 'API latency is high', ['api', 'db'], VALID]);
  });

  it('has one step per `## N. Title`, ignoring headings and directives inside code blocks', () => {
    const steps = parsed.runbook!.steps.map(({ n, title, line, directive }) => ({ n, title, line, directive }));
    expect(steps).toEqual([
      { n: 1, title: 'Check recent deploys', line: 10, directive: { type: 'check', what: 'deploys', service: 'api', line: 11 } },
      { n: 2, title: 'Roll back the last deploy', line: 15, directive: { type: 'run', action: { action: 'rollback', service: 'api' }, line: 16 } },
      { n: 3, title: 'Look at the database', line: 18, directive: { type: 'check', what: 'metric', service: 'db', metric: 'saturation', line: 19 } },
      // count=2 became the number 2, because scale-out's count is an integer
      { n: 4, title: 'Add capacity', line: 26, directive: { type: 'run', action: { action: 'scale-out', service: 'api', count: 2 }, line: 27 } },
      {
        n: 5,
        title: 'Tell customers',
        line: 29,
        directive: { type: 'run', action: { action: 'status-update', audience: 'external', text: 'We are investigating slow pages.' }, line: 30 },
      },
    ]);
  });

  it('keeps each step body without its heading and directive', () => {
    const [first, , third] = parsed.runbook!.steps;
    expect(first.body).toBe('A deploy shortly before the alert is the first suspect.');
    expect(third.body).toBe('```text\n## 9. Not a step: inside a code block\n`run: restart service=api`\n```');
  });

  it('reads CRLF files the same way', () => {
    const crlf = parseRunbook(readFileSync(VALID, 'utf8').replace(/\n/g, '\r\n'), VALID);
    expect(crlf.problems).toEqual([]);
    expect(crlf.runbook!.steps.map((s) => [s.n, s.line, s.directive?.type])).toEqual([
      [1, 10, 'check'],
      [2, 15, 'run'],
      [3, 18, 'check'],
      [4, 26, 'run'],
      [5, 29, 'run'],
    ]);
  });

  it('parses every check form', () => {
    const text = ['---', 'id: c', 'title: Checks', '---', '## 1. A', '`check: audit`', '## 2. B', '`check: alerts`', '## 3. C', '`check: logs api`'].join('\n');
    const r = parseRunbook(text, 'c.md');
    expect(r.problems).toEqual([]);
    expect(r.runbook!.steps.map((s) => s.directive)).toEqual([
      { type: 'check', what: 'audit', line: 6 },
      { type: 'check', what: 'alerts', line: 8 },
      { type: 'check', what: 'logs', service: 'api', line: 10 },
    ]);
  });

  it('turns `enabled=false` into a boolean and a comma list into a list', () => {
    const text = ['---', 'id: t', 'title: T', '---', '## 1. Flag off', '`run: toggle-flag service=api flag=recs enabled=false`', '## 2. Declare', '`run: declare severity=SEV2 summary=checkout services=orders,payments`'].join('\n');
    const r = parseRunbook(text, 't.md');
    expect(r.problems).toEqual([]);
    expect(r.runbook!.steps.map((s) => (s.directive?.type === 'run' ? s.directive.action : undefined))).toEqual([
      { action: 'toggle-flag', service: 'api', flag: 'recs', enabled: false },
      { action: 'declare', severity: 'SEV2', summary: 'checkout', services: ['orders', 'payments'] },
    ]);
  });
});

// One fixture per error class: [file, line, column, field, code]
const CASES: [string, number, number, string, string][] = [
  ['front-matter.md', 1, 1, '', 'runbook/front-matter'],
  ['front-matter-field.md', 2, 1, 'title', 'schema/required'],
  ['no-steps.md', 6, 1, '', 'runbook/no-steps'],
  ['step-heading.md', 11, 1, '', 'runbook/step-heading'],
  ['unknown-action.md', 12, 7, 'step[2].run.action', 'runbook/unknown-action'],
  ['bad-params.md', 12, 16, 'step[2].run', 'runbook/bad-params'],
  ['bad-param-type.md', 12, 29, 'step[2].run.count', 'schema/type'],
  ['unknown-check.md', 9, 9, 'step[1].check', 'runbook/unknown-check'],
  ['bad-check.md', 9, 9, 'step[1].check', 'runbook/bad-check'],
  ['multiple-directives.md', 13, 1, 'step[2]', 'runbook/multiple-directives'],
  ['stray-directive.md', 8, 1, '', 'runbook/stray-directive'],
  ['duplicate-step.md', 11, 1, 'step[1]', 'duplicate/step'],
];

describe('one fixture per runbook error class', () => {
  it.each(CASES)('%s', (name, line, column, field, code) => {
    const r = parseRunbook(readFileSync(`${INVALID}/${name}`, 'utf8'), name);
    expect(r.problems.map((p) => ({ line: p.line, column: p.column, field: p.field, code: p.code }))).toEqual([{ line, column, field, code }]);
  });

  it('messages say what to write instead', () => {
    const message = (name: string) => formatProblem(parseRunbook(readFileSync(`${INVALID}/${name}`, 'utf8'), name).problems[0]);
    expect(message('unknown-action.md')).toBe('unknown-action.md:12:7 step[2].run.action: unknown action "rollbak" (did you mean "rollback"?) [runbook/unknown-action]');
    expect(message('bad-params.md')).toBe('bad-params.md:12:16 step[2].run: expected key=value, got "api" (the parameters of rollback are: actor, service) [runbook/bad-params]');
    expect(message('bad-check.md')).toBe('bad-check.md:9:9 step[1].check: wrong number of arguments: write `check: metric <service> <metric>` [runbook/bad-check]');
    expect(message('unknown-check.md')).toBe('unknown-check.md:9:9 step[1].check: unknown check "deploy" (did you mean "deploys"?) [runbook/unknown-check]');
    expect(message('duplicate-step.md')).toBe('duplicate-step.md:11:1 step[1]: step 1 is already defined on line 8 [duplicate/step]');
  });

  it('a second runbook with an existing id is reported at its id line', () => {
    const lib = loadLibrary([
      { path: 'lib/runbooks/api-latency.md', text: readFileSync(VALID, 'utf8') },
      { path: 'lib/runbooks/duplicate-runbook.md', text: readFileSync(`${INVALID}/duplicate-runbook.md`, 'utf8') },
    ]);
    expect(lib.problems.map(formatProblem)).toEqual(['lib/runbooks/duplicate-runbook.md:2:1 id: runbook "api-latency" is already defined in lib/runbooks/api-latency.md [duplicate/runbook]']);
    expect(lib.runbooks.get('api-latency')!.file).toBe('lib/runbooks/api-latency.md');
  });

  it('a runbook whose front matter is broken still reports its step problems', () => {
    const r = parseRunbook(readFileSync(`${INVALID}/front-matter.md`, 'utf8').replace('`check: deploys api`', '`check: nothing`'), 'x.md');
    expect(r.runbook).toBeUndefined();
    expect(r.problems.map((p) => [p.line, p.code])).toEqual([
      [1, 'runbook/front-matter'],
      [4, 'runbook/unknown-check'],
    ]);
  });
});
