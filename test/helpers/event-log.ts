// Hand-built event logs and scenarios for scoring tests: no simulation, every event placed by hand,
// so a test can say exactly which facts a rule sees.
//
//   const events = log()
//     .inject(30, 'orders-v214', 'bad-deploy', 'orders')
//     .firing(230, 'OrdersLatencyHigh', 'orders')
//     .action(250, { action: 'acknowledge', alert: 'OrdersLatencyHigh' })
//     .mitigated(600).resolved(700).sloReport(0.6).end(700)
//     .build('team-1');
//
// Events keep the order they are added in and must not go back in time; `build` numbers them
// 1, 2, 3… (`seq`) and stamps the team. `mergeLogs` interleaves the logs of several teams by time and
// renumbers them, keeping the links (`fault.cleared.actionSeq`, `action.completed.ref`) intact.
import type { ActionSpec } from '../../server/engine/actions/schema.ts';
import type { FaultKind, FaultSpec } from '../../server/engine/faults/schema.ts';
import type { ExpectationsSpec, ScenarioSpec, TimelineEntrySpec } from '../../server/engine/scenario/schema.ts';
import type { EventBody, Outcome, SessionEvent } from '../../server/engine/session/events.ts';
import { REMEDIATIONS } from '../../server/engine/actions/schema.ts';

export interface ActionOpts {
  /** A refusal instead of success, e.g. `{ code: 'access/not-paged', message: 'page data-platform first' }`. */
  refused?: { code: string; message: string };
  /** Extra data of a successful result (`resolve` uses `{ premature: true }`). */
  data?: Record<string, unknown>;
  /** The action was run by a runbook step. */
  via?: { runbook: string; step: number };
}

type Severity = 'SEV1' | 'SEV2' | 'SEV3' | 'SEV4';

export class EventLogBuilder {
  private readonly bodies: { t: number; body: EventBody }[] = [];
  private lastRemediationSeq: number | null = null;

  /** Seq that the next event will get in `build()`. */
  get nextSeq(): number {
    return this.bodies.length + 1;
  }

  /** Seq of the last event added. */
  get lastSeq(): number {
    return this.bodies.length;
  }

  private get now(): number {
    return this.bodies.length ? this.bodies[this.bodies.length - 1].t : 0;
  }

  /** Appends any event body at `t`. */
  event(t: number, body: EventBody): this {
    if (t < this.now) throw new Error(`event at ${t} s goes back in time (last event at ${this.now} s)`);
    this.bodies.push({ t, body });
    return this;
  }

  inject(t: number, fault: string, kind: FaultKind, service: string): this {
    return this.event(t, { type: 'fault.injected', fault, kind, service, source: 'timeline' });
  }

  /** The fault cleared by an action; `actionSeq` defaults to the last successful remediation added. */
  cleared(t: number, fault: string, opts: { by?: string; actionSeq?: number | null } = {}): this {
    const actionSeq = opts.actionSeq !== undefined ? opts.actionSeq : this.lastRemediationSeq;
    return this.event(t, { type: 'fault.cleared', fault, by: opts.by ?? 'rollback', actionSeq });
  }

  firing(t: number, alert: string, service: string, severity = 'critical'): this {
    return this.event(t, { type: 'alert.firing', alert, service, severity, route: 'commerce', value: 1, summary: `${alert} is firing` });
  }

  alertResolved(t: number, alert: string, service: string): this {
    return this.event(t, { type: 'alert.resolved', alert, service, severity: 'critical', route: 'commerce', value: 0, summary: `${alert} resolved` });
  }

  /** A team action; succeeds unless `opts.refused`. The actor is taken from `spec.actor`. */
  action(t: number, spec: ActionSpec, opts: ActionOpts = {}): this {
    const result: Extract<EventBody, { type: 'action' }>['result'] = opts.refused
      ? { ok: false, code: opts.refused.code, message: opts.refused.message }
      : { ok: true, effect: `${spec.action} done`, ...(opts.data ? { data: opts.data } : {}) };
    if (result.ok && (REMEDIATIONS as readonly string[]).includes(spec.action)) this.lastRemediationSeq = this.nextSeq;
    return this.event(t, { type: 'action', action: spec, ...(spec.actor ? { actor: spec.actor } : {}), result, ...(opts.via ? { via: opts.via } : {}) });
  }

  // Shorthands for the actions scoring looks at most.
  ack(t: number, alert: string, actor?: string): this {
    return this.action(t, { action: 'acknowledge', alert, ...(actor ? { actor } : {}) });
  }

  declare(t: number, severity: Severity, summary: string, services?: string[]): this {
    return this.action(t, { action: 'declare', severity, summary, ...(services ? { services } : {}) });
  }

  role(t: number, role: 'incident-commander' | 'ops-lead' | 'comms-lead' | 'scribe', person: string): this {
    return this.action(t, { action: 'assign-role', role, person });
  }

  page(t: number, oncall: string): this {
    return this.action(t, { action: 'page', oncall });
  }

  observe(t: number, service: string): this {
    return this.action(t, { action: 'observe', service });
  }

  update(t: number, text: string, audience: 'internal' | 'external' = 'internal'): this {
    return this.action(t, { action: 'status-update', audience, text });
  }

  openRunbook(t: number, runbook: string): this {
    return this.action(t, { action: 'open-runbook', runbook });
  }

  step(t: number, runbook: string, step: number): this {
    return this.action(t, { action: 'run-step', runbook, step });
  }

