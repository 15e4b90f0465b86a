// A session: one scenario run for one or more teams from one seed. Inputs go in with a simulated
// time; the event log comes out. Same scenario + seed + inputs ⇒ byte-identical event log.
import { createActor, type AnyStateMachine } from 'xstate';
import { createRng, type Rng } from '../random.ts';
import { parseDuration, roundTime } from '../duration.ts';
import type { ScenarioSpec } from '../scenario/schema.ts';
import type { WorkloadSpec } from '../workload/schema.ts';
import type { FaultSpec } from '../faults/schema.ts';
import type { ActionSpec } from '../actions/schema.ts';
import { createWorld, pushAudit, pushLog, type ActiveFault, type World } from '../workload/world.ts';
import { tick } from '../workload/propagation.ts';
import { generateLogs } from '../workload/logs.ts';
import { compare, evaluateAlerts } from '../workload/alerts.ts';
import { isActive } from '../faults/effects.ts';
import { applyRemediation, isRemediation, matchingFaults, type ActionResult, type RemediationSpec } from '../actions/remediation.ts';
import { compileScenario, conditionKey, summariseAction, watchedConditions, type ScenarioEmitted } from '../scenario/compile.ts';
import { SAMPLED_METRICS, SAMPLE_EVERY, type EventBody, type Outcome, type Phase, type ResultSummary, type SessionEvent } from './events.ts';
import { newIncident, type RunbookLike, type TeamRuntime } from './team.ts';
import { phaseMachine } from './phase.ts';
import { Companions, nextHint } from './companions.ts';

export interface SessionConfig {
  scenario: ScenarioSpec;
  workload: WorkloadSpec;
  runbooks?: Map<string, RunbookLike>;
  seed: number | string;
  teams?: string[];
  /** Seconds of simulated time per tick. Default 1. */
  dt?: number;
  /** A power user's own machine, speaking the same TICK/ACTION protocol (see docs/scenario-format.md). */
  machine?: AnyStateMachine;
  /** Practice mode (solo drills): bot responders, a comms bot and hints on demand (session/companions.ts). */
  practice?: boolean;
}

export type FacilitatorCommand =
  | { command: 'start' }
  | { command: 'pause'; reason?: string }
  | { command: 'resume' }
  | { command: 'set-speed'; speed: number }
  | { command: 'reveal-scores' }
  | { command: 'halt'; reason?: string }
  | { command: 'end'; reason?: string }
  | { command: 'release-hint'; hint: string; team?: string }
  | { command: 'message'; text: string; team?: string }
  | { command: 'inject'; fault: FaultSpec; team?: string }
  /** Practice mode, switched on in the lobby (the REST route does it for `practice: true`). */
  | { command: 'practice' }
  /** A practising player asks for the next hint (practice sessions only). */
  | { command: 'request-hint'; team: string };

export type Input =
  | { kind: 'action'; at: number; team: string; action: ActionSpec }
  | ({ kind: 'facilitator'; at: number } & FacilitatorCommand);

export interface ApplyResult {
  seq: number | null;
  result: ResultSummary;
}

/** A team's incident is mitigated once every root-cause fault is cleared and customers see no errors. */
const IMPACT_BURN = 3;

/**
 * A scenario's machine is a definition (its state lives in each actor's context), so sessions of
 * the same scenario object share one: compiling it per session cost ~51 KiB of heap each.
 */
const machines = new WeakMap<ScenarioSpec, AnyStateMachine>();
function compiledMachine(spec: ScenarioSpec): AnyStateMachine {
  let machine = machines.get(spec);
  if (!machine) machines.set(spec, (machine = compileScenario(spec)));
  return machine;
}

export class Session {
  readonly scenario: ScenarioSpec;
  readonly workload: WorkloadSpec;
  readonly runbooks: Map<string, RunbookLike>;
  readonly seed: number | string;
  readonly duration: number;
  readonly dt: number;
  readonly teams: TeamRuntime[] = [];
  readonly events: SessionEvent[] = [];
  t = 0;
  phase: Phase = 'lobby';
  outcome: Outcome | null = null;
  private ticks = 0;
  private sampled: string[] | null = null;
  private readonly phaseActor = createActor(phaseMachine);
  private listeners: ((e: SessionEvent) => void)[] = [];
  /** Set in practice mode: the bots that play the other roles. */
  private companions: Companions | null = null;

  constructor(config: SessionConfig) {
    this.scenario = config.scenario;
    this.workload = config.workload;
    this.runbooks = config.runbooks ?? new Map();
    this.seed = config.seed;
    this.dt = config.dt ?? 1;
    this.duration = parseDuration(config.scenario.duration);
    const machine = config.machine ?? compiledMachine(config.scenario);
    const names = config.teams && config.teams.length ? config.teams : ['team-1'];
    if (new Set(names).size !== names.length) throw new Error('team names must be unique');
    // Every team gets the same random stream: teams differ only by what they do.
    for (const id of names) this.teams.push(this.createTeam(id, machine, createRng(this.seed, 'workload')));
    this.phaseActor.start();
    if (config.practice) this.apply({ kind: 'facilitator', at: 0, command: 'practice' });
  }

