// Bots on every shipped scenario: the perfect bot resolves without springing a trap, the idle bot
// does not resolve, the naive bot acts only on what it can see (and pays for it), runs with bots are
// deterministic, the random bot never breaks the engine, and scores order perfect > naive > idle.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readLibrary } from '../../server/library/fs.ts';
import { Session, type Input } from '../../server/engine/session/session.ts';
import { parseResponses } from '../../server/engine/session/responses.ts';
import { teamView } from '../../server/engine/session/view.ts';
import type { ResultSummary, SessionEvent } from '../../server/engine/session/events.ts';
import type { ActionSpec } from '../../server/engine/actions/schema.ts';
import { isRemediation } from '../../server/engine/actions/remediation.ts';
import type { ScenarioSpec } from '../../server/engine/scenario/schema.ts';
import { createRng } from '../../server/engine/random.ts';
import { parseDuration } from '../../server/engine/duration.ts';
import { createBot, createBots, runWithBots, type Bot, type BotPolicy } from '../../server/engine/bots/index.ts';
import { parseGate } from '../../server/engine/bots/perfect.ts';
import { resolversOfSpec, rootFaults, springsTrap, trapTriggers } from '../../server/engine/bots/answer.ts';
import { scoreTeam } from '../../server/engine/scoring/index.ts';

const LIBRARY = new URL('../../scenarios/', import.meta.url).pathname;
const lib = await readLibrary(LIBRARY);
const IDS = [...lib.scenarios.keys()].sort();
const TEAM = 'team-1';

interface BotAction {
  t: number;
  action: ActionSpec;
  result: ResultSummary;
  /** What the team could see right after the action (alerts do not change within an instant). */
  firing: { id: string; service: string }[];
}

interface Run {
  session: Session;
  outcome: string;
  actions: BotAction[];
  events: SessionEvent[];
  mitigatedAt: number | null;
  traps: number;
}

function session(id: string, seed: number, teams = [TEAM]): Session {
  const { spec } = lib.scenarios.get(id)!;
  return new Session({ scenario: spec, workload: lib.workloads.get(spec.workload)!, runbooks: lib.runbooks, seed, teams });
}

function runBot(id: string, policy: BotPolicy | Bot, seed = 1, inputs: Input[] = []): Run {
  const s = session(id, seed);
  const bot = typeof policy === 'string' ? createBots(s, { [TEAM]: policy })[TEAM] : policy;
  const actions: BotAction[] = [];
  const outcome = runWithBots(s, {
    bots: { [TEAM]: bot },
    inputs,
    onAction: (team, action, result, t) => {
      const firing = teamView(s, team)!.alerts.filter((a) => a.state === 'firing').map((a) => ({ id: a.id, service: a.service }));
      actions.push({ t, action, result, firing });
    },
  });
  return {
    session: s,
    outcome,
    actions,
    events: s.events,
    mitigatedAt: s.teams[0].mitigatedAt,
    traps: s.events.filter((e) => e.type === 'trap.sprung').length,
  };
}

const cache = new Map<string, Run>();
function cached(id: string, policy: BotPolicy): Run {
  const key = `${id}:${policy}`;
  if (!cache.has(key)) cache.set(key, runBot(id, policy));
  return cache.get(key)!;
}

/** A scenario the bot may not read: any property access throws. */
const SEALED = new Proxy({} as ScenarioSpec, {
  get(_, prop) {
    throw new Error(`the naive bot read scenario.${String(prop)}`);
  },
});

it('the library has scenarios to play', () => {
  expect(lib.problems).toEqual([]);
  expect(IDS.length).toBeGreaterThanOrEqual(4);
});

