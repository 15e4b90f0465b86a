// What a scenario says about its own answer: the root faults, what clears them, and which actions
// spring traps. Only the `perfect` bot (and tests) may read this; the naive and random bots act on
// what a responder can see.
import type { ActionSpec, ResolverRefSpec } from '../actions/schema.ts';
import type { FaultSpec } from '../faults/schema.ts';
import type { ScenarioSpec } from '../scenario/schema.ts';
import { summariseAction, type DoneAction } from '../scenario/compile.ts';

/** Every fault the scenario can inject (timeline and branch consequences), by id. */
export function faultSpecs(scenario: ScenarioSpec): Map<string, FaultSpec> {
  const out = new Map<string, FaultSpec>();
  for (const e of scenario.timeline) if (e.inject && !out.has(e.inject.id)) out.set(e.inject.id, e.inject);
  for (const b of scenario.branches ?? []) for (const c of b.then) if (c.inject && !out.has(c.inject.id)) out.set(c.inject.id, c.inject);
  return out;
}

/** The root-cause faults' specs, in the order the scenario lists them (unknown ids are skipped). */
export function rootFaults(scenario: ScenarioSpec): FaultSpec[] {
  const specs = faultSpecs(scenario);
  return scenario.rootCause.faults.flatMap((id) => {
    const f = specs.get(id);
    return f ? [f] : [];
  });
}

export { resolversOfSpec, actionResolves } from '../faults/resolvers.ts';

/** A resolver as an action a team can take (parameters the resolver leaves open get sensible values). */
export function resolverAction(r: ResolverRefSpec, fault: FaultSpec): ActionSpec | null {
  const service = r.service ?? fault.service;
  switch (r.action) {
    case 'toggle-flag':
      if (r.flag === undefined) return null;
      return { action: 'toggle-flag', service, flag: r.flag, enabled: r.enabled ?? false };
    case 'drain-zone': {
      const zone = r.zone ?? (fault.kind === 'network-partition' ? fault.zone : undefined);
      return zone === undefined ? null : { action: 'drain-zone', zone };
    }
    case 'scale-out':
      return { action: 'scale-out', service, count: 2 };
    case 'scale-in':
      return { action: 'scale-in', service, count: 1 };
    case 'rate-limit':
      return { action: 'rate-limit', service, rps: 100 };
    case 'shed-load':
      return { action: 'shed-load', service, fraction: 0.3 };
    case 'restart':
      return { action: 'restart', service, rolling: true };
    default:
      return { action: r.action, service } as ActionSpec;
  }
}

/** An action pattern that springs a trap (a branch whose consequences include `trap:`). */
export interface TrapTrigger {
  branch: string;
  match: Partial<DoneAction> & { action: string };
  /** Only while this fault is active (the bot cannot see faults, so it treats it as active). */
  whileFault?: string;
}

/** Action triggers of the scenario's traps, including branches that only fire after a trap branch's action. */
export function trapTriggers(scenario: ScenarioSpec): TrapTrigger[] {
  const branches = scenario.branches ?? [];
  const byId = new Map(branches.map((b) => [b.id, b]));
  const isTrap = (id: string, seen = new Set<string>()): boolean => {
    const b = byId.get(id);
    if (!b || seen.has(id)) return false;
    seen.add(id);
    if (b.then.some((c) => c.trap !== undefined)) return true;
    // A branch chained after this one that is a trap makes this one's trigger a trap too.
    return branches.some((x) => x.when.after === id && isTrap(x.id, seen));
  };
  const out: TrapTrigger[] = [];
  for (const b of branches) {
    if (!b.when.action || !isTrap(b.id)) continue;
    const { while: w, ...match } = b.when.action;
    out.push({ branch: b.id, match, ...(w ? { whileFault: w.faultActive } : {}) });
  }
  return out;
}

/** The trap an action would spring (assuming its `while` fault is still active), if any. */
export function springsTrap(a: ActionSpec, traps: readonly TrapTrigger[]): TrapTrigger | undefined {
  const done = summariseAction(a);
  return traps.find((tr) => {
    if (tr.match.action !== done.action) return false;
    for (const k of ['service', 'oncall', 'flag', 'runbook', 'alert', 'severity'] as const) {
      if (tr.match[k] !== undefined && tr.match[k] !== done[k]) return false;
    }
    return true;
  });
}
