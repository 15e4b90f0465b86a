// The file-system side of the scenario library: finds and reads files, refusing oversized ones
// before reading them, and hands the texts to the pure loader in server/engine/scenario/library.ts.
import type { AnyStateMachine } from 'xstate';
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { loadLibrary, type FileKind, type Library, type LibraryFile } from '../engine/scenario/library.ts';
import type { Runbook } from '../engine/scenario/runbook.ts';
import type { ScenarioSpec } from '../engine/scenario/schema.ts';
import type { WorkloadSpec } from '../engine/workload/schema.ts';
import { sortProblems, suggestion, type Problem, type ProblemCode } from '../engine/scenario/problems.ts';
import { MAX_FILE_BYTES, tooLargeProblem } from '../engine/scenario/yaml.ts';

const EXTENSIONS = /\.(ya?ml|md)$/i;
const MAX_DIR_DEPTH = 16;
const MAX_FILES = 5000;

/** How a path appears in messages: relative to the working directory when inside it. */
export function displayPath(path: string, cwd = process.cwd()): string {
  const abs = resolve(path);
  const rel = relative(cwd, abs);
  const shown = rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? abs : rel;
  return shown.split('\\').join('/');
}

function problem(file: string, code: ProblemCode, message: string): Problem {
  return { file, line: 1, column: 1, field: '', message, code };
}

interface ReadFiles {
  files: (LibraryFile & { kind?: FileKind })[];
  problems: Problem[];
}

/** Reads one file, refusing it without reading when it is over the size limit. */
async function readOne(path: string): Promise<{ text?: string; problem?: Problem }> {
  const shown = displayPath(path);
  try {
    const info = await stat(path);
    if (!info.isFile()) return { problem: problem(shown, 'io/read-error', 'not a regular file') };
    if (info.size > MAX_FILE_BYTES) return { problem: tooLargeProblem(shown, info.size) };
    return { text: await readFile(path, 'utf8') };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { problem: problem(shown, 'io/not-found', 'no such file') };
    return { problem: problem(shown, 'io/read-error', `cannot read the file: ${code ?? (err as Error).message}`) };
  }
}

/** Finds `.yaml`, `.yml` and `.md` files under `dir`, sorted, skipping dot-folders and following each real folder once. */
async function listFiles(dir: string, problems: Problem[]): Promise<string[]> {
  const out: string[] = [];
  const seen = new Set<string>();
  const walk = async (d: string, depth: number) => {
    if (depth > MAX_DIR_DEPTH || out.length >= MAX_FILES) return;
    let real: string;
    try {
      real = await realpath(d);
    } catch {
      return;
    }
    if (seen.has(real)) return;
    seen.add(real);
    let entries;
    try {
      entries = await readdir(d, { withFileTypes: true });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      problems.push(problem(displayPath(d), code === 'ENOENT' ? 'io/not-found' : 'io/read-error', code === 'ENOENT' ? 'no such folder' : `cannot read the folder: ${code}`));
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (e.name.startsWith('.') || e.name === 'node_modules') continue;
      const p = join(d, e.name);
      let isDir = e.isDirectory();
      let isFile = e.isFile();
      if (e.isSymbolicLink()) {
        try {
          const info = await stat(p);
          isDir = info.isDirectory();
          isFile = info.isFile();
        } catch {
          continue;
        }
      }
      if (isDir) await walk(p, depth + 1);
      else if (isFile && EXTENSIONS.test(e.name) && out.length < MAX_FILES) out.push(p);
    }
  };
  await walk(dir, 0);
  return out;
}

async function readAll(paths: string[], kindOf?: (path: string) => FileKind | undefined): Promise<ReadFiles> {
  const result: ReadFiles = { files: [], problems: [] };
  for (const p of paths) {
    const { text, problem: failed } = await readOne(p);
    if (failed) result.problems.push(failed);
    else result.files.push({ path: displayPath(p), text: text!, kind: kindOf?.(p) });
  }
  return result;
}

function withProblems(lib: Library, extra: Problem[]): Library {
  lib.problems = sortProblems([...extra, ...lib.problems]);
  return lib;
}

/**
 * Reads and checks the whole library under `dir` (scenarios, `workloads/`, `runbooks/`).
 * await readLibrary('scenarios') → { workloads, scenarios, runbooks, problems, … }
 */
