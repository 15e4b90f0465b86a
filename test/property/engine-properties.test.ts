// Properties of the engine over random play: a random library scenario, seed, teams, and a random
// sequence of actions (sensible, pointless and nonsense ones: unknown services, alerts, runbooks,
// steps, teams, action kinds) and facilitator commands at random simulated times. Most runs cover
// a few simulated minutes; one in ten plays a short scenario to its end (the file's time budget).
//  1. Determinism: two runs give byte-identical event logs — even when the second run moves its
//     clock in small random steps, as the live host does every 100 ms, instead of jumping to each
//     input (recovery after a restart replays the inputs by jumping, and must rebuild the same log).
//  2. Scoring stays within bounds: every dimension score and total in [0, 100], every finding's
//     points at most its max, and the totals follow from the findings.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readLibrary } from '../../server/library/fs.ts';
import { Session, type Input, type FacilitatorCommand } from '../../server/engine/session/session.ts';
import { leaderboard, DIMENSIONS } from '../../server/engine/scoring/index.ts';
import { ACTION_KINDS, ROLES, type ActionSpec } from '../../server/engine/actions/schema.ts';
import type { ScenarioSpec } from '../../server/engine/scenario/schema.ts';
import type { WorkloadSpec } from '../../server/engine/workload/schema.ts';
import type { FaultSpec } from '../../server/engine/faults/schema.ts';
import { parseDuration } from '../../server/engine/duration.ts';

const lib = await readLibrary(new URL('../../scenarios/', import.meta.url).pathname);
const SCENARIOS = [...lib.scenarios.values()].map((s) => s.spec).sort((a, b) => a.id.localeCompare(b.id));
const RUNBOOKS = lib.runbooks;
const SHORT = SCENARIOS.filter((s) => parseDuration(s.duration) <= 15 * 60);
const workloadOf = (s: ScenarioSpec): WorkloadSpec => lib.workloads.get(s.workload)!;

/** The raw material of one step; turned into an input against the chosen scenario by `toInput`. */
interface Step {
  /** Simulated milliseconds after the previous step. */
  gapMs: number;
  kind: 'action' | 'command' | 'nonsense';
  a: number;
  b: number;
  c: number;
  text: string;
  team: number;
}

const step: fc.Arbitrary<Step> = fc.record({
  gapMs: fc.oneof(fc.integer({ min: 0, max: 2000 }), fc.integer({ min: 0, max: 20_000 }), fc.integer({ min: 0, max: 120_000 })),
  kind: fc.constantFrom<Step['kind']>('action', 'action', 'action', 'action', 'nonsense', 'command'),
  a: fc.nat(),
  b: fc.nat(),
  c: fc.integer({ min: -5, max: 200 }),
  text: fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('Condition: checkout errors. Actions: rolling back orders. Needs: nothing, next update in 15m', 'ordrs', 'orders', '')),
  team: fc.integer({ min: 0, max: 3 }),
});

const pick = <T>(xs: readonly T[], n: number): T => xs[n % xs.length];

