// Compiles a scenario into an XState v5 machine. One actor runs per team. The machine owns the
// story: when to inject, which branches fire in reaction to the team or the system, when to stop.
// It never touches the world itself; it emits what should happen and the session applies it.
//
// Time enters as TICK events carrying simulated time, not as `after` delays: XState does not
// resume delayed transitions from a restored snapshot (statelyai/xstate#5331), whereas replaying
// TICKs rebuilds the same state every time.
import { assign, emit, setup, type AnyStateMachine } from 'xstate';
import type { ActionSpec } from '../actions/schema.ts';
import type { FaultSpec } from '../faults/schema.ts';
import type { MetricCondition } from '../schema-common.ts';
import type { Static } from 'typebox';
import { parseDuration } from '../duration.ts';
import type { BranchSpec, ScenarioSpec } from './schema.ts';

export type Consequence = NonNullable<BranchSpec['then']>[number];

/** What a team has done, reduced to the fields branch triggers can match on. */
export interface DoneAction {
  action: string;
  service?: string;
  oncall?: string;
  flag?: string;
  runbook?: string;
  alert?: string;
  severity?: string;
}

export interface ScenarioContext {
  t: number;
  mitigated: boolean;
  held: Record<string, boolean>;
  activeFaults: string[];
  done: DoneAction[];
  fired: string[];
  triggeredAt: Record<string, number>;
}

export type ScenarioEvent =
  | { type: 'TICK'; t: number; mitigated: boolean; held: Record<string, boolean>; activeFaults: string[]; done: DoneAction[] }
  | { type: 'ACTION'; t: number; action: DoneAction; activeFaults: string[] };

export type ScenarioEmitted =
  | { type: 'inject'; fault: FaultSpec; source: string }
  | { type: 'message'; text: string; source: string }
  | { type: 'audit'; service: string; kind: 'deploy' | 'config' | 'ops'; text: string; source: string }
  | { type: 'hint'; id: string; source: string }
  | { type: 'trap'; branch: string; text: string }
  | { type: 'end'; outcome: 'halted' | 'unresolved'; reason: string; source: string }
  | { type: 'branch'; id: string };

export interface TimedStep {
  at: number;
  source: string;
  then: Consequence;
}

/** Key under which the session reports whether a metric condition has held for its `for` duration. */
export function conditionKey(c: Static<typeof MetricCondition>): string {
  return `${c.service}:${c.metric}${c.op}${c.threshold}/${parseDuration(c.for, 0)}`;
}

export function summariseAction(a: ActionSpec): DoneAction {
  const r: DoneAction = { action: a.action };
  const x = a as Record<string, unknown>;
  if (typeof x.service === 'string') r.service = x.service;
  if (typeof x.oncall === 'string') r.oncall = x.oncall;
  if (typeof x.flag === 'string') r.flag = x.flag;
  if (typeof x.runbook === 'string') r.runbook = x.runbook;
  if (typeof x.alert === 'string') r.alert = x.alert;
  if (typeof x.severity === 'string') r.severity = x.severity;
  return r;
}

function matches(m: Partial<DoneAction>, done: DoneAction): boolean {
  if (m.action !== done.action) return false;
  for (const k of ['service', 'oncall', 'flag', 'runbook', 'alert', 'severity'] as const) {
    if (m[k] !== undefined && m[k] !== done[k]) return false;
  }
  return true;
}

/** The scenario's timed steps (timeline entries and hints with a time), in time order, stable. */
export function timedSteps(spec: ScenarioSpec): TimedStep[] {
  const steps: TimedStep[] = spec.timeline.map((e, i) => ({
    at: parseDuration(e.at),
    source: `timeline[${i}]`,
    then: e.inject ? { inject: e.inject } : e.message ? { message: e.message } : { event: e.event },
  }));
  for (const h of spec.hints ?? []) if (h.at !== undefined) steps.push({ at: parseDuration(h.at), source: `hint:${h.id}`, then: { hint: h.id } });
  return steps.map((s, i) => ({ s, i })).sort((a, b) => a.s.at - b.s.at || a.i - b.i).map((x) => x.s);
}

function emitted(then: Consequence, source: string, branch?: string): ScenarioEmitted[] {
  const out: ScenarioEmitted[] = [];
  if (then.inject) out.push({ type: 'inject', fault: then.inject, source });
  if (then.message) out.push({ type: 'message', text: then.message, source });
  if (then.event) out.push({ type: 'audit', ...then.event, source });
  if (then.hint) out.push({ type: 'hint', id: then.hint, source });
  if (then.trap) out.push({ type: 'trap', branch: branch ?? source, text: then.trap });
  if (then.end) out.push({ type: 'end', outcome: then.end.outcome, reason: then.end.reason, source });
  return out;
}

