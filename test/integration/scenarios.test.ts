// Every shipped scenario: its example responses resolve it, doing nothing does not, and runs are
// deterministic — same seed, same bytes; another seed, other noise but the same story.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readLibrary } from '../../server/library/fs.ts';
import type { Library } from '../../server/engine/scenario/library.ts';
import { Session } from '../../server/engine/session/session.ts';
import { parseResponses } from '../../server/engine/session/responses.ts';
import { runResult } from '../../server/engine/session/result.ts';

const LIBRARY = new URL('../../scenarios/', import.meta.url).pathname;
// Loaded at collection time so that every shipped scenario gets its own tests.
const lib: Library = await readLibrary(LIBRARY);
const IDS = [...lib.scenarios.keys()].sort();

function run(id: string, seed: number, withResponses: boolean, teams = ['team-1']) {
  const { spec } = lib.scenarios.get(id)!;
  const session = new Session({ scenario: spec, workload: lib.workloads.get(spec.workload)!, runbooks: lib.runbooks, seed, teams });
  let inputs: ReturnType<typeof parseResponses>['inputs'] = [];
  if (withResponses) {
    const file = `${LIBRARY}examples/${id}.responses.yaml`;
    const parsed = parseResponses(readFileSync(file, 'utf8'), file, teams);
    expect(parsed.problems).toEqual([]);
    inputs = parsed.inputs;
  }
  session.run(inputs);
  const world = session.teams[0].world;
  return { ...runResult(session), finalRps: world.services.map((x) => x.m.rps) };
}

describe('the scenario library', () => {
  it('loads without problems and ships at least 4 scenarios on workloads of 8+ services', () => {
    expect(lib.problems).toEqual([]);
    expect(lib.scenarios.size).toBeGreaterThanOrEqual(4);
    for (const { spec } of lib.scenarios.values()) {
      expect(lib.workloads.get(spec.workload)!.services.length).toBeGreaterThanOrEqual(8);
    }
  });

  it('covers different failure modes', () => {
    const kinds = new Set<string>();
    for (const { spec } of lib.scenarios.values()) for (const id of spec.rootCause.faults) {
      const entry = spec.timeline.find((e) => e.inject?.id === id);
      if (entry?.inject) kinds.add(entry.inject.kind);
    }
    expect(kinds.size).toBeGreaterThanOrEqual(4);
  });
});

describe.each(IDS)('scenario %s', (id) => {
  it('is resolved by its scripted response, after the fault was cleared', () => {
    const r = run(id, 1, true);
    expect(r.outcome).toBe('resolved');
    const team = r.teams[0];
    expect(team.mitigatedAt).not.toBeNull();
    expect(team.resolvedAt).toBeGreaterThanOrEqual(team.mitigatedAt!);
    const { spec } = lib.scenarios.get(id)!;
    for (const fault of spec.rootCause.faults) {
      expect(r.events.some((e) => e.type === 'fault.cleared' && e.fault === fault) || r.events.some((e) => e.type === 'fault.expired' && e.fault === fault)).toBe(true);
    }
  });

  it('is not resolved when nobody responds, and customers see errors', () => {
    const r = run(id, 1, false);
    expect(r.outcome).not.toBe('resolved');
    expect(r.events.some((e) => e.type === 'impact.started')).toBe(true);
    expect(r.events.some((e) => e.type === 'alert.firing')).toBe(true);
  });

  it('gives a byte-identical event log for the same seed and inputs', () => {
    const a = JSON.stringify(run(id, 7, true));
    const b = JSON.stringify(run(id, 7, true));
    expect(a.length).toBeGreaterThan(1000);
    expect(a).toBe(b);
  });

  it('gives other noise but the same outcome for another seed', () => {
    const a = run(id, 1, true);
    const b = run(id, 2, true);
    expect(b.outcome).toBe(a.outcome);
    // Traffic noise differs: every service's request rate at the end differs between the seeds...
    const differing = a.finalRps.filter((rps, i) => rps > 0 && Math.abs(rps - b.finalRps[i]) / rps > 1e-6).length;
    expect(differing).toBe(a.finalRps.filter((rps) => rps > 0).length);
    // ...but only by noise: within 15% of each other.
    a.finalRps.forEach((rps, i) => expect(Math.abs(rps - b.finalRps[i])).toBeLessThanOrEqual(0.15 * Math.max(rps, b.finalRps[i]) + 1));
  });
});

describe('two teams in one session', () => {
  it('see the same system from the same seed and differ only by what they do', () => {
    const { spec } = lib.scenarios.get('friday-deploy')!;
    const session = new Session({ scenario: spec, workload: lib.workloads.get(spec.workload)!, runbooks: lib.runbooks, seed: 3, teams: ['blue', 'red'] });
    const file = `${LIBRARY}examples/friday-deploy.responses.yaml`;
    const inputs = parseResponses(readFileSync(file, 'utf8'), file, ['blue']).inputs;
    session.run(inputs);
    const firing = (team: string) => session.events.filter((e) => e.team === team && e.type === 'alert.firing');
    // Before blue's first remediation, both teams' alerts fire at the same times with the same values.
    const firstFix = session.events.find((e) => e.team === 'blue' && e.type === 'action' && e.action.action === 'rollback')!.t;
    const early = (team: string) => JSON.stringify(firing(team).filter((e) => e.t < firstFix).map((e) => [e.t, e.type === 'alert.firing' ? [e.alert, e.value] : 0]));
    expect(early('blue')).toBe(early('red'));
    expect(session.teams.find((t) => t.id === 'blue')!.ended?.outcome).toBe('resolved');
    expect(session.teams.find((t) => t.id === 'red')!.ended?.outcome).not.toBe('resolved');
  });
});