describe.each(IDS)('bots on %s (seed 1)', (id) => {
  const spec = () => lib.scenarios.get(id)!.spec;

  it('perfect: resolves after mitigating, springs no trap and has no action refused', () => {
    const r = cached(id, 'perfect');
    expect(r.outcome).toBe('resolved');
    expect(r.traps).toBe(0);
    expect(r.mitigatedAt).not.toBeNull();
    const resolved = r.events.find((e) => e.type === 'team.resolved')!;
    expect(resolved.t).toBeGreaterThanOrEqual(r.mitigatedAt!);
    expect(r.actions.filter((a) => !a.result.ok).map((a) => [a.t, a.action, a.result])).toEqual([]);
    // Nested runbook actions are refused neither.
    expect(r.events.filter((e) => e.type === 'action' && !e.result.ok)).toEqual([]);
    // Every root fault was cleared by the team (or ran its course).
    for (const f of spec().rootCause.faults) {
      expect(r.events.some((e) => (e.type === 'fault.cleared' || e.type === 'fault.expired') && e.fault === f)).toBe(true);
    }
  });

  it('perfect: follows the expected timeline (roles, acks, declare, pages, runbook, CAN updates)', () => {
    const r = cached(id, 'perfect');
    const x = spec().expectations;
    const ok = r.actions.filter((a) => a.result.ok);
    const kinds = (k: string) => ok.filter((a) => a.action.action === k);
    const roles = kinds('assign-role').map((a) => a.action as Extract<ActionSpec, { action: 'assign-role' }>);
    expect(roles.map((a) => a.role).sort()).toEqual(['comms-lead', 'incident-commander', 'ops-lead']);
    expect(new Set(roles.map((a) => a.person)).size).toBe(3);
    const firstAlert = r.events.find((e) => e.type === 'alert.firing' && x.detection.alerts.includes(e.alert))!;
    const declare = kinds('declare')[0].action as Extract<ActionSpec, { action: 'declare' }>;
    expect(declare.severity).toBe(x.escalation.severity);
    expect(declare.services?.[0]).toBe(x.detection.services[0]);
    expect(kinds('declare')[0].t - firstAlert.t).toBeLessThanOrEqual(120);
    // Each expected alert that fired was acknowledged within a minute of firing.
    for (const fired of r.events.filter((e): e is SessionEvent & { type: 'alert.firing' } => e.type === 'alert.firing' && x.detection.alerts.includes(e.alert))) {
      if (fired.t > r.mitigatedAt!) continue;
      const resolvedAt = r.events.find((e) => e.type === 'alert.resolved' && e.alert === fired.alert && e.t >= fired.t)?.t ?? Infinity;
      const ack = kinds('acknowledge').find((a) => (a.action as { alert: string }).alert === fired.alert && a.t >= fired.t);
      if (resolvedAt - fired.t > 60) expect(ack?.t, `ack of ${fired.alert}`).toBeLessThanOrEqual(fired.t + 60);
    }
    for (const oncall of x.escalation.page ?? []) expect(kinds('page').some((a) => (a.action as { oncall: string }).oncall === oncall)).toBe(true);
    if (x.runbook) {
      const steps = kinds('run-step').map((a) => (a.action as { step: number }).step);
      const expected = x.runbook.steps ?? lib.runbooks.get(x.runbook.id)!.steps.map((s) => s.n);
      expect(steps).toEqual(expected);
    }
    const updates = kinds('status-update');
    expect(updates.length).toBeGreaterThanOrEqual(2);
    const first = updates[0].action as Extract<ActionSpec, { action: 'status-update' }>;
    expect(first.audience).toBe('internal');
    expect(first.text).toMatch(/^Condition: .* Actions: .* Needs: /);
    const seconds = parseDuration(x.communication?.firstUpdateWithin, 900);
    expect(updates[0].t - firstAlert.t).toBeLessThan(seconds / 2);
    expect(kinds('mark-mitigated').length).toBe(1);
  });

  it('idle: does nothing and is not resolved', () => {
    const r = cached(id, 'idle');
    expect(r.outcome).not.toBe('resolved');
    expect(r.actions).toEqual([]);
    expect(r.events.some((e) => e.type === 'action')).toBe(false);
  });

  it('naive: acts only on what it sees — its first remediation targets a service with a firing alert', () => {
    const r = cached(id, 'naive');
    const first = r.actions.find((a) => isRemediation(a.action));
    expect(first, 'the naive bot tried a remediation').toBeDefined();
    const target = (first!.action as { service: string }).service;
    expect(first!.firing.map((a) => a.service)).toContain(target);
    // It never reads the scenario: with a sealed scenario it does exactly the same.
    const sealed = runBot(id, createBot('naive', { rng: createRng(1, `bot:${TEAM}:naive`), scenario: SEALED }));
    expect(JSON.stringify(sealed.events)).toBe(JSON.stringify(r.events));
    // And never opens a runbook.
    expect(r.actions.some((a) => a.action.action === 'open-runbook' || a.action.action === 'run-step')).toBe(false);
  });

  it('naive: springs a trap set on the service it went after, or at least mitigates later than perfect', () => {
    const r = cached(id, 'naive');
    const perfect = cached(id, 'perfect');
    const target = (r.actions.find((a) => isRemediation(a.action))!.action as { service: string }).service;
    const done = r.actions.filter((a) => a.result.ok && isRemediation(a.action) && (a.action as { service?: string }).service === target);
    const armed = done.filter((a) => springsTrap(a.action, trapTriggers(spec())));
    if (armed.length) expect(r.traps).toBeGreaterThanOrEqual(1);
    const slower = r.mitigatedAt === null || r.mitigatedAt > perfect.mitigatedAt!;
    expect(r.traps >= 1 || slower).toBe(true);
    expect(slower).toBe(true);
  });

  it('runs are deterministic: same seed, same event log, with every kind of bot', () => {
    for (const policy of ['perfect', 'naive', 'random'] as const) {
      const a = runBot(id, policy, 7);
      const b = runBot(id, policy, 7);
      expect(JSON.stringify(a.events), policy).toBe(JSON.stringify(b.events));
      expect(a.events.length).toBeGreaterThan(20);
    }
  });

  it('random: never breaks the engine and every action gets a result', () => {
    for (const seed of [1, 2, 3]) {
      const s = session(id, seed);
      const inner = createBots(s, { [TEAM]: 'random' })[TEAM];
      let asked = 0;
      const counting: Bot = {
        policy: 'random',
        next: (ctx) => {
          const out = inner.next(ctx);
          asked += out.length;
          return out;
        },
      };
      const results: ResultSummary[] = [];
      const outcome = runWithBots(s, { bots: { [TEAM]: counting }, onAction: (_, __, result) => results.push(result) });
      expect(['resolved', 'unresolved', 'halted']).toContain(outcome);
      expect(s.phase).toBe('ended');
      expect(asked).toBeGreaterThan(5);
      expect(results.length).toBe(asked);
      for (const r of results) {
        if (r.ok) expect(typeof r.effect).toBe('string');
        else expect(r.code).toMatch(/^[a-z-]+\/[a-z-]+$/);
      }
      // Every action the session accepted is in the log with its result (runbook steps add nested ones).
      const logged = s.events.filter((e) => e.type === 'action' && !e.via);
      expect(logged.length).toBe(asked);
    }
  });

  it('scores order perfect > naive > idle, with perfect ≥ 90 and idle ≤ 20', () => {
    const score = (p: BotPolicy) => scoreTeam(cached(id, p).events, spec(), TEAM);
    const perfect = score('perfect');
    const naive = score('naive');
    const idle = score('idle');
    expect(perfect.total).toBeGreaterThanOrEqual(90);
    expect(idle.total).toBeLessThanOrEqual(20);
    expect(perfect.total).toBeGreaterThan(naive.total);
    expect(naive.total).toBeGreaterThan(idle.total);
    expect(perfect.trapsSprung).toBe(0);
  });
});