/** A sensible-or-not action of the given kind, filled in from the workload (or with junk ids). */
function action(s: ScenarioSpec, w: WorkloadSpec, st: Step): ActionSpec {
  const services = [...w.services.map((x) => x.id), 'no-such-service'];
  const alerts = [...(w.alerts ?? []), ...(s.alerts ?? [])].map((a) => a.id).concat('NoSuchAlert');
  const runbooks = [...RUNBOOKS.keys(), 'no-such-runbook'];
  const service = pick(services, st.b);
  const svc = w.services.find((x) => x.id === service);
  const flags = Object.keys(svc?.flags ?? {}).concat('no-such-flag');
  const zones = [...(w.zones ?? ['a', 'b', 'c']), 'z9'];
  const actor = pick(['Ana', 'Bo', 'Chris', undefined], st.a >> 3);
  const kind = pick(ACTION_KINDS, st.a);
  const sev = pick(['SEV1', 'SEV2', 'SEV3', 'SEV4'] as const, st.b);
  const count = Math.min(100, Math.max(1, st.c));
  const with_ = <T extends object>(x: T) => ({ ...x, ...(actor ? { actor } : {}) }) as unknown as ActionSpec;
  switch (kind) {
    case 'toggle-flag':
      return with_({ action: kind, service, flag: pick(flags, st.c & 0xff), enabled: st.c % 2 === 0 });
    case 'scale-out':
    case 'scale-in':
      return with_({ action: kind, service, count });
    case 'rate-limit':
      return with_({ action: kind, service, rps: Math.max(0, st.c * 13.7) });
    case 'shed-load':
      return with_({ action: kind, service, fraction: Math.min(1, Math.max(0, st.c / 100)) });
    case 'drain-zone':
      return with_({ action: kind, zone: pick(zones, st.b), undo: st.c % 3 === 0 });
    case 'restart':
      return with_({ action: kind, service, rolling: st.c % 2 === 0 });
    case 'observe':
      return with_({ action: kind, service, ...(st.c % 5 ? { view: pick(['metrics', 'logs', 'deploys', 'traces'] as const, st.c) } : {}) });
    case 'acknowledge':
      return with_({ action: kind, alert: pick(alerts, st.b) });
    case 'declare':
      return with_({ action: kind, severity: sev, summary: st.text || 'x', ...(st.c % 2 ? { services: [service] } : {}) });
    case 'set-severity':
      return with_({ action: kind, severity: sev });
    case 'assign-role':
      return with_({ action: kind, role: pick(ROLES, st.b), person: st.text || 'Dana' });
    case 'page':
      return with_({ action: kind, oncall: pick([...w.teams.map((t) => t.id), 'no-such-team'], st.b) });
    case 'open-runbook':
      return with_({ action: kind, runbook: pick(runbooks, st.b) });
    case 'run-step':
      return with_({ action: kind, runbook: pick(runbooks, st.b), step: Math.min(100, Math.max(1, st.c % 12)) });
    case 'status-update':
      return with_({ action: kind, audience: st.c % 2 ? 'internal' : 'external', text: st.text || 'update' });
    case 'hypothesis':
      return with_({ action: kind, text: st.text || 'maybe' });
    case 'mark-mitigated':
      return with_({ action: kind });
    case 'resolve':
      return with_({ action: kind, ...(st.text ? { summary: st.text } : {}) });
    default:
      // every other remediation takes only a service
      return with_({ action: kind, service });
  }
}

/** Faults a facilitator can inject: the scenario's own, sometimes under a fresh id. */
function faults(s: ScenarioSpec): FaultSpec[] {
  const own = [...s.timeline.flatMap((e) => (e.inject ? [e.inject] : [])), ...(s.branches ?? []).flatMap((b) => b.then.flatMap((c) => (c.inject ? [c.inject] : [])))];
  return own.flatMap((f) => [f, { ...f, id: `${f.id}-again` }]);
}

function command(s: ScenarioSpec, teams: string[], st: Step): FacilitatorCommand {
  const team = st.team < teams.length ? teams[st.team] : undefined;
  const hints = [...(s.hints ?? []).map((h) => h.id), 'no-such-hint'];
  const list: FacilitatorCommand[] = [
    { command: 'pause', reason: st.text },
    { command: 'resume' },
    { command: 'resume' },
    { command: 'set-speed', speed: pick([0.25, 1, 20, 60], st.b) },
    { command: 'reveal-scores' },
    { command: 'release-hint', hint: pick(hints, st.b), ...(team ? { team } : {}) },
    { command: 'message', text: st.text || 'hello', ...(team ? { team } : {}) },
    { command: 'inject', fault: pick(faults(s), st.b), ...(team ? { team } : {}) },
    { command: 'halt', reason: 'fuzz' },
    { command: 'start' },
  ];
  // `end` is rare: it stops everything that follows
  if (st.a % 97 === 0) return { command: 'end', reason: 'fuzz' };
  return pick(list, st.a);
}