/** scenario → XState machine. compileScenario(spec).createMachine is not needed: the result is a machine. */
export function compileScenario(spec: ScenarioSpec): AnyStateMachine {
  const steps = timedSteps(spec);
  const branches = spec.branches ?? [];
  const stops = spec.stop ?? [];

  const triggerHolds = (ctx: ScenarioContext, b: BranchSpec): boolean => {
    const w = b.when;
    if (w.metric) return ctx.held[conditionKey(w.metric)] === true;
    if (w.notMitigatedBy !== undefined) return ctx.t >= parseDuration(w.notMitigatedBy) && !ctx.mitigated;
    if (w.notDone) {
      const nd = w.notDone;
      return ctx.t >= parseDuration(nd.by) && !ctx.done.some((d) => matches({ action: nd.action, oncall: nd.oncall, service: nd.service }, d));
    }
    if (w.after) return ctx.fired.includes(w.after);
    return false;
  };

  const machine = setup({
    types: {
      context: {} as ScenarioContext,
      events: {} as ScenarioEvent,
      emitted: {} as ScenarioEmitted,
    },
    guards: {
      reached: ({ context }, params: { at: number }) => context.t >= params.at,
      triggerHolds: ({ context }, params: { branch: number }) => triggerHolds(context, branches[params.branch]),
      actionMatches: ({ event }, params: { branch: number }) => {
        if (event.type !== 'ACTION') return false;
        const m = branches[params.branch].when.action;
        if (!m) return false;
        if (m.while && !event.activeFaults.includes(m.while.faultActive)) return false;
        return matches(m, event.action);
      },
      delayOver: ({ context }, params: { branch: number }) => {
        const b = branches[params.branch];
        const at = context.triggeredAt[b.id];
        return at !== undefined && context.t >= at + parseDuration(b.delay, 0);
      },
      stopHolds: ({ context }, params: { stop: number }) => {
        const w = stops[params.stop].when;
        if (w.metric) return context.held[conditionKey(w.metric)] === true;
        if (w.at !== undefined) return context.t >= parseDuration(w.at);
        return false;
      },
    },
    actions: {
      runStep: emit(({}, params: { step: number }) => emitted(steps[params.step].then, steps[params.step].source)[0]),
      markTriggered: assign({
        triggeredAt: ({ context, event }, params: { branch: number }) => ({
          ...context.triggeredAt,
          [branches[params.branch].id]: event.type === 'ACTION' ? event.t : context.t,
        }),
      }),
      markFired: assign({ fired: ({ context }, params: { branch: number }) => [...context.fired, branches[params.branch].id] }),
      announceBranch: emit(({}, params: { branch: number }) => ({ type: 'branch' as const, id: branches[params.branch].id })),
      consequence: emit(({}, params: { branch: number; index: number }) => {
        const b = branches[params.branch];
        return emitted(b.then[params.index], `branch:${b.id}`, b.id)[0];
      }),
      stop: emit(({}, params: { stop: number }) => ({
        type: 'end' as const,
        outcome: stops[params.stop].outcome,
        reason: stops[params.stop].reason,
        source: `stop[${params.stop}]`,
      })),
    },
  });

  // Timeline: one state per step, in order; several steps due in the same tick chain eventlessly.
  const timelineStates: Record<string, object> = {};
  steps.forEach((s, i) => {
    timelineStates[`step${i}`] = {
      always: { guard: { type: 'reached', params: { at: s.at } }, target: i + 1 < steps.length ? `step${i + 1}` : 'done', actions: [{ type: 'runStep', params: { step: i } }] },
    };
  });
  timelineStates.done = {};

  const regions: Record<string, object> = {
    timeline: { initial: steps.length ? 'step0' : 'done', states: timelineStates },
  };
  branches.forEach((b, i) => {
    const trigger = { target: 'waiting', actions: [{ type: 'markTriggered', params: { branch: i } }] };
    const fire = [
      { type: 'markFired', params: { branch: i } },
      { type: 'announceBranch', params: { branch: i } },
      ...b.then.map((_, index) => ({ type: 'consequence', params: { branch: i, index } })),
    ];
    regions[`branch:${b.id}`] = {
      initial: 'armed',
      states: {
        armed: b.when.action
          ? { on: { ACTION: { guard: { type: 'actionMatches', params: { branch: i } }, ...trigger } } }
          : { always: { guard: { type: 'triggerHolds', params: { branch: i } }, ...trigger } },
        waiting: { always: { guard: { type: 'delayOver', params: { branch: i } }, target: 'fired', actions: fire } },
        fired: {},
      },
    };
  });
  stops.forEach((_, i) => {
    regions[`stop${i}`] = {
      initial: 'watching',
      states: {
        watching: { always: { guard: { type: 'stopHolds', params: { stop: i } }, target: 'stopped', actions: [{ type: 'stop', params: { stop: i } }] } },
        stopped: {},
      },
    };
  });

  return machine.createMachine({
    id: `scenario:${spec.id}`,
    type: 'parallel',
    context: { t: 0, mitigated: false, held: {}, activeFaults: [], done: [], fired: [], triggeredAt: {} },
    on: {
      TICK: {
        actions: assign(({ event }) => {
          const e = event as Extract<ScenarioEvent, { type: 'TICK' }>;
          return { t: e.t, mitigated: e.mitigated, held: e.held, activeFaults: e.activeFaults, done: e.done };
        }),
      },
    },
    // The regions are built from data, so their exact literal types are not known statically.
    states: regions as never,
  }) as unknown as AnyStateMachine;
}

/** Every metric condition the scenario watches (branches and stop conditions), for the session to evaluate. */
export function watchedConditions(spec: ScenarioSpec): Static<typeof MetricCondition>[] {
  const out: Static<typeof MetricCondition>[] = [];
  for (const b of spec.branches ?? []) if (b.when.metric) out.push(b.when.metric);
  for (const s of spec.stop ?? []) if (s.when.metric) out.push(s.when.metric);
  return out;
}
