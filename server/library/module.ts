// Loads a scenario written as a TypeScript (or JavaScript) module and checks it like a YAML one.
import { access } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AnyStateMachine } from 'xstate';
import { checkScenarioModule } from '../engine/scenario/module.ts';
import type { Problem } from '../engine/scenario/problems.ts';
import { suggestion } from '../engine/scenario/problems.ts';
import { displayPath, readLibrary, type ResolvedScenario } from './fs.ts';

export const MODULE_SCENARIO = /\.scenario\.(ts|mts|js|mjs)$/i;

export async function loadScenarioModule(path: string, libraryDir: string): Promise<(ResolvedScenario & { machine?: AnyStateMachine }) | { problems: Problem[] }> {
  const file = displayPath(path);
  const problem = (code: Problem['code'], message: string): { problems: Problem[] } => ({ problems: [{ file, line: 1, column: 1, field: '', message, code }] });
  try {
    await access(path);
  } catch {
    return problem('io/not-found', 'no such file');
  }
  let exported: unknown;
  try {
    // Modules run with the CLI's rights: only load scenarios you trust, as with any code.
    exported = (await import(pathToFileURL(resolve(path)).href)).default;
  } catch (err) {
    return problem('module/load-error', `could not load the module: ${(err as Error).message.split('\n')[0]}`);
  }
  const lib = await readLibrary(libraryDir);
  const id = (exported as { scenario?: { workload?: unknown } } | undefined)?.scenario?.workload;
  const workload = typeof id === 'string' ? lib.workloads.get(id) : undefined;
  if (typeof id === 'string' && !workload) {
    return problem('ref/unknown-workload', `unknown workload "${id}"${suggestion(id, [...lib.workloads.keys()])}`);
  }
  const checked = checkScenarioModule(exported, { workload, runbooks: lib.runbooks, workloadIds: [...lib.workloads.keys()] }, file);
  if (!('module' in checked)) return { problems: checked.problems };
  return { scenario: checked.module.scenario, workload: workload!, runbooks: lib.runbooks, file, ...(checked.machine ? { machine: checked.machine } : {}) };
}