  /** True once practice mode is on: bots play the other roles and hints come on demand. */
  get practice(): boolean {
    return this.companions !== null;
  }

  /** Calls fn for every event appended from now on (adapters use it to broadcast and persist). */
  subscribe(fn: (e: SessionEvent) => void): () => void {
    this.listeners.push(fn);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== fn);
    };
  }

  team(id: string): TeamRuntime | undefined {
    return this.teams.find((x) => x.id === id);
  }

  private createTeam(id: string, machine: AnyStateMachine, rng: Rng): TeamRuntime {
    const spec = this.scenario.startHour === undefined ? this.workload : { ...this.workload, traffic: { ...this.workload.traffic, startHour: this.scenario.startHour } };
    const world = createWorld(spec, this.scenario.alerts ?? [], rng, this.dt);
    const actor = createActor(machine);
    const team: TeamRuntime = {
      id,
      world,
      machine,
      actor,
      incident: newIncident(),
      watched: watchedConditions(this.scenario).flatMap((cond) => {
        const service = world.byId.get(cond.service);
        return service === undefined ? [] : [{ key: conditionKey(cond), cond, service, forSeconds: parseDuration(cond.for, 0), since: null }];
      }),
      held: {},
      done: [],
      hints: new Set(),
      impact: false,
      impactLevel: 0,
      impactSince: null,
      firstInjectionAt: null,
      mitigatedAt: null,
      ended: null,
      actions: 0,
    };
    actor.on('*', (e: ScenarioEmitted) => this.onScenario(team, e));
    return team;
  }

  private log(body: EventBody, team?: string): SessionEvent {
    const e = { seq: this.events.length + 1, t: roundTime(this.t), ...(team !== undefined ? { team } : {}), ...body } as SessionEvent;
    this.events.push(e);
    for (const l of this.listeners) l(e);
    return e;
  }

  private setPhase(event: { type: string }, reason?: string): boolean {
    const before = this.phaseActor.getSnapshot().value as Phase;
    this.phaseActor.send(event as never);
    const after = this.phaseActor.getSnapshot().value as Phase;
    if (after === before) return false;
    this.phase = after;
    this.log({ type: 'session.phase', phase: after, ...(reason ? { reason } : {}) });
    return true;
  }

  /** Starts the run at T+0: the first metrics are computed and the scenario's T+0 steps happen. */
  start(): void {
    if (this.phase !== 'lobby' && this.phase !== 'briefing') return;
    this.setPhase({ type: 'START' });
    for (const team of this.teams) {
      team.world.t = 0;
      tick(team.world);
      team.actor.start();
      this.sample(team);
      this.sendTick(team);
    }
  }

  /**
   * Advances simulated time to `target`, one tick at a time, unless the run ends first. Outside
   * `running` (paused, halted) time stands still, as on a live server: a halted clock that moved
   * on made `resume` replay the skipped ticks at earlier times than the resume itself, and the log
   * depended on how the clock had been stepped (test/property/engine-properties.test.ts).
   */
  advanceTo(target: number): void {
    if (this.phase !== 'running') return;
    while (this.phase === 'running') {
      const next = roundTime((this.ticks + 1) * this.dt);
      if (next > target + 1e-9) break;
      this.ticks++;
      this.t = next;
      for (const team of this.teams) if (!team.ended) this.stepTeam(team);
      this.checkEnd();
    }
    if (this.phase === 'running' && target > this.t) this.t = Math.min(target, this.duration);
  }

  /** Runs to the end of the scenario (or an earlier end), applying timed inputs in order. */
  run(inputs: Input[], onProgress?: (t: number, duration: number) => void): Outcome {
    if (this.phase === 'lobby') this.start();
    const ordered = inputs.map((x, i) => ({ x, i })).sort((a, b) => a.x.at - b.x.at || a.i - b.i).map((p) => p.x);
    let lastReport = 0;
    for (const input of ordered) {
      if (this.phase === 'ended') break;
      this.advanceTo(input.at);
      this.apply(input);
      if (onProgress && this.t - lastReport >= 60) {
        lastReport = this.t;
        onProgress(this.t, this.duration);
      }
    }
    while (this.phase === 'running') {
      this.advanceTo(Math.min(this.duration, this.t + 60));
      onProgress?.(this.t, this.duration);
    }
    if (this.phase !== 'ended') this.finish(this.phase === 'halted' ? 'halted' : 'unresolved', this.phase === 'halted' ? 'halted by the facilitator' : 'time ran out');
    return this.outcome ?? 'unresolved';
  }

  /** Applies one input at the current simulated time (callers advance the clock first). */
  apply(input: Input): ApplyResult {
    if (input.kind === 'facilitator') return this.facilitate(input);
    const team = this.team(input.team);
    if (!team) return { seq: null, result: { ok: false, code: 'session/unknown-team', message: `no team "${input.team}" in this session` } };
    if (this.phase !== 'running') {
      return { seq: null, result: { ok: false, code: 'session/not-running', message: `the session is ${this.phase}; actions are not accepted` } };
    }
    if (team.ended) return { seq: null, result: { ok: false, code: 'session/team-ended', message: `team ${team.id} has finished (${team.ended.outcome})` } };
    team.world.t = this.t;
    const applied = this.act(team, input.action);
    if (this.teams.every((x) => x.ended)) this.checkEnd();
    return applied;
  }

  private act(team: TeamRuntime, action: ActionSpec, via?: { runbook: string; step: number }): ApplyResult {
    team.actions++;
    const result = this.perform(team, action, via);
    const e = this.log({ type: 'action', action, ...(action.actor ? { actor: action.actor } : {}), result: summarise(result), ...(via ? { via } : {}) }, team.id);
    if (result.ok) {
      const done = summariseAction(action);
      team.done.push(done);
      team.actor.send({ type: 'ACTION', t: this.t, action: done, activeFaults: activeFaultIds(team.world) });
      // After the scenario saw it: the action's own consequences (a page sent, the incident ended).
      this.afterAction(team, action, result);
      this.companions?.onAction(team, action, e.seq);
      if (isRemediation(action) && result.completesAt === undefined) this.clearResolved(team, action, e.seq);
      if (isRemediation(action) && result.completesAt !== undefined) {
        const sched = team.world.scheduled[team.world.scheduled.length - 1];
        if (sched) sched.actionSeq = e.seq;
      }
      // A runbook step that runs an action performs it as a separate, linked action.
      if (action.action === 'run-step' && result.data?.run) this.act(team, result.data.run as ActionSpec, { runbook: action.runbook, step: action.step });
    }
    return { seq: e.seq, result: summarise(result) };
  }

  /** Consequences that belong after the action in the log: the page it sends, the end it brings. */
  private afterAction(team: TeamRuntime, a: ActionSpec, result: Extract<ActionResult, { ok: true }>): void {
    if (a.action === 'page') {
      const oncall = this.workload.teams.find((x) => x.id === a.oncall);
      if (oncall) this.log({ type: 'page', oncall: a.oncall, level: 0, name: oncall.escalation[0].name, reason: a.reason ?? 'paged by the team' }, team.id);
    } else if (a.action === 'failover' && result.data?.splitBrain) {
      const f = team.world.faults[team.world.faults.length - 1];
      this.log({ type: 'fault.injected', fault: f.spec.id, kind: f.spec.kind, service: f.spec.service, ...(f.spec.description ? { description: f.spec.description } : {}), source: 'failover-twice' }, team.id);
    } else if (a.action === 'resolve' && result.data?.premature === false) {
      // The cause is gone and the team calls it over: if the smoothed impact signal has not caught up
      // yet, the incident is mitigated now.
      // Only when customers are being served right now; the smoothed signal merely lags.
      if (team.mitigatedAt === null && this.currentBurn(team) <= IMPACT_BURN) {
        team.mitigatedAt = this.t;
        this.log({ type: 'team.mitigated' }, team.id);
      }
      this.log({ type: 'team.resolved' }, team.id);
      this.endTeam(team, 'resolved', 'incident resolved');
    }
  }

  private perform(team: TeamRuntime, a: ActionSpec, via?: { runbook: string; step: number }): ActionResult {
    const world = team.world;
    const inc = team.incident;
    if (isRemediation(a)) {
      const denied = this.checkAccess(team, a);
      if (denied) return denied;
      return applyRemediation(world, a, 0);
    }
    switch (a.action) {
      case 'observe': {
        const i = world.byId.get(a.service);
        if (i === undefined) return fail('action/unknown-service', `unknown service "${a.service}"`);
        const s = world.services[i];
        const view = a.view ?? 'metrics';
        return { ok: true, effect: `looked at ${s.id} ${view}`, data: { service: s.id, view } };
      }
      case 'acknowledge': {
        const alert = world.alerts.find((x) => x.rule.id === a.alert);
        if (!alert) return fail('alert/unknown', `unknown alert "${a.alert}"`);
        if (alert.state !== 'firing') return fail('alert/not-firing', `${a.alert} is not firing`);
        if (alert.acknowledgedAt !== null) return fail('alert/already-acknowledged', `${a.alert} was already acknowledged`);
        alert.acknowledgedAt = this.t;
        return { ok: true, effect: `acknowledged ${a.alert}` };
      }
      case 'declare': {
        if (inc.declaredAt !== null) return fail('incident/already-declared', `an incident is already declared (${inc.severity}); use set-severity to change it`);
        inc.declaredAt = this.t;
        inc.severity = a.severity;
        inc.summary = a.summary;
        inc.services = a.services ?? [];
        return { ok: true, effect: `incident declared: ${a.severity} — ${a.summary}` };
      }
      case 'set-severity': {
        if (inc.declaredAt === null) return fail('incident/not-declared', 'declare an incident first');
        const before = inc.severity;
        inc.severity = a.severity;
        return { ok: true, effect: `severity ${before} -> ${a.severity}` };
      }
      case 'assign-role':
        inc.roles[a.role] = a.person;
        return { ok: true, effect: `${a.person} is ${a.role}` };
      case 'page': {
        const oncall = this.workload.teams.find((x) => x.id === a.oncall);
        if (!oncall) return fail('page/unknown-team', `unknown on-call team "${a.oncall}"`);
        if (inc.paged.has(a.oncall)) return fail('page/already-paged', `${a.oncall} was already paged`);
        const players = this.scenario.players?.teams;
        const isPlayer = !players || players.includes(a.oncall);
        inc.paged.set(a.oncall, { at: this.t, joinedAt: null });
        if (!isPlayer) {
          const at = this.t + (oncall.responseSeconds ?? 180);
          world.scheduled.push({ at, kind: 'responder', service: -1, team: a.oncall, id: world.nextScheduledId++, actionSeq: 0 });
          return { ok: true, effect: `paged ${oncall.name}; ${oncall.escalation[0].name} usually answers in ~${Math.round((oncall.responseSeconds ?? 180) / 60)} min`, completesAt: at };
        }
        return { ok: true, effect: `paged ${oncall.name}` };
      }
      case 'open-runbook': {
        const rb = this.runbooks.get(a.runbook);
        if (!rb) return fail('runbook/unknown', `unknown runbook "${a.runbook}"`);
        if (!inc.runbooks.has(rb.id)) inc.runbooks.set(rb.id, { openedAt: this.t, steps: [] });
        return { ok: true, effect: `opened runbook "${rb.title}" (${rb.steps.length} steps)` };
      }
      case 'run-step': {
        const rb = this.runbooks.get(a.runbook);
        if (!rb) return fail('runbook/unknown', `unknown runbook "${a.runbook}"`);
        const step = rb.steps.find((s) => s.n === a.step);
        if (!step) return fail('runbook/unknown-step', `runbook ${rb.id} has no step ${a.step} (steps 1–${rb.steps.length})`);
        if (!inc.runbooks.has(rb.id)) inc.runbooks.set(rb.id, { openedAt: this.t, steps: [] });
        inc.runbooks.get(rb.id)!.steps.push(a.step);
        const d = step.directive;
        if (!d) return { ok: true, effect: `step ${a.step}: ${step.title}` };
        if (d.type === 'run') return { ok: true, effect: `step ${a.step}: ${step.title} — running ${d.action.action}`, data: { run: d.action } };
        return { ok: true, effect: `step ${a.step}: ${step.title}`, data: { check: this.check(team, d.what, d.service, d.metric) } };
      }
      case 'status-update':
        inc.updates.push({ t: this.t, audience: a.audience, text: a.text });
        return { ok: true, effect: `${a.audience} status update posted` };
      case 'hypothesis':
        inc.hypotheses.push({ t: this.t, text: a.text });
        return { ok: true, effect: 'hypothesis noted' };
      case 'mark-mitigated':
        inc.mitigatedClaimAt = this.t;
        return { ok: true, effect: 'incident marked mitigated' };
      case 'resolve': {
        inc.resolvedAt = this.t;
        return { ok: true, effect: 'incident resolved', data: { premature: !this.rootFaultsCleared(team) } };
      }
    }
    return fail('action/unknown', 'unknown action');
  }

  /** What a runbook check shows: read-only, from what a responder could see. */
  private check(team: TeamRuntime, what: string, service?: string, metric?: string): string {
    const world = team.world;
    const svc = service !== undefined ? world.services[world.byId.get(service) ?? -1] : undefined;
    switch (what) {
      case 'deploys': {
        const deploys = this.events.filter((e) => e.type === 'deploy' && e.team === team.id && (!service || e.service === service));
        const lines = deploys.map((e) => (e.type === 'deploy' ? `T+${Math.round(e.t)}s ${e.service} ${e.previous} -> ${e.version}` : ''));
        return lines.length ? lines.join('\n') : `no deploys of ${service ?? 'any service'} during this incident (running ${svc?.version ?? '?'})`;
      }
      case 'logs': {
        const lines = svc ? world.logs[svc.idx].lines().filter((l) => l.level !== 'info' && l.level !== 'debug').slice(-5) : [];
        return lines.length ? lines.map((l) => `${l.level.toUpperCase()} ${l.message}`).join('\n') : `no warnings or errors in ${service} logs`;
      }
      case 'metric': {
        if (!svc || !metric || !(metric in svc.m)) return `no metric ${metric} on ${service}`;
        return `${service} ${metric} = ${round3(svc.m[metric as keyof typeof svc.m])}`;
      }
      case 'audit':
        return world.audit.slice(-5).map((l) => `T+${Math.round(l.t)}s ${l.service}: ${l.message}`).join('\n') || 'audit log empty';
      case 'alerts': {
        const firing = world.alerts.filter((a) => a.state === 'firing').map((a) => `${a.rule.id} (${a.rule.service})`);
        return firing.length ? `firing: ${firing.join(', ')}` : 'no alerts firing';
      }
    }
    return '';
  }

  private checkAccess(team: TeamRuntime, a: RemediationSpec): ActionResult | null {
    const players = this.scenario.players?.teams;
    if (!players || a.action === 'drain-zone') return null;
    const i = team.world.byId.get(a.service);
    if (i === undefined) return null;
    const owner = team.world.services[i].spec.team;
    if (players.includes(owner)) return null;
    const paged = team.incident.paged.get(owner);
    if (paged?.joinedAt != null) return null;
    const oncall = this.workload.teams.find((x) => x.id === owner);
    return fail(
      'action/no-access',
      paged
        ? `${a.service} belongs to ${oncall?.name ?? owner}; they were paged and have not joined yet`
        : `${a.service} belongs to ${oncall?.name ?? owner}: page them first (you have no access to their services)`,
    );
  }

  private facilitate(input: Extract<Input, { kind: 'facilitator' }>): ApplyResult {
    const ok = (effect: string): ApplyResult => ({ seq: this.events.length, result: { ok: true, effect } });
    const targets = (team?: string) => this.teams.filter((x) => !x.ended && (team === undefined || x.id === team));
    switch (input.command) {
      case 'start':
        if (this.phase !== 'lobby' && this.phase !== 'briefing') return notNow(this.phase, 'start');
        this.start();
        return ok('started');
      case 'pause':
        return this.setPhase({ type: 'PAUSE' }, input.reason) ? ok('paused') : notNow(this.phase, 'pause');
      case 'set-speed':
        // Speed maps wall time to simulated time, which is the adapter's business; the log keeps a record.
        this.log({ type: 'session.speed', speed: input.speed });
        return ok(`speed ×${input.speed}`);
      case 'reveal-scores':
        this.log({ type: 'scores.revealed' });
        return ok('scores revealed');
      case 'resume':
        return this.setPhase({ type: 'RESUME' }) ? ok('resumed') : notNow(this.phase, 'resume');
      case 'halt': {
        if (this.phase === 'halted') return ok('already halted');
        if (!this.setPhase({ type: 'HALT' }, input.reason ?? 'halted by the facilitator')) return notNow(this.phase, 'halt');
        // Halting stops every injection at once: active faults are cleared and the scenario stops ticking.
        for (const team of this.teams) {
          for (const f of team.world.faults) {
            if (f.clearedAt === null && isActive(f, this.t)) {
              f.clearedAt = this.t;
              this.log({ type: 'fault.cleared', fault: f.spec.id, by: 'halt', actionSeq: null }, team.id);
            }
          }
        }
        return ok('halted');
      }
      case 'end':
        this.finish(this.phase === 'halted' ? 'halted' : this.allResolved() ? 'resolved' : 'unresolved', input.reason ?? 'ended by the facilitator');
        return ok('ended');
      case 'release-hint': {
        const hint = (this.scenario.hints ?? []).find((h) => h.id === input.hint);
        if (!hint) return { seq: null, result: { ok: false, code: 'hint/unknown', message: `unknown hint "${input.hint}"` } };
        for (const team of targets(input.team)) this.releaseHint(team, input.hint, 'facilitator');
        return ok(`hint ${input.hint} released`);
      }
      case 'message':
        for (const team of targets(input.team)) this.log({ type: 'message', text: input.text, source: 'facilitator' }, team.id);
        return ok('message sent');
      case 'practice': {
        if (this.companions) return ok('already in practice mode');
        if (this.phase !== 'lobby' && this.phase !== 'briefing') return notNow(this.phase, 'switch to practice mode');
        const companions = new Companions({
          seed: this.seed,
          scenario: this.scenario,
          workload: this.workload,
          runbooks: this.runbooks,
          now: () => this.t,
          log: (body, team) => this.log(body, team),
          act: (team, action) => this.act(team, action),
        });
        this.companions = companions;
        const hints = (this.scenario.hints ?? []).map((h) => ({ id: h.id, cost: h.cost ?? 5 }));
        this.log({ type: 'session.practice', hints, askEvery: companions.askEvery, comms: companions.comms });
        return ok('practice mode: bots play the other roles, hints on demand');
      }
      case 'request-hint': {
        if (!this.companions) return { seq: null, result: { ok: false, code: 'hint/not-practice', message: 'hints on demand are for practice sessions; in a game day the facilitator releases hints' } };
        const team = this.team(input.team);
        if (!team) return { seq: null, result: { ok: false, code: 'session/unknown-team', message: `no team "${input.team}" in this session` } };
        if (this.phase !== 'running') return notNow(this.phase, 'ask for a hint');
        if (team.ended) return { seq: null, result: { ok: false, code: 'session/team-ended', message: `team ${team.id} has finished (${team.ended.outcome})` } };
        const next = nextHint(this.scenario, team.hints);
        if (!next) return { seq: null, result: { ok: false, code: 'hint/none-left', message: `no hints left: team ${team.id} has had all ${(this.scenario.hints ?? []).length} hints of this scenario` } };
        this.releaseHint(team, next.id, 'requested');
        return { seq: this.events.length, result: { ok: true, effect: `hint ${next.id} (−${next.cost} points)`, data: { hint: next.id, cost: next.cost } } };
      }
      case 'inject': {
        if (this.phase !== 'running') return notNow(this.phase, 'inject');
        for (const team of targets(input.team)) this.inject(team, input.fault, 'facilitator');
        return ok(`injected ${input.fault.id}`);
      }
    }
  }

  private stepTeam(team: TeamRuntime): void {
    const world = team.world;
    world.t = this.t;
    // Delayed effects of earlier actions land first, then faults that ran their course end.
    if (world.scheduled.length) {
      const due = world.scheduled.filter((s) => s.at <= this.t + 1e-9);
      if (due.length) {
        world.scheduled = world.scheduled.filter((s) => s.at > this.t + 1e-9);
        for (const s of due) this.complete(team, s);
      }
    }
    for (const f of world.faults) {
      if (f.clearedAt === null && f.endsAt !== null && f.endsAt <= this.t + 1e-9 && f.endsAt > this.t - this.dt + 1e-9) {
        this.log({ type: 'fault.expired', fault: f.spec.id }, team.id);
      }
    }
    tick(world);
    generateLogs(world);
    for (const tr of evaluateAlerts(world)) {
      const a = tr.alert;
      this.log({ type: `alert.${tr.to}` as 'alert.firing', alert: a.rule.id, service: a.rule.service, severity: a.rule.severity, route: a.rule.route, value: round3(a.value), summary: a.rule.summary }, team.id);
      if (tr.to === 'firing' && a.rule.severity === 'critical') this.pageFor(team, a.rule.route, 0, a.rule.id);
    }
    this.escalate(team);
    this.observeImpact(team);
    if (!team.ended) this.companions?.tick(team);
    if (this.ticks % Math.max(1, Math.round(SAMPLE_EVERY / this.dt)) === 0) this.sample(team);
    this.sendTick(team);
  }

  /** Services whose metrics the event log samples: what the report charts. */
  private sampledServices(): string[] {
    if (this.sampled) return this.sampled;
    const ids = new Set<string>();
    for (const slo of this.workload.slos ?? []) ids.add(slo.service);
    for (const id of this.scenario.expectations.detection.services) ids.add(id);
    for (const e of this.scenario.timeline) if (e.inject) ids.add(e.inject.service);
    const known = new Set(this.workload.services.map((s) => s.id));
    this.sampled = [...ids].filter((id) => known.has(id)).slice(0, 12);
    return this.sampled;
  }

  /** A compact sample of key metrics, so reports can chart a run from its event log alone. */
  private sample(team: TeamRuntime): void {
    const world = team.world;
    const services: Record<string, number[]> = {};
    for (const id of this.sampledServices()) {
      const m = world.services[world.byId.get(id)!].m;
      services[id] = SAMPLED_METRICS.map((k) => round3(m[k]));
    }
    this.log({ type: 'metrics', services }, team.id);
  }

  private sendTick(team: TeamRuntime): void {
    const world = team.world;
    for (const w of team.watched) {
      const holds = compare(world.services[w.service].m[w.cond.metric], w.cond.op, w.cond.threshold);
      if (!holds) w.since = null;
      else if (w.since === null) w.since = this.t;
      team.held[w.key] = holds && this.t - (w.since ?? this.t) >= w.forSeconds;
    }
    if (this.phase !== 'running') return;
    team.actor.send({ type: 'TICK', t: this.t, mitigated: team.mitigatedAt !== null, held: team.held, activeFaults: activeFaultIds(world), done: team.done });
  }

  private pageFor(team: TeamRuntime, oncallId: string, level: number, reason: string): void {
    const players = this.scenario.players?.teams;
    if (players && !players.includes(oncallId)) return;
    const oncall = this.workload.teams.find((x) => x.id === oncallId);
    if (!oncall) return;
    const lvl = oncall.escalation[Math.min(level, oncall.escalation.length - 1)];
    this.log({ type: 'page', oncall: oncallId, level, name: lvl.name, reason }, team.id);
  }

  /** Unacknowledged critical alerts escalate through the routed team's policy. */
  private escalate(team: TeamRuntime): void {
    for (const a of team.world.alerts) {
      if (a.state !== 'firing' || a.acknowledgedAt !== null || a.rule.severity !== 'critical') continue;
      const oncall = this.workload.teams.find((x) => x.id === a.rule.route);
      if (!oncall) continue;
      const next = oncall.escalation[a.escalationLevel + 1];
      if (!next) continue;
      const after = parseDuration(next.after, 300);
      if (this.t - a.firedAt >= after) {
        a.escalationLevel++;
        this.pageFor(team, a.rule.route, a.escalationLevel, `${a.rule.id} not acknowledged`);
      }
    }
  }

  /** The error-budget burn rate at the SLO services (or 0.1% at the entry points) this tick, unsmoothed. */
  private currentBurn(team: TeamRuntime): number {
    const world = team.world;
    let burn = 0;
    let slo = 0;
    for (const s of world.services) {
      if (s.sloObjective > 0) {
        slo++;
        burn = Math.max(burn, s.m.error_rate / (1 - s.sloObjective));
      }
    }
    if (slo === 0) {
      for (const e of this.workload.traffic.entry) {
        const i = world.byId.get(e.service);
        if (i !== undefined) burn = Math.max(burn, world.services[i].m.error_rate / 0.001);
      }
    }
    return burn;
  }

  /**
   * Customer impact from the SLO services (or the entry points when there are none), smoothed over
   * about 30 s with hysteresis so that noise does not flap it; mitigation once the cause is gone.
   */
  private observeImpact(team: TeamRuntime): void {
    const burn = this.currentBurn(team);
    team.impactLevel += (burn - team.impactLevel) * Math.min(1, this.dt / 30);
    const impact = team.impact ? team.impactLevel > IMPACT_BURN / 2 : team.impactLevel > IMPACT_BURN;
    if (impact !== team.impact) {
      team.impact = impact;
      team.impactSince = impact ? this.t : null;
      this.log({ type: impact ? 'impact.started' : 'impact.ended' }, team.id);
    }
    if (team.mitigatedAt === null && team.firstInjectionAt !== null && !impact && this.rootFaultsCleared(team)) {
      team.mitigatedAt = this.t;
      this.log({ type: 'team.mitigated' }, team.id);
    }
  }

  private rootFaultsCleared(team: TeamRuntime): boolean {
    const roots = this.scenario.rootCause.faults;
    const world = team.world;
    for (const id of roots) {
      const f = world.faults.find((x) => x.spec.id === id);
      if (!f) return false;
      if (f.clearedAt === null && (f.endsAt === null || f.endsAt > this.t)) return false;
    }
    return true;
  }

  private complete(team: TeamRuntime, s: World['scheduled'][number]): void {
    const world = team.world;
    if (s.kind === 'responder') {
      const p = team.incident.paged.get(s.team!);
      const oncall = this.workload.teams.find((x) => x.id === s.team);
      if (p) p.joinedAt = this.t;
      const name = oncall?.escalation[0].name ?? s.team!;
      this.log({ type: 'responder.joined', oncall: s.team!, name }, team.id);
      this.log({ type: 'message', text: `${name} (${oncall?.name ?? s.team}) joined the incident: "I'm here — what do you need from us?"`, source: `responder:${s.team}` }, team.id);
      return;
    }
    const svc = world.services[s.service];
    let effect = '';
    let action: RemediationSpec;
    if (s.kind === 'rollback') {
      const previous = svc.version;
      svc.versions.pop();
      svc.version = svc.versions[svc.versions.length - 1];
      if (svc.versions.length < 2) svc.versions.unshift(svc.version + '-prev');
      // A rollback is a new rollout: its replicas start fresh, with no leaked memory or connections.
      svc.memoryMb = svc.memoryMb.map(() => svc.spec.memoryBaselineMb ?? 300);
      for (const d of svc.deps) d.leaked = 0;
      effect = `${svc.id} rolled back to ${svc.version}`;
      this.log({ type: 'deploy', service: svc.id, version: svc.version, previous, reason: 'rollback' }, team.id);
      action = { action: 'rollback', service: svc.id };
    } else if (s.kind === 'provision') {
      svc.replicas += s.count ?? 0;
      effect = `${s.count} new replicas of ${svc.id} in service (${svc.replicas} total)`;
      for (const d of svc.deps) if (d.poolSize > 0) world.services[d.target].reconnectLoad += (s.count ?? 0) * d.poolSize * 1.2;
      action = { action: 'scale-out', service: svc.id, count: s.count ?? 0 };
    } else {
      svc.certRenewedAt = this.t;
      effect = `new certificate deployed on ${svc.id}`;
      action = { action: 'renew-cert', service: svc.id };
    }
    pushAudit(world, svc.id, effect);
    pushLog(world, svc, 'info', effect);
    this.log({ type: 'action.completed', ref: s.actionSeq, action: action.action, service: svc.id, effect }, team.id);
    this.clearResolved(team, action, s.actionSeq);
  }

  private clearResolved(team: TeamRuntime, action: RemediationSpec, actionSeq: number): void {
    for (const f of matchingFaults(team.world, action)) {
      f.clearedAt = this.t;
      this.log({ type: 'fault.cleared', fault: f.spec.id, by: action.action, actionSeq }, team.id);
    }
  }

  private onScenario(team: TeamRuntime, e: ScenarioEmitted): void {
    if (this.phase !== 'running' || team.ended) return;
    switch (e.type) {
      case 'inject':
        this.inject(team, e.fault, e.source);
        break;
      case 'message':
        this.log({ type: 'message', text: e.text, source: e.source }, team.id);
        break;
      case 'audit':
        pushAudit(team.world, e.service, e.text);
        this.log({ type: 'audit', service: e.service, kind: e.kind, text: e.text, source: e.source }, team.id);
        break;
      case 'hint':
        // A scheduled hint is pointless once the team has fixed it; branches and facilitators still may.
        if (e.source.startsWith('hint:') && team.mitigatedAt !== null) break;
        this.releaseHint(team, e.id, e.source);
        break;
      case 'trap':
        this.log({ type: 'trap.sprung', branch: e.branch, text: e.text }, team.id);
        break;
      case 'branch':
        this.log({ type: 'branch.fired', branch: e.id }, team.id);
        break;
      case 'end':
        this.endTeam(team, e.outcome, e.reason);
        break;
    }
  }

  private releaseHint(team: TeamRuntime, id: string, source: string): void {
    if (team.hints.has(id)) return;
    const hint = (this.scenario.hints ?? []).find((h) => h.id === id);
    if (!hint) return;
    team.hints.add(id);
    this.log({ type: 'hint.released', hint: id, text: hint.text, cost: hint.cost ?? 5, source }, team.id);
  }

  private inject(team: TeamRuntime, fault: FaultSpec, source: string): void {
    const world = team.world;
    const service = world.byId.get(fault.service);
    if (service === undefined) return;
    const svc = world.services[service];
    const active: ActiveFault = {
      spec: fault,
      onset: this.t,
      rampSeconds: parseDuration(fault.ramp, 0),
      endsAt: fault.duration !== undefined ? this.t + parseDuration(fault.duration) : null,
      clearedAt: null,
      suppressedUntil: -1,
      source,
      service,
      targets: fault.kind === 'bad-config' ? (fault.services ?? []).map((id) => world.byId.get(id)).filter((i): i is number => i !== undefined) : [],
    };
    world.faults.push(active);
    if (team.firstInjectionAt === null) team.firstInjectionAt = this.t;
    this.log({ type: 'fault.injected', fault: fault.id, kind: fault.kind, service: fault.service, ...(fault.description ? { description: fault.description } : {}), source }, team.id);
    // Some faults are also changes that people can see: a deploy, a config push, an audit line.
    if (fault.kind === 'bad-deploy') {
      const previous = svc.version;
      svc.versions.push(fault.version);
      svc.version = fault.version;
      pushAudit(world, svc.id, `deploy ${svc.id} ${previous} -> ${fault.version}`);
      this.log({ type: 'deploy', service: svc.id, version: fault.version, previous, reason: 'release' }, team.id);
    } else if (fault.kind === 'bad-config') {
      const text = fault.change ?? `config push to ${[fault.service, ...(fault.services ?? [])].join(', ')}`;
      pushAudit(world, svc.id, text);
      this.log({ type: 'audit', service: svc.id, kind: 'config', text, source }, team.id);
    }
  }

  private endTeam(team: TeamRuntime, outcome: Outcome, reason: string): void {
    if (team.ended) return;
    team.ended = { outcome, reason, t: this.t };
    this.sample(team);
    const slos = (this.workload.slos ?? []).flatMap((slo) => {
      const i = team.world.byId.get(slo.service);
      return i === undefined ? [] : [{ id: slo.id, service: slo.service, objective: slo.objective, burnedPct: round3(team.world.services[i].m.error_budget_burned_pct) }];
    });
    this.log({ type: 'slo.report', slos }, team.id);
    this.log({ type: 'team.ended', outcome, reason }, team.id);
    team.actor.stop();
  }

  private allResolved(): boolean {
    return this.teams.every((x) => x.ended?.outcome === 'resolved');
  }

  private checkEnd(): void {
    if (this.teams.every((x) => x.ended)) {
      const outcomes = this.teams.map((x) => x.ended!.outcome);
      const outcome: Outcome = outcomes.every((o) => o === 'resolved') ? 'resolved' : outcomes.includes('halted') ? 'halted' : 'unresolved';
      this.finish(outcome, outcome === 'resolved' ? 'every team resolved the incident' : this.teams.map((x) => `${x.id}: ${x.ended!.reason}`).join('; '));
    } else if (this.t >= this.duration - 1e-9) {
      for (const team of this.teams) if (!team.ended) this.endTeam(team, 'unresolved', 'time ran out');
      this.finish(this.allResolved() ? 'resolved' : 'unresolved', 'time ran out');
    }
  }

  private finish(outcome: Outcome, reason: string): void {
    if (this.phase === 'ended') return;
    for (const team of this.teams) if (!team.ended) this.endTeam(team, outcome, reason);
    this.outcome = outcome;
    this.setPhase({ type: 'END' }, reason);
    this.log({ type: 'session.ended', outcome, reason });
  }
}

function fail(code: string, message: string): ActionResult {
  return { ok: false, code, message };
}

function notNow(phase: Phase, what: string): ApplyResult {
  return { seq: null, result: { ok: false, code: 'session/wrong-phase', message: `cannot ${what} while the session is ${phase}` } };
}

function summarise(r: ActionResult): ResultSummary {
  if (!r.ok) return { ok: false, code: r.code, message: r.message };
  const out: ResultSummary = { ok: true, effect: r.effect };
  if (r.completesAt !== undefined) out.completesAt = roundTime(r.completesAt);
  if (r.data !== undefined) out.data = r.data;
  return out;
}

function activeFaultIds(world: World): string[] {
  const out: string[] = [];
  for (const f of world.faults) if (f.clearedAt === null && isActive(f, world.t)) out.push(f.spec.id);
  return out;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

export function createSession(config: SessionConfig): Session {
  return new Session(config);
}
