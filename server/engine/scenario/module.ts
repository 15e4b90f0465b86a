// Scenarios as TypeScript modules, for power users. A module's default export is
//   { scenario: <the same object a YAML file holds>, machine?: (spec) => AnyStateMachine }
// The scenario object goes through the same checks as YAML; a custom machine must speak the same
// protocol as the compiled one (TICK and ACTION events in; inject/message/audit/hint/trap/end/branch
// emitted) and is dry-run on the scenario's workload before it is accepted.
import { createActor, type AnyStateMachine } from 'xstate';
import type { ScenarioSpec } from './schema.ts';
import type { Problem } from './problems.ts';
import { validateScenario, type ScenarioContext } from './validate.ts';
import { parseDuration } from '../duration.ts';
import type { ScenarioEmitted } from './compile.ts';

export interface ScenarioModule {
  scenario: ScenarioSpec;
  /** Builds the scenario's machine; without it, the scenario is compiled like a YAML one. */
  machine?: (spec: ScenarioSpec) => AnyStateMachine;
}

const EMITTED = new Set<ScenarioEmitted['type']>(['inject', 'message', 'audit', 'hint', 'trap', 'end', 'branch']);
const at = (message: string, code: Problem['code'], file: string, field = ''): Problem => ({ file, line: 1, column: 1, field, message, code });

/** Checks a loaded module's default export: shape, the scenario itself, and a dry run of its machine. */
export function checkScenarioModule(
  exported: unknown,
  ctx: ScenarioContext,
  file: string,
): { module: ScenarioModule; machine: AnyStateMachine | undefined; problems: Problem[] } | { problems: Problem[] } {
  if (typeof exported !== 'object' || exported === null || !('scenario' in exported)) {
    return { problems: [at('the default export must be an object `{ scenario, machine? }`', 'module/shape', file)] };
  }
  const mod = exported as { scenario: unknown; machine?: unknown };
  if (mod.machine !== undefined && typeof mod.machine !== 'function') {
    return { problems: [at('`machine` must be a function (spec) => machine', 'module/shape', file, 'machine')] };
  }
  const problems = validateScenario(mod.scenario, ctx, () => ({ line: 1, column: 1 }), file);
  if (problems.length) return { problems };
  const spec = mod.scenario as ScenarioSpec;
  if (!mod.machine) return { module: { scenario: spec }, machine: undefined, problems: [] };
  let machine: AnyStateMachine;
  try {
    machine = (mod.machine as (s: ScenarioSpec) => AnyStateMachine)(spec);
  } catch (err) {
    return { problems: [at(`machine(spec) threw: ${(err as Error).message}`, 'module/machine', file, 'machine')] };
  }
  if (typeof machine !== 'object' || machine === null || typeof (machine as { transition?: unknown }).transition !== 'function') {
    return { problems: [at('machine(spec) did not return an XState machine (use setup(...).createMachine(...))', 'module/machine', file, 'machine')] };
  }
  // Dry run: one TICK per simulated minute over the whole duration, and one ACTION.
  const seen: string[] = [];
  try {
    const actor = createActor(machine);
    actor.on('*', (e: { type: string }) => {
      if (!EMITTED.has(e.type as ScenarioEmitted['type'])) seen.push(e.type);
    });
    actor.start();
    const end = parseDuration(spec.duration);
    actor.send({ type: 'ACTION', t: 0, action: { action: 'observe', service: spec.expectations.detection.services[0] }, activeFaults: [] });
    for (let t = 0; t <= end; t += 60) actor.send({ type: 'TICK', t, mitigated: false, held: {}, activeFaults: [], done: [] });
    const snap = actor.getSnapshot() as { status: string; error?: unknown };
    if (snap.status === 'error') throw snap.error instanceof Error ? snap.error : new Error(String(snap.error));
    actor.stop();
  } catch (err) {
    return { problems: [at(`the machine failed during a dry run: ${(err as Error).message}`, 'module/machine', file, 'machine')] };
  }
  if (seen.length) {
    return { problems: [at(`the machine emits events the session does not know: ${[...new Set(seen)].join(', ')} (known: ${[...EMITTED].join(', ')})`, 'module/machine', file, 'machine')] };
  }
  return { module: { scenario: spec, machine: mod.machine as ScenarioModule['machine'] }, machine, problems: [] };
}
