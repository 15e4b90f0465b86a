// Scenarios as TypeScript modules go through the same checks as YAML, plus a dry run of the machine.
import { describe, expect, it } from 'vitest';
import { loadScenarioModule } from '../../server/library/module.ts';
import { Session } from '../../server/engine/session/session.ts';

const LIB = new URL('../../scenarios/', import.meta.url).pathname;
const fixture = (name: string) => new URL(`../fixtures/modules/${name}`, import.meta.url).pathname;

describe('TypeScript scenario modules', () => {
  it('loads the shipped example with its own machine, which injects a wave every 4 minutes until mitigated', async () => {
    const loaded = await loadScenarioModule(new URL('../../scenarios/examples/typescript/search-waves.scenario.ts', import.meta.url).pathname, LIB);
    if ('problems' in loaded) throw new Error(JSON.stringify(loaded.problems));
    expect(loaded.machine).toBeDefined();
    const s = new Session({ scenario: loaded.scenario, workload: loaded.workload, runbooks: loaded.runbooks, seed: 1, machine: loaded.machine });
    s.run([]);
    const waves = s.events.filter((e) => e.type === 'fault.injected').map((e) => [e.t, e.type === 'fault.injected' ? e.fault : '']);
    expect(waves).toEqual([[60, 'search-wave-1'], [301, 'search-wave-2'], [542, 'search-wave-3'], [783, 'search-wave-4']]);
  });

  it('refuses a machine that emits an event the session does not know', async () => {
    const r = await loadScenarioModule(fixture('bad-emit.scenario.ts'), LIB);
    expect('problems' in r && r.problems.map((p) => [p.code, p.field])).toEqual([['module/machine', 'machine']]);
    expect('problems' in r && r.problems[0].message).toContain('explode');
  });

  it('checks the scenario object like a YAML file', async () => {
    const r = await loadScenarioModule(fixture('bad-scenario.scenario.ts'), LIB);
    expect('problems' in r && r.problems.map((p) => [p.code, p.field])).toEqual([['schema/enum', 'difficulty']]);
  });

  it('reports a module that throws while loading, and a missing file', async () => {
    const r = await loadScenarioModule(fixture('throws.scenario.ts'), LIB);
    expect('problems' in r && r.problems[0].code).toBe('module/load-error');
    expect('problems' in r && r.problems[0].message).toContain('boom at import time');
    const missing = await loadScenarioModule(fixture('nope.scenario.ts'), LIB);
    expect('problems' in missing && missing.problems[0].code).toBe('io/not-found');
  });
});