export async function readLibrary(dir: string): Promise<Library> {
  const problems: Problem[] = [];
  const paths = await listFiles(dir, problems);
  const read = await readAll(paths);
  return withProblems(loadLibrary(read.files, { root: displayPath(dir) }), [...problems, ...read.problems]);
}

/** What a file named on the command line holds: by suffix only, wherever it lives. */
function explicitKind(path: string): FileKind | undefined {
  const name = path.toLowerCase();
  if (/\.workload\.ya?ml$/.test(name)) return 'workload';
  if (/\.scenario\.ya?ml$/.test(name)) return 'scenario';
  if (name.endsWith('.md')) return 'runbook';
  return undefined;
}

/**
 * Checks the given files (folders are searched), resolving workloads and runbooks they do not
 * include from the library in `libraryDir`. Only the given files' problems are reported.
 */
export async function readScenarioFiles(paths: readonly string[], libraryDir: string): Promise<Library> {
  return checkFiles(paths, await readLibrary(libraryDir));
}

async function checkFiles(paths: readonly string[], fallback: Library): Promise<Library> {
  const problems: Problem[] = [];
  const files: string[] = [];
  for (const p of paths) {
    let isDir = false;
    try {
      isDir = (await stat(p)).isDirectory();
    } catch {
      // readOne reports it
    }
    if (isDir) files.push(...(await listFiles(p, problems)));
    else if (explicitKind(p) === undefined && !/\.ya?ml$/i.test(p)) {
      problems.push(problem(displayPath(p), 'library/unclassified', 'not a library file: give `*.scenario.yaml`, `*.workload.yaml` or a runbook `*.md`'));
    } else files.push(p);
  }
  const read = await readAll(files, explicitKind);
  return withProblems(loadLibrary(read.files, { fallback }), [...problems, ...read.problems]);
}

export interface ResolvedScenario {
  scenario: ScenarioSpec;
  workload: WorkloadSpec;
  runbooks: Map<string, Runbook>;
  /** The scenario's file, as shown in messages. */
  file: string;
  /** A TypeScript scenario module's own machine, when it brings one. */
  machine?: AnyStateMachine;
}

/**
 * Finds a runnable scenario by id (in the library) or by path (resolving its workload and
 * runbooks from the library). Returns problems instead when it, or its workload, has any.
 */
export async function resolveScenario(idOrPath: string, libraryDir: string): Promise<ResolvedScenario | { problems: Problem[] }> {
  if (/\.scenario\.(ts|mts|js|mjs)$/i.test(idOrPath)) {
    const { loadScenarioModule } = await import('./module.ts');
    return loadScenarioModule(idOrPath, libraryDir);
  }
  const isPath = /\.ya?ml$/i.test(idOrPath) || idOrPath.includes('/') || idOrPath.includes('\\');
  const fallback = await readLibrary(libraryDir);
  const lib = isPath ? await checkFiles([idOrPath], fallback) : fallback;

  const entry = isPath ? [...lib.scenarios.values()][0] : lib.scenarios.get(idOrPath);
  if (!entry) {
    if (lib.problems.length > 0 && isPath) return { problems: lib.problems };
    const own = lib.files.find((f) => f.kind === 'scenario' && f.id === idOrPath);
    if (own) return { problems: lib.problems.filter((p) => p.file === own.path) };
    const known = lib.files.filter((f) => f.kind === 'scenario' && f.id !== undefined).map((f) => f.id!);
    const shown = isPath ? displayPath(idOrPath) : idOrPath;
    const message = isPath ? 'not a scenario file (`*.scenario.yaml`)' : `unknown scenario "${idOrPath}"${suggestion(idOrPath, known)}`;
    return { problems: [problem(shown, 'ref/unknown-scenario', message)] };
  }
  const id = entry.spec.workload;
  const home = lib.workloadFiles.has(id) ? lib : fallback;
  const workload = home.workloads.get(id);
  const workloadFile = home.workloadFiles.get(id);
  const problems = sortProblems([
    ...lib.problems.filter((p) => p.file === entry.file),
    ...(workloadFile === undefined || workloadFile === entry.file ? [] : home.problems.filter((p) => p.file === workloadFile)),
  ]);
  if (problems.length > 0 || !workload) return { problems };
  const runbooks = new Map([...fallback.runbooks, ...lib.runbooks]);
  return { scenario: entry.spec, workload, runbooks, file: entry.file };
}
