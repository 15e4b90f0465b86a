// `firedrill validate [files…] [--json] [--library DIR]`: checks scenario, workload and runbook
// files and prints every problem with its file, line, field and code.
// Exit codes: 0 clean, 1 problems found, 2 usage error.
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { readFile } from 'node:fs/promises';
import { checkScoreability } from '../engine/bots/scoreability.ts';
import { formatProblem } from '../engine/scenario/problems.ts';
import type { Library } from '../engine/scenario/library.ts';
import { readLibrary, readScenarioFiles } from '../library/fs.ts';
import { loadScenarioModule, MODULE_SCENARIO } from '../library/module.ts';
import type { Io } from './io.ts';

const USAGE = `Usage: firedrill validate [files or folders…] [--json] [--library DIR]

  Checks scenario (*.scenario.yaml, or *.scenario.ts modules), workload (*.workload.yaml) and
  runbook (runbooks/*.md) files. Without files it checks the whole library. Files named here find their workload and
  runbooks in the library when they do not come with them.

  Every scenario without problems is also dry-run: the perfect bot must resolve it and score at
  least 90, a team that does nothing at most 20 (codes scoreability/*).

  --json          print the problems as a JSON array
  --no-dry-run    skip the dry runs with bots
  --library DIR   the scenario library (default: the scenarios/ folder of firedrill,
                  or $FIREDRILL_SCENARIOS)`;

function defaultLibrary(): string {
  return process.env.FIREDRILL_SCENARIOS ?? fileURLToPath(new URL('../../scenarios/', import.meta.url));
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function summary(lib: Library): string {
  const { problems } = lib;
  if (problems.length > 0) {
    const files = new Set(problems.map((p) => p.file)).size;
    return `${plural(problems.length, 'problem')} in ${plural(files, 'file')}`;
  }
  const count = (kind: string) => lib.files.filter((f) => f.kind === kind).length;
  return `ok: ${plural(count('scenario'), 'scenario')}, ${plural(count('workload'), 'workload')}, ${plural(count('runbook'), 'runbook')}`;
}

/** The line where `pattern` first matches in a file (1 when unreadable or absent). */
async function lineOf(file: string, pattern: RegExp): Promise<number> {
  try {
    const text = await readFile(file, 'utf8');
    const m = pattern.exec(text);
    return m ? text.slice(0, m.index).split('\n').length : 1;
  } catch {
    return 1;
  }
}

function emptyLibrary(): Library {
  return { workloads: new Map(), scenarios: new Map(), runbooks: new Map(), problems: [], files: [], workloadFiles: new Map() };
}

/** Runs `firedrill validate`; returns the exit code. */
export async function validateCommand(args: string[], io: Io): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        json: { type: 'boolean' },
        library: { type: 'string' },
        'no-dry-run': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    io.stderr.write(`firedrill validate: ${(err as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout.write(USAGE + '\n');
    return 0;
  }
  if (values.library === '') {
    io.stderr.write(`firedrill validate: --library needs a folder\n\n${USAGE}\n`);
    return 2;
  }
  const libraryDir = values.library ?? defaultLibrary();
  const modules = positionals.filter((p) => MODULE_SCENARIO.test(p));
  const files = positionals.filter((p) => !MODULE_SCENARIO.test(p));
  const fallback = positionals.length > 0 && !values['no-dry-run'] ? await readLibrary(libraryDir) : undefined;
  const fallbackWorkloads = fallback?.workloads ?? new Map();
  const fallbackRunbooks = fallback?.runbooks ?? new Map();
  const lib = positionals.length === 0 ? await readLibrary(libraryDir) : files.length > 0 ? await readScenarioFiles(files, libraryDir) : emptyLibrary();
  // Scoreability: every scenario without problems is dry-run with the perfect and the idle bot.
  if (!values['no-dry-run']) {
    const fileProblems = new Set(lib.problems.map((p) => p.file));
    for (const { spec, file } of lib.scenarios.values()) {
      if (fileProblems.has(file)) continue;
      const workload = lib.workloads.get(spec.workload) ?? fallbackWorkloads.get(spec.workload);
      if (!workload) continue;
      const runbooks = new Map([...fallbackRunbooks, ...lib.runbooks]);
      const { problems } = checkScoreability(spec, workload, runbooks);
      if (!problems.length) continue;
      const line = await lineOf(file, /^expectations:/m);
      for (const p of problems) lib.problems.push({ file, line, column: 1, field: 'expectations', message: p.message, code: p.code });
    }
  }
  for (const m of modules) {
    const loaded = await loadScenarioModule(m, libraryDir);
    if ('problems' in loaded) lib.problems.push(...loaded.problems);
    else lib.files.push({ path: loaded.file, kind: 'scenario', id: loaded.scenario.id });
  }

  if (values.json) {
    io.stdout.write(JSON.stringify(lib.problems, null, 2) + '\n');
    io.stderr.write(summary(lib) + '\n');
  } else {
    for (const p of lib.problems) io.stdout.write(formatProblem(p) + '\n');
    io.stdout.write(summary(lib) + '\n');
  }
  return lib.problems.length > 0 ? 1 : 0;
}
