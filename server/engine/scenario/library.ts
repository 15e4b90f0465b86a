// The scenario library as data: workloads, scenarios and runbooks parsed from file texts, with
// every problem of every file. Pure: the file-system adapter (server/library/fs.ts) reads the
// texts; this decides what they mean.
import Value from 'typebox/value';
import { Workload, type WorkloadSpec } from '../workload/schema.ts';
import { Scenario, type ScenarioSpec } from './schema.ts';
import type { Problem, ProblemCode } from './problems.ts';
import { sortProblems, suggestion } from './problems.ts';
import { parseYaml } from './yaml.ts';
import { parseRunbook, type Runbook } from './runbook.ts';
import { validateScenario, validateWorkload } from './validate.ts';

export interface LibraryFile {
  /** The path as it should appear in messages, e.g. `scenarios/workloads/shop.workload.yaml`. */
  path: string;
  text: string;
  /** What the file holds, when the caller knows (files named on the command line); otherwise from its path. */
  kind?: FileKind;
}

export type FileKind = 'workload' | 'scenario' | 'runbook';

export interface LibraryScenario {
  spec: ScenarioSpec;
  file: string;
}

export interface Library {
  /** Workloads whose shape is valid (their file may still have other problems). */
  workloads: Map<string, WorkloadSpec>;
  /** Scenarios whose shape is valid (their file may still have other problems). */
  scenarios: Map<string, LibraryScenario>;
  runbooks: Map<string, Runbook>;
  /** Every problem of every file, sorted by file, line, column. */
  problems: Problem[];
  /** Every file that was recognised, with what it holds. */
  files: { path: string; kind: FileKind; id?: string }[];
  /** Workload id → file, for every workload file with an id, valid or not. */
  workloadFiles: Map<string, string>;
}

export interface LoadOptions {
  /** Stripped from paths before classifying them, so a library inside an `examples/` folder still loads. */
  root?: string;
  /**
   * Where to find workloads and runbooks the files do not hold themselves (`firedrill validate
   * one.scenario.yaml` resolves its workload from the library). Its problems are not reported.
   */
  fallback?: Library;
}

/**
 * What a file in the library holds, from its path.
 * classifyFile('scenarios/runbooks/orders-latency.md') === 'runbook'
 */
export function classifyFile(path: string, root?: string): FileKind | 'ignored' | 'unclassified' {
  let rel = path.replace(/\\/g, '/');
  if (root) {
    const r = root.replace(/\\/g, '/').replace(/\/+$/, '') + '/';
    if (rel.startsWith(r)) rel = rel.slice(r.length);
  }
  const segments = rel.split('/').filter((s) => s !== '' && s !== '.');
  const name = (segments[segments.length - 1] ?? '').toLowerCase();
  if (segments.slice(0, -1).includes('examples') || name === 'readme.md') return 'ignored';
  if (/\.workload\.ya?ml$/.test(name)) return 'workload';
  if (/\.scenario\.ya?ml$/.test(name)) return 'scenario';
  if (name.endsWith('.md')) return segments.slice(0, -1).includes('runbooks') ? 'runbook' : 'ignored';
  if (/\.ya?ml$/.test(name)) return 'unclassified';
  return 'ignored';
}

function idOf(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const id = (value as Record<string, unknown>).id;
  return typeof id === 'string' ? id : undefined;
}

/**
 * Parses and checks a set of library files.
 * loadLibrary([{ path: 'scenarios/workloads/shop.workload.yaml', text }, …]) → { workloads, scenarios, runbooks, problems, … }
 */