/** Turns steps into timed inputs (simulated milliseconds, as the host stamps them). */
function inputsFor(s: ScenarioSpec, teams: string[], steps: Step[]): Input[] {
  const w = workloadOf(s);
  let ms = 0;
  const out: Input[] = [{ kind: 'facilitator', at: 0, command: 'start' }];
  for (const st of steps) {
    ms += st.gapMs;
    const at = ms / 1000;
    const team = st.team < teams.length ? teams[st.team] : 'ghost-team';
    if (st.kind === 'command') out.push({ kind: 'facilitator', at, ...command(s, teams, st) } as Input);
    else if (st.kind === 'action') out.push({ kind: 'action', at, team: st.team < teams.length ? teams[st.team] : teams[0], action: action(s, w, st) });
    else {
      // nonsense: an action kind the engine does not know, or one for a team that does not exist
      const junk = st.c % 2 ? ({ action: st.text || 'self-destruct', service: 'orders' } as unknown as ActionSpec) : action(s, w, st);
      out.push({ kind: 'action', at, team, action: junk });
    }
  }
  return out;
}

function newSession(s: ScenarioSpec, seed: number | string, teams: string[]): Session {
  return new Session({ scenario: s, workload: workloadOf(s), runbooks: RUNBOOKS, seed, teams });
}

/** As SessionHost.restore replays: jump to each input's time, apply it; then jump to `until`. */
function runJumping(s: ScenarioSpec, seed: number | string, teams: string[], inputs: Input[], until: number): Session {
  const session = newSession(s, seed, teams);
  for (const input of inputs) {
    if (input.kind !== 'facilitator' || input.command !== 'start') session.advanceTo(input.at);
    session.apply(input);
  }
  session.advanceTo(until);
  return session;
}

/** As the live host runs: the clock moves in small uneven steps; inputs land at their own time. */
function runStepping(s: ScenarioSpec, seed: number | string, teams: string[], inputs: Input[], until: number, stepSeed: number): Session {
  const session = newSession(s, seed, teams);
  let x = stepSeed >>> 0 || 1;
  const stepMs = () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return 1 + (x % 2500);
  };
  // The host's clock follows the session's time: it stands still while the session is not running.
  const moveTo = (target: number) => {
    let clock = session.t;
    while (clock < target && session.phase === 'running') {
      clock = Math.min(target, Math.round(clock * 1000 + stepMs()) / 1000);
      session.advanceTo(clock);
    }
  };
  for (const input of inputs) {
    if (input.kind !== 'facilitator' || input.command !== 'start') moveTo(input.at);
    session.apply(input);
  }
  moveTo(until);
  return session;
}