describe('runWithBots', () => {
  const id = IDS.includes('friday-deploy') ? 'friday-deploy' : IDS[0];

  it('a scripted bot replays a responses file exactly like Session.run', () => {
    for (const sid of IDS) {
      const file = `${LIBRARY}examples/${sid}.responses.yaml`;
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch {
        continue;
      }
      const inputs = parseResponses(text, file, [TEAM]).inputs;
      const a = session(sid, 3);
      a.run(inputs);
      const b = session(sid, 3);
      const bot = createBot('scripted', { rng: createRng(3, 'x'), scenario: b.scenario, script: inputs });
      runWithBots(b, { bots: { [TEAM]: bot } });
      expect(JSON.stringify(b.events), sid).toBe(JSON.stringify(a.events));
    }
  });

  it('applies timed inputs exactly at their time, between bot turns', () => {
    const inputs: Input[] = [
      { kind: 'action', at: 62.5, team: TEAM, action: { action: 'observe', service: lib.scenarios.get(id)!.spec.expectations.detection.services[0] } },
      { kind: 'facilitator', at: 90, command: 'message', text: 'hello' },
    ];
    const r = runBot(id, 'idle', 1, inputs);
    const observe = r.events.find((e) => e.type === 'action')!;
    expect(observe.t).toBe(62.5);
    expect(r.events.find((e) => e.type === 'message' && e.text === 'hello')!.t).toBe(90);
  });

  it('bots act at every interval from T+0, in order with the inputs due at that time', () => {
    const s = session(id, 1);
    const turns: number[] = [];
    const bot: Bot = { policy: 'idle', next: (ctx) => (turns.push(ctx.t), []) };
    runWithBots(s, { bots: { [TEAM]: bot }, interval: 30 });
    expect(turns.slice(0, 4)).toEqual([0, 30, 60, 90]);
    expect(turns.every((t, i) => i === 0 || t - turns[i - 1] === 30)).toBe(true);
    expect(s.phase).toBe('ended');
  });

  it('survives a pause and a halt from the facilitator', () => {
    const paused = runBot(id, 'perfect', 1, [
      { kind: 'facilitator', at: 60, command: 'pause' },
      { kind: 'facilitator', at: 120, command: 'resume' },
    ]);
    expect(paused.outcome).toBe('resolved');
    const halted = runBot(id, 'perfect', 1, [{ kind: 'facilitator', at: 200, command: 'halt' }]);
    expect(halted.outcome).toBe('halted');
    expect(halted.session.phase).toBe('ended');
  });

  it('plays several teams at once, each with its own bot', () => {
    const s = session(id, 5, ['blue', 'red', 'grey']);
    const outcome = runWithBots(s, { bots: createBots(s, { blue: 'perfect', red: 'naive', grey: 'idle' }) });
    expect(outcome).not.toBe('resolved');
    expect(s.team('blue')!.ended?.outcome).toBe('resolved');
    expect(s.team('red')!.ended?.outcome).not.toBe('resolved');
    const score = (t: string) => scoreTeam(s.events, s.scenario, t).total;
    expect(score('blue')).toBeGreaterThan(score('red'));
    expect(score('red')).toBeGreaterThan(score('grey'));
  });

  it('refuses a bot for a team the session does not have', () => {
    const s = session(id, 1);
    expect(() => runWithBots(s, { bots: { nobody: createBot('idle', { rng: createRng(1), scenario: s.scenario }) } })).toThrow(/no team "nobody"/);
  });
});