  impactStarted(t: number): this {
    return this.event(t, { type: 'impact.started' });
  }

  impactEnded(t: number): this {
    return this.event(t, { type: 'impact.ended' });
  }

  trap(t: number, branch: string, text: string): this {
    return this.event(t, { type: 'trap.sprung', branch, text });
  }

  hint(t: number, hint: string, text: string, cost: number): this {
    return this.event(t, { type: 'hint.released', hint, text, cost, source: `hint:${hint}` });
  }

  mitigated(t: number): this {
    return this.event(t, { type: 'team.mitigated' });
  }

  resolved(t: number): this {
    return this.event(t, { type: 'team.resolved' });
  }

  /** The SLO report the session writes when a team ends; at the time of the last event unless `t` is given. */
  sloReport(burnedPct: number, t = this.now): this {
    return this.event(t, { type: 'slo.report', slos: [{ id: 'checkout-availability', service: 'orders', objective: 0.999, burnedPct }] });
  }

  /** An SLO report with no SLO in it (a workload without SLOs). */
  noSloReport(t = this.now): this {
    return this.event(t, { type: 'slo.report', slos: [] });
  }

  end(t: number, outcome: Outcome = 'resolved', reason = 'incident resolved'): this {
    return this.event(t, { type: 'team.ended', outcome, reason });
  }

  build(team = 'team-1'): SessionEvent[] {
    return this.bodies.map(({ t, body }, i) => ({ ...body, seq: i + 1, t, team }) as SessionEvent);
  }
}

export function log(): EventLogBuilder {
  return new EventLogBuilder();
}

/**
 * Interleaves the logs of several teams by simulated time (stable: on equal times, earlier
 * arguments first) and renumbers `seq` from 1, rewriting the links between events to match.
 */
export function mergeLogs(...logs: SessionEvent[][]): SessionEvent[] {
  const tagged = logs.flatMap((events, source) => events.map((e, i) => ({ e, source, i })));
  tagged.sort((a, b) => a.e.t - b.e.t || a.source - b.source || a.i - b.i);
  const renumber = new Map<string, number>();
  tagged.forEach(({ e, source }, k) => renumber.set(`${source}:${e.seq}`, k + 1));
  return tagged.map(({ e, source }, k) => {
    const out = { ...e, seq: k + 1 } as SessionEvent;
    if (out.type === 'fault.cleared' && out.actionSeq !== null) out.actionSeq = renumber.get(`${source}:${out.actionSeq}`) ?? null;
    if (out.type === 'action.completed') out.ref = renumber.get(`${source}:${out.ref}`) ?? out.ref;
    return out;
  });
}

type ExpectationOverrides = {
  detection?: Partial<ExpectationsSpec['detection']>;
  escalation?: Partial<ExpectationsSpec['escalation']>;
  /** `null` removes the runbook expectation. */
  runbook?: ExpectationsSpec['runbook'] | null;
  mitigation?: Partial<ExpectationsSpec['mitigation']>;
  communication?: ExpectationsSpec['communication'];
  weights?: ExpectationsSpec['weights'];
};

export interface ScenarioOverrides {
  expectations?: ExpectationOverrides;
  /** On-call teams the players act as (pages to them are never needless). */
  players?: string[];
  /** Extra timeline entries after the root-cause injection. */
  timeline?: TimelineEntrySpec[];
}

/** The root-cause fault of `scenario()`: orders v2.14, injected at 30 s. */
export const ROOT_FAULT: FaultSpec = { id: 'orders-v214', kind: 'bad-deploy', service: 'orders', version: 'v2.14' };

/**
 * A minimal valid scenario shaped like friday-deploy: root cause `orders-v214` on orders.
 * Expectations: alerts OrdersLatencyHigh and CheckoutErrors; services orders (the cause) and
 * postgres-main; severity SEV2; no page expected; runbook orders-latency steps 1–3; mitigation
 * within 15 minutes; no ack, declare, page or communication targets (so DEFAULT_TARGETS apply)
 * and no weights (DEFAULT_WEIGHTS). Each section can be overridden field by field.
 */
export function scenario(overrides: ScenarioOverrides = {}): ScenarioSpec {
  const o = overrides.expectations ?? {};
  const expectations: ExpectationsSpec = {
    detection: { alerts: ['OrdersLatencyHigh', 'CheckoutErrors'], services: ['orders', 'postgres-main'], ...o.detection },
    escalation: { severity: 'SEV2', ...o.escalation },
    mitigation: { within: '15m', ...o.mitigation },
  };
  const runbook = o.runbook === undefined ? { id: 'orders-latency', steps: [1, 2, 3] } : o.runbook;
  if (runbook) expectations.runbook = runbook;
  if (o.communication) expectations.communication = o.communication;
  if (o.weights) expectations.weights = o.weights;
  return {
    id: 'hand-built',
    title: 'A hand-built scenario for scoring tests',
    summary: 'orders v2.14 is a bad deploy.',
    difficulty: 'easy',
    duration: '1h',
    objectives: ['pin the scoring rules'],
    workload: 'shop',
    briefing: 'unit test',
    ...(overrides.players ? { players: { teams: overrides.players } } : {}),
    timeline: [{ at: '30s', inject: ROOT_FAULT }, ...(overrides.timeline ?? [])],
    rootCause: { faults: [ROOT_FAULT.id], summary: 'orders v2.14' },
    expectations,
  };
}