function expectScoresInBounds(session: Session, s: ScenarioSpec, teams: string[], what: string) {
  const { rows, scores } = leaderboard(session.events, s, teams, RUNBOOKS);
  expect(rows.map((r) => r.team).sort()).toEqual([...teams].sort());
  for (const score of scores) {
    const where = `${what} team ${score.team}`;
    expect(Number.isInteger(score.total), where).toBe(true);
    expect(score.total, where).toBeGreaterThanOrEqual(0);
    expect(score.total, where).toBeLessThanOrEqual(100);
    let weighted = 0;
    let weights = 0;
    for (const d of DIMENSIONS) {
      const dim = score.dimensions[d];
      expect(Number.isFinite(dim.score), `${where} ${d}`).toBe(true);
      expect(dim.score, `${where} ${d}`).toBeGreaterThanOrEqual(0);
      expect(dim.score, `${where} ${d}`).toBeLessThanOrEqual(100);
      expect(dim.weight, `${where} ${d}`).toBeGreaterThanOrEqual(0);
      const sum = dim.findings.reduce((a, f) => a + f.points, 0);
      expect(dim.score, `${where} ${d}: the score is the sum of its findings, clamped`).toBe(Math.max(0, Math.min(100, sum)));
      weighted += dim.score * dim.weight;
      weights += dim.weight;
    }
    for (const f of score.findings) {
      expect(Number.isFinite(f.points) && Number.isFinite(f.max), `${where}: ${f.text}`).toBe(true);
      expect(f.max, `${where}: ${f.text}`).toBeGreaterThanOrEqual(0);
      expect(f.points, `${where}: ${f.text} (max ${f.max})`).toBeLessThanOrEqual(f.max);
      expect(f.text.length).toBeGreaterThan(0);
    }
    expect(score.hints.cost).toBeGreaterThanOrEqual(0);
    const expected = Math.max(0, Math.min(100, Math.round((weights > 0 ? weighted / weights : 0) - score.hints.cost)));
    expect(score.total, `${where}: total from the weighted dimensions and hints`).toBe(expected);
  }
  const totals = rows.map((r) => r.total);
  expect(totals, 'leaderboard best first').toEqual([...totals].sort((a, b) => b - a));
}

/** The first event where two logs differ, for a readable failure. */
function firstDifference(x: readonly unknown[], y: readonly unknown[]): { index: number; got: unknown; expected: unknown } | undefined {
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if (JSON.stringify(x[i]) !== JSON.stringify(y[i])) return { index: i, got: x[i], expected: y[i] };
  }
  return undefined;
}

const stats = { cases: 0, events: 0, inputs: 0, refused: 0, full: 0, ended: 0, ms: 0 };