describe('the perfect bot without the fix in its runbook', () => {
  const base = lib.scenarios.get('friday-deploy')?.spec;
  const play = (scenario: ScenarioSpec) => {
    const s = new Session({ scenario, workload: lib.workloads.get(scenario.workload)!, runbooks: lib.runbooks, seed: 1 });
    const outcome = runWithBots(s, { bots: { [TEAM]: createBot('perfect', { rng: createRng(1, 'p'), scenario }) } });
    const fixes = s.events.filter((e) => e.type === 'action' && e.result.ok && isRemediation(e.action));
    return { outcome, fixes, traps: s.events.filter((e) => e.type === 'trap.sprung').length, s };
  };

  it.runIf(base)('performs the root fault\u2019s resolver itself when no runbook is expected', () => {
    const r = play({ ...base!, expectations: { ...base!.expectations, runbook: undefined } });
    expect(r.outcome).toBe('resolved');
    expect(r.traps).toBe(0);
    expect(r.fixes.map((e) => e.type === 'action' && [e.action.action, (e.action as { service?: string }).service, e.via ?? null])).toEqual([['rollback', 'orders', null]]);
  });

  it.runIf(base)('runs the expected steps, then fixes what they did not', () => {
    const r = play({ ...base!, expectations: { ...base!.expectations, runbook: { id: 'orders-latency', steps: [1, 3] } } });
    expect(r.outcome).toBe('resolved');
    const steps = r.s.events.filter((e) => e.type === 'action' && e.action.action === 'run-step').map((e) => e.type === 'action' && (e.action as { step: number }).step);
    expect(steps).toEqual([1, 3]);
    expect(r.fixes.length).toBe(1);
  });

  it.runIf(base)('does not repeat a fix that the runbook’s last step performed', () => {
    const r = play({ ...base!, expectations: { ...base!.expectations, runbook: { id: 'orders-latency', steps: [1, 2] } } });
    expect(r.outcome).toBe('resolved');
    expect(r.fixes.map((e) => e.type === 'action' && [e.action.action, e.via?.step ?? null])).toEqual([['rollback', 2]]);
  });

  it.runIf(base)('skips a runbook step that would spring a trap and fixes it another way', () => {
    // Make the runbook's rollback a trap and give the fault a second resolver.
    const spec = structuredClone(base!);
    const fault = spec.timeline.find((e) => e.inject?.id === spec.rootCause.faults[0])!.inject!;
    fault.resolvedBy = [{ action: 'rollback', service: 'orders' }, { action: 'shed-load', service: 'orders' }];
    spec.branches = [...(spec.branches ?? []), { id: 'rollback-trap', when: { action: { action: 'rollback', service: 'orders' } }, then: [{ trap: 'rolled back' }] }];
    const r = play(spec);
    expect(r.traps).toBe(0);
    expect(r.fixes.map((e) => e.type === 'action' && e.action.action)).toEqual(['shed-load']);
    expect(r.outcome).not.toBe('halted');
  });
});