export function loadLibrary(files: readonly LibraryFile[], options: LoadOptions = {}): Library {
  const problems: Problem[] = [];
  const lib: Library = {
    workloads: new Map(),
    scenarios: new Map(),
    runbooks: new Map(),
    problems,
    files: [],
    workloadFiles: new Map(),
  };
  const fileProblem = (file: string, code: ProblemCode, message: string) =>
    problems.push({ file, line: 1, column: 1, field: '', message, code });

  const byKind: Record<FileKind, LibraryFile[]> = { workload: [], scenario: [], runbook: [] };
  for (const f of files) {
    const kind = f.kind ?? classifyFile(f.path, options.root);
    if (kind === 'ignored') continue;
    if (kind === 'unclassified') {
      fileProblem(f.path, 'library/unclassified', 'not a library file: name scenarios `*.scenario.yaml` and workloads `*.workload.yaml`');
      continue;
    }
    byKind[kind].push(f);
  }

  // runbooks first: workloads and scenarios refer to them
  const runbookFiles = new Map<string, string>();
  for (const f of byKind.runbook) {
    const parsed = parseRunbook(f.text, f.path);
    problems.push(...parsed.problems);
    const rb = parsed.runbook;
    lib.files.push({ path: f.path, kind: 'runbook', id: rb?.id });
    if (!rb) continue;
    const first = runbookFiles.get(rb.id);
    if (first !== undefined) {
      const { line, column } = rb.positions.id;
      problems.push({ file: f.path, line, column, field: 'id', message: `runbook "${rb.id}" is already defined in ${first}`, code: 'duplicate/runbook' });
      continue;
    }
    runbookFiles.set(rb.id, f.path);
    lib.runbooks.set(rb.id, rb);
  }
  const runbooks = new Map([...(options.fallback?.runbooks ?? []), ...lib.runbooks]);

  const broken = new Map<string, string>(options.fallback ? [...options.fallback.workloadFiles].filter(([id]) => !options.fallback!.workloads.has(id)) : []);
  for (const f of byKind.workload) {
    const parsed = parseYaml(f.text, f.path);
    const id = idOf(parsed.value);
    lib.files.push({ path: f.path, kind: 'workload', id });
    if (parsed.value === undefined) {
      problems.push(...parsed.problems);
      continue;
    }
    problems.push(...validateWorkload(parsed.value, parsed.locate, f.path, { runbooks }));
    if (id === undefined) continue;
    const first = lib.workloadFiles.get(id);
    if (first !== undefined) {
      const { line, column } = parsed.locate(['id']);
      problems.push({ file: f.path, line, column, field: 'id', message: `workload "${id}" is already defined in ${first}`, code: 'duplicate/workload' });
      continue;
    }
    lib.workloadFiles.set(id, f.path);
    broken.delete(id);
    if (Value.Check(Workload, parsed.value)) lib.workloads.set(id, parsed.value as WorkloadSpec);
    else broken.set(id, f.path);
  }
  const workloads = new Map([...(options.fallback?.workloads ?? []), ...lib.workloads]);
  for (const id of lib.workloads.keys()) broken.delete(id);
  const workloadIds = [...new Set([...workloads.keys(), ...broken.keys()])];

  const scenarioFiles = new Map<string, string>();
  for (const f of byKind.scenario) {
    const parsed = parseYaml(f.text, f.path);
    const id = idOf(parsed.value);
    lib.files.push({ path: f.path, kind: 'scenario', id });
    if (parsed.value === undefined) {
      problems.push(...parsed.problems);
      continue;
    }
    const workloadId = (parsed.value as Record<string, unknown>)?.workload;
    const workload = typeof workloadId === 'string' ? workloads.get(workloadId) : undefined;
    problems.push(...validateScenario(parsed.value, { workload, runbooks, workloadIds, brokenWorkloads: broken }, parsed.locate, f.path));
    if (id === undefined) continue;
    const first = scenarioFiles.get(id);
    if (first !== undefined) {
      const { line, column } = parsed.locate(['id']);
      problems.push({ file: f.path, line, column, field: 'id', message: `scenario "${id}" is already defined in ${first}`, code: 'duplicate/scenario' });
      continue;
    }
    scenarioFiles.set(id, f.path);
    if (Value.Check(Scenario, parsed.value)) lib.scenarios.set(id, { spec: parsed.value as ScenarioSpec, file: f.path });
  }

  checkRunbookServices(lib, workloads, options.fallback, problems);
  lib.problems = sortProblems(problems);
  return lib;
}

/**
 * A runbook names services in its front matter and its directives; they must exist in the
 * workloads that use the runbook (through a service's `runbooks`, an alert's `runbook`, or a
 * scenario's expected runbook). Runbooks no workload uses are not checked.
 */
function checkRunbookServices(lib: Library, workloads: ReadonlyMap<string, WorkloadSpec>, fallback: Library | undefined, problems: Problem[]) {
  const users = new Map<string, Set<string>>(); // runbook id → workload ids
  const use = (runbook: string | undefined, workload: string) => {
    if (runbook === undefined || !workloads.has(workload)) return;
    if (!users.has(runbook)) users.set(runbook, new Set());
    users.get(runbook)!.add(workload);
  };
  for (const w of workloads.values()) {
    for (const s of w.services) for (const r of s.runbooks ?? []) use(r, w.id);
    for (const a of w.alerts ?? []) use(a.runbook, w.id);
  }
  const scenarios = [...(fallback?.scenarios.values() ?? []), ...lib.scenarios.values()];
  for (const { spec } of scenarios) {
    use(spec.expectations.runbook?.id, spec.workload);
    for (const a of spec.alerts ?? []) use(a.runbook, spec.workload);
  }
  for (const rb of lib.runbooks.values()) {
    const using = [...(users.get(rb.id) ?? [])];
    if (using.length === 0) continue;
    const known = new Set(using.flatMap((id) => workloads.get(id)!.services.map((s) => s.id)));
    const where = using.length === 1 ? `workload "${using[0]}"` : `workloads ${using.map((u) => `"${u}"`).join(', ')}`;
    const message = (id: string) => `unknown service "${id}"${suggestion(id, [...known])}: the runbook is used by ${where}, which ${using.length === 1 ? 'has' : 'have'} no such service`;
    rb.services.forEach((id, k) => {
      const { line, column } = rb.positions.services[k] ?? rb.positions.id;
      if (!known.has(id)) problems.push({ file: rb.file, line, column, field: `services[${k}]`, message: message(id), code: 'ref/unknown-service' });
    });
    for (const step of rb.steps) {
      const d = step.directive;
      if (!d) continue;
      const id = d.type === 'check' ? d.service : 'service' in d.action ? (d.action.service as string) : undefined;
      if (id !== undefined && !known.has(id)) {
        problems.push({ file: rb.file, line: d.line, column: 1, field: `step[${step.n}].${d.type}.service`, message: message(id), code: 'ref/unknown-service' });
      }
    }
  }
}