describe('engine properties over random play', () => {
  it('same scenario, seed and inputs ⇒ byte-identical event log, however the clock is stepped; scores within bounds', () => {
    const started = performance.now();
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: SCENARIOS.length - 1 }),
        fc.oneof(fc.integer(), fc.string({ maxLength: 12 })),
        fc.integer({ min: 1, max: 3 }),
        fc.array(step, { minLength: 3, maxLength: 40 }),
        fc.oneof({ weight: 9, arbitrary: fc.integer({ min: 30, max: 400 }) }, { weight: 1, arbitrary: fc.constant(-1) }),
        fc.nat(),
        (si, seed, nTeams, steps, horizon, stepSeed) => {
          // A run to the end (-1) plays one of the short scenarios with one team: the whole run costs
          // 1–4 s of CPU on a busy machine, and three of them would not fit the time budget.
          const s = horizon < 0 ? pick(SHORT, si) : SCENARIOS[si];
          const teams = ['blue', 'red', 'green'].slice(0, horizon < 0 ? 1 : nTeams);
          const duration = parseDuration(s.duration);
          // -1: to the end of the scenario; otherwise a few simulated minutes, to keep runs short
          const until = horizon < 0 ? duration : Math.min(duration, horizon);
          const inputs = inputsFor(s, teams, steps).filter((i) => i.at <= until);
          const what = `${s.id} seed ${JSON.stringify(seed)} teams ${nTeams} until ${until}`;
          const a = runJumping(s, seed, teams, inputs, until);
          const c = runStepping(s, seed, teams, inputs, until, stepSeed);
          const logA = JSON.stringify(a.events);
          if (JSON.stringify(c.events) !== logA) {
            // tell nondeterminism from a dependence on how the clock is stepped
            const b = runJumping(s, seed, teams, inputs, until);
            expect(JSON.stringify(b.events), `${what}: a second identical run`).toBe(logA);
            expect(firstDifference(c.events, a.events), `${what}: a run whose clock moved in small steps`).toBeUndefined();
          }
          expect(c.phase).toBe(a.phase);
          // every applied input is in the log in order; seqs are 1, 2, 3, …; times never go back
          expect(a.events.map((e) => e.seq)).toEqual(a.events.map((_, i) => i + 1));
          expect(a.events.every((e, i) => i === 0 || e.t >= a.events[i - 1].t), `${what}: times in order`).toBe(true);
          expectScoresInBounds(a, s, teams, what);
          stats.cases++;
          stats.events += a.events.length;
          stats.inputs += inputs.length;
          stats.refused += a.events.filter((e) => e.type === 'action' && !e.result.ok).length;
          if (until === duration) stats.full++;
          if (a.phase === 'ended') stats.ended++;
        },
      ),
      {
        numRuns: Number(process.env.ENGINE_RUNS ?? 120),
        seed: process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined,
        // ENGINE_EXAMPLE='[…counterexample…]' replays one case first
        examples: process.env.ENGINE_EXAMPLE ? [JSON.parse(process.env.ENGINE_EXAMPLE)] : [],
      },
    );
    stats.ms = performance.now() - started;
    console.log(
      `engine properties: ${stats.cases} cases (${stats.full} to the scenario's end, ${stats.ended} ended), ${stats.inputs} inputs, ` +
        `${stats.events} events per run, ${stats.refused} refused actions; 2 runs each in ${(stats.ms / 1000).toFixed(1)} s`,
    );
    // the random play must reach the interesting places: refusals, and sessions that ended
    expect(stats.refused).toBeGreaterThan(0);
    expect(stats.ended).toBeGreaterThan(0);
  }, 240_000);

  it('a halt stops the clock: after resume, no event is logged at a time before the resume (it was: ticks skipped while halted ran after it)', () => {
    const s = SCENARIOS.find((x) => x.id === 'friday-deploy')!;
    const inputs: Input[] = [
      { kind: 'facilitator', at: 0, command: 'start' },
      { kind: 'facilitator', at: 100, command: 'halt' },
      { kind: 'facilitator', at: 600, command: 'resume' },
      { kind: 'action', at: 650, team: 'blue', action: { action: 'observe', service: 'orders' } },
    ];
    const session = runJumping(s, 1, ['blue'], inputs, 700);
    const times = session.events.map((e) => e.t);
    expect(times.filter((t, i) => i > 0 && t < times[i - 1])).toEqual([]);
    const resumed = session.events.find((e) => e.type === 'session.phase' && e.phase === 'running' && e.seq > 1)!;
    expect(resumed.t).toBe(100);
    // the clock went on from 100 once resumed: the later input and the horizon still reach 700
    expect(session.t).toBe(700);
    expect(session.events.filter((e) => e.type === 'metrics' && e.t > 100 && e.t <= 700).length).toBe(40);
    expect(JSON.stringify(runStepping(s, 1, ['blue'], inputs, 700, 42).events)).toBe(JSON.stringify(session.events));
  });

  it('scores stay within bounds when a team does everything at once, over and over (every action kind × every service, twice)', () => {
    const s = SCENARIOS.find((x) => x.id === 'friday-deploy')!;
    const w = workloadOf(s);
    const teams = ['blue'];
    const inputs: Input[] = [{ kind: 'facilitator', at: 0, command: 'start' }];
    let ms = 30_000;
    for (let round = 0; round < 2; round++) {
      for (let k = 0; k < ACTION_KINDS.length; k++) {
        for (let b = 0; b < w.services.length + 1; b += 3) {
          ms += 1500;
          inputs.push({ kind: 'action', at: ms / 1000, team: 'blue', action: action(s, w, { gapMs: 0, kind: 'action', a: k, b, c: 7 + round, text: '', team: 0 }) });
        }
      }
      inputs.push({ kind: 'facilitator', at: ms / 1000, command: 'release-hint', hint: s.hints![0].id });
    }
    const session = runJumping(s, 1, teams, inputs, parseDuration(s.duration));
    const refusals = session.events.filter((e) => e.type === 'action' && !e.result.ok).length;
    expect(refusals).toBeGreaterThan(20);
    expectScoresInBounds(session, s, teams, 'everything at once');
  });
});