describe('what the perfect bot reads from a scenario', () => {
  it('finds each root fault and a resolver for it', () => {
    for (const id of IDS) {
      const spec = lib.scenarios.get(id)!.spec;
      const roots = rootFaults(spec);
      expect(roots.map((f) => f.id)).toEqual(spec.rootCause.faults);
      for (const f of roots) expect(resolversOfSpec(f).length, `${id}: ${f.id}`).toBeGreaterThan(0);
    }
  });

  it('reads a wait from a runbook step ("wait until the hit ratio passes ~0.8")', () => {
    const runbook = {
      id: 'rb',
      title: 'rb',
      services: ['redis-cache'],
      steps: [
        { n: 1, title: 'watch', directive: { type: 'check' as const, what: 'metric' as const, service: 'redis-cache', metric: 'cache_hit_ratio' }, body: 'Wait for the hit ratio to pass ~0.6 while the database stays below ~0.75.' },
        { n: 2, title: 'raise', body: 'At 60% the database copes. Wait until the hit ratio passes\n~0.8 before the next step.' },
        { n: 3, title: 'nothing', body: 'timeout acquiring connection (waited 5000 ms)' },
      ],
    };
    const workload = lib.workloads.get('shop')!;
    expect(parseGate(runbook.steps[0], runbook, workload)).toEqual({ service: 'redis-cache', metric: 'cache_hit_ratio', op: '>=', value: 0.6 });
    expect(parseGate(runbook.steps[1], runbook, workload)).toEqual({ service: 'redis-cache', metric: 'cache_hit_ratio', op: '>=', value: 0.8 });
    expect(parseGate(runbook.steps[2], runbook, workload)).toBeNull();
  });
});
