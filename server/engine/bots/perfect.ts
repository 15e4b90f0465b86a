// The `perfect` bot: does what the scenario expects, at the speed of a practised human team.
// It reads the scenario's answer (expectations, root cause, resolvers, runbook, traps) but acts
// only through the same actions a team has, waits for what a team would wait for (a paged team to
// join, a rollback to finish, a cache to warm), and never springs a trap.
import type { ActionSpec, ResolverRefSpec } from '../actions/schema.ts';
import { isRemediation } from '../actions/remediation.ts';
import { parseDuration } from '../duration.ts';
import type { FaultSpec } from '../faults/schema.ts';
import type { Rng } from '../random.ts';
import type { ScenarioSpec } from '../scenario/schema.ts';
import type { RunbookLike, RunbookStepLike } from '../session/team.ts';
import type { TeamView } from '../session/view.ts';
import type { ServiceMetrics } from '../workload/world.ts';
import type { WorkloadSpec } from '../workload/schema.ts';
import type { Bot, BotContext, BotOptions } from './bot.ts';
import { actionResolves, resolverAction, resolversOfSpec, rootFaults, springsTrap, trapTriggers, type TrapTrigger } from './answer.ts';
import { actionEvents, between, clock, customerBurn, hasAccess, isPaged, minutes, ownerOf, targetOf, truncate } from './shared.ts';

/** A runbook step's wait, read from its prose ("wait until the hit ratio passes ~0.8"). */
export interface StepGate {
  service: string;
  metric: keyof ServiceMetrics;
  op: '>=' | '<=';
  value: number;
}

interface PlannedStep {
  n: number;
  run?: ActionSpec;
  gates: StepGate[];
}

interface RootFault {
  spec: FaultSpec;
  resolvers: ResolverRefSpec[];
  /** When the timeline injects it, if it does. */
  injectedAt: number | null;
  /** When it runs its course by itself (a timeline fault with a `duration`), if it does. */
  expiresAt: number | null;
}

const BURN_METRICS = new Set(['burn_rate_5m', 'burn_rate_1h', 'error_budget_burned_pct']);
/** Give up waiting on a runbook's prose gate after this long. */
const MAX_GATE_WAIT = 600;
/** Resolve anyway this long after the fix if alerts never go quiet (something else is red). */
const MAX_RECOVERY_WAIT = 900;
/** Without any alert, the team notices a fault this long after it began. */
const SILENT_NOTICE = 600;
/** How long after the fix a relevant warning alert still counts as "not recovered". */
const LINGERING_WARNING = 300;

export class PerfectBot implements Bot {
  readonly policy = 'perfect' as const;
  private readonly rng: Rng;
  private readonly scenario: ScenarioSpec;
  private readonly ic: string;
  private readonly ops: string;
  private readonly comms: string;
  private readonly traps: TrapTrigger[];
  private readonly roots: RootFault[];
  private readonly expected: Set<string>;
  private readonly rootService: string;
  private readonly severity: string;

  private planned: { steps: PlannedStep[]; runbook?: RunbookLike; relevant: Set<string> } | null = null;
  private rolesDone = false;
  private start: number | null = null;
  private readonly ackDelay = new Map<string, number>();
  private readonly observeAt: { at: number; service: string; view: 'metrics' | 'logs' | 'deploys' }[] = [];
  private observeNext = 0;
  private readonly pagedByMe = new Set<string>();
  private hypothesisDone = false;
  private runbookOpened = false;
  private stepIndex = 0;
  private nextStepAt = 0;
  private gateSince: number | null = null;
  private lastStep: { n: number; t: number; index: number; retries: number } | null = null;
  private readonly fallbackTried = new Map<string, number>();
  private updates: { t: number; audience: 'internal' | 'external' }[] = [];
  private quietSince: number | null = null;
  private okSince: number | null = null;
  private fixedAt: number | null = null;
  private mitigatedAt: number | null = null;
  private resolvedAt: number | null = null;

  constructor(options: BotOptions) {
    this.rng = options.rng;
    this.scenario = options.scenario;
    const people = options.people ?? ['Maya', 'Tomás', 'Ana'];
    [this.ic, this.ops, this.comms] = [people[0] ?? 'Maya', people[1] ?? people[0] ?? 'Tomás', people[2] ?? people[0] ?? 'Ana'];
    this.traps = trapTriggers(this.scenario);
    this.roots = rootFaults(this.scenario).map((spec) => {
      const entry = this.scenario.timeline.find((e) => e.inject?.id === spec.id);
      const injectedAt = entry ? parseDuration(entry.at) : null;
      const expiresAt = injectedAt !== null && spec.duration !== undefined ? injectedAt + parseDuration(spec.duration) : null;
      return { spec, resolvers: resolversOfSpec(spec), injectedAt, expiresAt };
    });
    const ex = this.scenario.expectations;
    this.expected = new Set(ex.detection.alerts);
    this.rootService = ex.detection.services[0] ?? this.roots[0]?.spec.service ?? '';
    this.severity = ex.escalation.severity;
  }

  next(ctx: BotContext): ActionSpec[] {
    const out: ActionSpec[] = [];
    const t = ctx.t;
    const v = ctx.view;
    const plan = (this.planned ??= this.plan(ctx));

    // Form the team before anything happens.
    if (!this.rolesDone) {
      this.rolesDone = true;
      const roles = v.incident.roles;
      if (!roles['incident-commander']) out.push({ action: 'assign-role', role: 'incident-commander', person: this.ic, actor: this.ic });
      if (!roles['ops-lead']) out.push({ action: 'assign-role', role: 'ops-lead', person: this.ops, actor: this.ic });
      if (!roles['comms-lead']) out.push({ action: 'assign-role', role: 'comms-lead', person: this.comms, actor: this.ic });
    }

    // The incident starts for the team when a signal it should react to fires.
    if (this.start === null) {
      const firing = v.alerts.filter((a) => a.state === 'firing' && (this.expected.has(a.id) || a.severity === 'critical'));
      // A fault that pages nobody is still noticed eventually (support tickets, a colleague's message).
      const injected = this.roots.flatMap((r) => (r.injectedAt === null ? [] : [r.injectedAt]));
      const noticed = injected.length > 0 && t >= Math.min(...injected) + SILENT_NOTICE;
      if (firing.length === 0 && !noticed) return out;
      this.start = firing.length ? Math.min(...firing.map((a) => a.firedAt ?? t)) : t;
      const s = this.start;
      this.observeAt.push({ at: s + 10, service: this.rootService, view: 'metrics' });
      this.observeAt.push({ at: s + 20, service: this.rootService, view: 'logs' });
      if (this.roots.some((r) => r.spec.kind === 'bad-deploy')) this.observeAt.push({ at: s + 25, service: this.rootService, view: 'deploys' });
      let k = 0;
      for (const service of this.scenario.expectations.detection.services.slice(1, 4)) this.observeAt.push({ at: s + 30 + 10 * k++, service, view: 'metrics' });
    }
    const start = this.start;

    this.acknowledge(v, t, out);

    while (this.observeNext < this.observeAt.length && this.observeAt[this.observeNext].at <= t) {
      const o = this.observeAt[this.observeNext++];
      if (v.services.some((s) => s.id === o.service)) out.push({ action: 'observe', service: o.service, view: o.view, actor: this.ops });
    }

    // Declare soon after the first alert, naming the root-cause service.
    if (v.incident.declaredAt === null && t >= start + 40 && this.resolvedAt === null) {
      out.push({
        action: 'declare',
        severity: this.severity as 'SEV1' | 'SEV2' | 'SEV3' | 'SEV4',
        summary: this.declareSummary(v),
        services: this.scenario.expectations.detection.services.slice(0, 32),
        actor: this.ic,
      });
      return out;
    }
    const declaredAt = v.incident.declaredAt;
    if (declaredAt === null) return out;

    // Page who the scenario expects, and whoever owns a service the fix has to touch.
    if (t >= declaredAt + 5) {
      for (const oncall of this.pagesNeeded(ctx)) {
        if (isPaged(v, oncall) || this.pagedByMe.has(oncall)) continue;
        this.pagedByMe.add(oncall);
        out.push({ action: 'page', oncall, reason: this.pageReason(v, oncall), actor: this.ic });
      }
    }

    if (!this.hypothesisDone && t >= declaredAt + 20) {
      this.hypothesisDone = true;
      out.push({ action: 'hypothesis', text: truncate(firstSentences(this.scenario.rootCause.summary, 2), 1000), actor: this.ic });
    }

    this.runbook(ctx, plan, declaredAt, out);
    // Once the runbook is done (and its last step has landed), fix whatever it did not.
    const runbookDone = !plan.runbook || (this.stepIndex >= plan.steps.length && (this.lastStep === null || t - this.lastStep.t >= 15));
    if (runbookDone) this.fallbackFix(ctx, out);
    this.communicate(ctx, declaredAt, out);
    this.recover(ctx, plan, out);
    return out;
  }

  // ---- detection ---------------------------------------------------------------------------

  private acknowledge(v: TeamView, t: number, out: ActionSpec[]): void {
    const players = v.playerTeams;
    for (const a of v.alerts) {
      if (a.state !== 'firing' || a.acknowledgedAt !== null || a.firedAt === null) continue;
      const ours = this.expected.has(a.id) || (a.severity === 'critical' && (players.length === 0 || players.includes(a.route)));
      if (!ours) continue;
      const key = `${a.id}@${a.firedAt}`;
      let delay = this.ackDelay.get(key);
      if (delay === undefined) {
        delay = between(this.rng, 25, 45);
        this.ackDelay.set(key, delay);
      }
      if (t >= a.firedAt + delay) out.push({ action: 'acknowledge', alert: a.id, actor: this.ops });
    }
  }

  // ---- escalation --------------------------------------------------------------------------

  private pagesNeeded(ctx: BotContext): string[] {
    const out = [...(this.scenario.expectations.escalation.page ?? [])];
    const players = ctx.view.playerTeams;
    if (players.length === 0) return out;
    const fixes: ActionSpec[] = [];
    for (const s of this.planned?.steps ?? []) if (s.run && !springsTrap(s.run, this.traps)) fixes.push(s.run);
    for (const r of this.roots) {
      const a = this.chooseResolver(r);
      if (a) fixes.push(a);
    }
    for (const a of fixes) {
      if (a.action === 'drain-zone') continue;
      const owner = ownerOf(ctx.workload, targetOf(a) ?? '');
      if (owner && !players.includes(owner) && !out.includes(owner)) out.push(owner);
    }
    return out;
  }

  private pageReason(v: TeamView, oncall: string): string {
    const theirs = v.services.filter((s) => s.team === oncall).map((s) => s.id);
    const involved = this.scenario.expectations.detection.services.filter((s) => theirs.includes(s));
    const firing = v.alerts.filter((a) => a.state === 'firing').map((a) => a.id).slice(0, 3);
    return truncate(
      `${this.severity} declared: ${firing.length ? firing.join(', ') + ' firing' : 'customer-facing errors'}; ` +
        `${involved.length ? `we need you on ${involved.join(', ')}` : 'we need your help'} (cause suspected in ${this.rootService}).`,
      300,
    );
  }

  // ---- runbook -----------------------------------------------------------------------------

  private runbook(ctx: BotContext, plan: NonNullable<PerfectBot['planned']>, declaredAt: number, out: ActionSpec[]): void {
    const rb = plan.runbook;
    if (!rb) return;
    const t = ctx.t;
    const v = ctx.view;
    if (!this.runbookOpened) {
      if (t < declaredAt + 10) return;
      this.runbookOpened = true;
      if (!v.incident.runbooks.some((r) => r.id === rb.id)) out.push({ action: 'open-runbook', runbook: rb.id, actor: this.ops });
      this.nextStepAt = t + between(this.rng, 8, 14);
      return;
    }
    // A step whose action was refused (no access yet, a rollback already running) is run again.
    if (this.lastStep && this.lastStep.retries < 6) {
      const refused = actionEvents(v.feed).find(
        (e) => e.via && e.via.runbook === rb.id && e.via.step === this.lastStep!.n && e.t >= this.lastStep!.t && !e.result.ok,
      );
      if (refused) {
        this.stepIndex = this.lastStep.index;
        this.lastStep = { ...this.lastStep, t: Infinity, retries: this.lastStep.retries + 1 };
        this.nextStepAt = t + 30;
      }
    }
    if (this.stepIndex >= plan.steps.length || t < this.nextStepAt) return;
    const step = plan.steps[this.stepIndex];
    if (step.run) {
      if (springsTrap(step.run, this.traps)) {
        // The runbook says to do something the scenario punishes: a careful team skips it.
        this.stepIndex++;
        return;
      }
      const target = targetOf(step.run);
      if (!hasAccess(v, ctx.workload, target)) {
        const owner = ownerOf(ctx.workload, target ?? '');
        if (owner && !isPaged(v, owner) && !this.pagedByMe.has(owner)) {
          this.pagedByMe.add(owner);
          out.push({ action: 'page', oncall: owner, reason: this.pageReason(v, owner), actor: this.ic });
        }
        return;
      }
    } else if (this.pendingUntil(v) > t - 15) {
      // Confirming steps wait until the change they confirm has landed.
      return;
    }
    if (step.gates.length) {
      this.gateSince ??= t;
      const open = step.gates.every((g) => gateHolds(v, g));
      if (!open && t - this.gateSince < MAX_GATE_WAIT) return;
    }
    this.gateSince = null;
    out.push({ action: 'run-step', runbook: rb.id, step: step.n, actor: this.ops });
    this.lastStep = { n: step.n, t, index: this.stepIndex, retries: this.lastStep?.index === this.stepIndex ? this.lastStep.retries : 0 };
    this.stepIndex++;
    this.nextStepAt = t + between(this.rng, 12, 20);
  }

  /** The latest completion time of a delayed remediation the team started (rollback, scale-out, renewal). */
  private pendingUntil(v: TeamView): number {
    const completed = new Set(v.feed.flatMap((e) => (e.type === 'action.completed' ? [e.ref] : [])));
    let until = -Infinity;
    for (const e of actionEvents(v.feed)) {
      if (e.result.ok && isRemediation(e.action) && e.result.completesAt !== undefined && !completed.has(e.seq)) until = Math.max(until, e.result.completesAt);
    }
    return until;
  }

  // ---- mitigation --------------------------------------------------------------------------

  /** A root fault's first resolver that springs no trap, as an action. */
  private chooseResolver(r: RootFault): ActionSpec | null {
    for (const ref of r.resolvers) {
      const a = resolverAction(ref, r.spec);
      if (a && !springsTrap(a, this.traps)) return a;
    }
    return null;
  }

  /** Which root faults a successful action of the team (direct or via a runbook step) has cleared, and when it lands. */
  private fixes(v: TeamView): Map<string, number> {
    const done = new Map<string, number>();
    const completedAt = new Map<number, number>();
    for (const e of v.feed) if (e.type === 'action.completed') completedAt.set(e.ref, e.t);
    for (const e of actionEvents(v.feed)) {
      if (!e.result.ok || !isRemediation(e.action)) continue;
      for (const r of this.roots) {
        if (done.has(r.spec.id) || !actionResolves(e.action, r.resolvers)) continue;
        const lands = e.result.completesAt === undefined ? e.t : (completedAt.get(e.seq) ?? Infinity);
        done.set(r.spec.id, lands);
      }
    }
    return done;
  }

  /** After the runbook (or without one): clear any root fault the runbook did not, with its resolver. */
  private fallbackFix(ctx: BotContext, out: ActionSpec[]): void {
    const v = ctx.view;
    const t = ctx.t;
    const fixes = this.fixes(v);
    for (const r of this.roots) {
      if (fixes.has(r.spec.id) || (r.expiresAt !== null && r.expiresAt <= t)) continue;
      const a = this.chooseResolver(r);
      if (!a) continue;
      const tried = this.fallbackTried.get(r.spec.id);
      if (tried !== undefined && t < tried + 30) continue;
      const target = targetOf(a);
      if (!hasAccess(v, ctx.workload, target)) {
        const owner = ownerOf(ctx.workload, target ?? '');
        if (owner && !isPaged(v, owner) && !this.pagedByMe.has(owner)) {
          this.pagedByMe.add(owner);
          out.push({ action: 'page', oncall: owner, reason: this.pageReason(v, owner), actor: this.ic });
        }
        continue;
      }
      this.fallbackTried.set(r.spec.id, t);
      out.push({ ...a, actor: this.ops } as ActionSpec);
    }
  }

  private recover(ctx: BotContext, plan: NonNullable<PerfectBot['planned']>, out: ActionSpec[]): void {
    const v = ctx.view;
    const t = ctx.t;
    if (this.resolvedAt !== null) return;
    const fixes = this.fixes(v);
    const allFixed = this.roots.every((r) => Math.min(fixes.get(r.spec.id) ?? Infinity, r.expiresAt ?? Infinity) <= t);
    if (!allFixed) {
      this.quietSince = null;
      return;
    }
    this.fixedAt ??= t;
    // A warning that lingers well after the fix (memory that only a restart would free) does not
    // hold the incident open while customers are fine; critical alerts always do.
    const noisy = v.alerts.some(
      (a) => a.state === 'firing' && plan.relevant.has(a.id) && (a.severity === 'critical' || t - this.fixedAt! < LINGERING_WARNING),
    );
    if (noisy) this.quietSince = null;
    else this.quietSince ??= t;
    if (customerBurn(v, ctx.workload) < 1) this.okSince ??= t;
    else this.okSince = null;
    const overdue = t - this.fixedAt >= MAX_RECOVERY_WAIT;
    const quiet = this.quietSince !== null && t - this.quietSince >= 60;
    const ok = this.okSince !== null && t - this.okSince >= 60;

    if (this.mitigatedAt === null) {
      if ((quiet && ok) || overdue) {
        this.mitigatedAt = t;
        out.push({ action: 'mark-mitigated', actor: this.ic });
        out.push({ action: 'status-update', audience: 'internal', text: this.mitigatedUpdate(v), actor: this.comms });
        this.updates.push({ t, audience: 'internal' });
      }
      return;
    }
    // Resolve once customers have been fine for a few minutes: the impact has surely ended by then.
    const settled = this.okSince !== null && t - this.okSince >= 270 && this.quietSince !== null;
    if (!(settled || overdue) || t < this.mitigatedAt + 60) return;
    if (!this.updates.some((u) => u.audience === 'external' && u.t >= this.mitigatedAt!)) {
      out.push({ action: 'status-update', audience: 'external', text: 'Customers can use the service normally again: we have fixed the cause of the errors. If something failed for you, please try again. We are sorry for the trouble.', actor: this.comms });
      this.updates.push({ t, audience: 'external' });
      return;
    }
    this.resolvedAt = t;
    out.push({ action: 'resolve', summary: truncate(this.scenario.rootCause.summary.replace(/\s+/g, ' ').trim(), 2000), actor: this.ic });
  }

  // ---- communication -----------------------------------------------------------------------

  private communicate(ctx: BotContext, declaredAt: number, out: ActionSpec[]): void {
    const t = ctx.t;
    const v = ctx.view;
    if (this.mitigatedAt !== null) return;
    const comm = this.scenario.expectations.communication;
    const cadence = parseDuration(comm?.cadence, parseDuration(comm?.firstUpdateWithin, 900));
    const internal = this.updates.filter((u) => u.audience === 'internal');
    const external = this.updates.filter((u) => u.audience === 'external');
    if (internal.length === 0) {
      if (t < declaredAt + 45) return;
      out.push({ action: 'status-update', audience: 'internal', text: this.canUpdate(ctx, cadence), actor: this.comms });
      this.updates.push({ t, audience: 'internal' });
      return;
    }
    if (external.length === 0 && t >= internal[0].t + 60) {
      out.push({
        action: 'status-update',
        audience: 'external',
        text: `Some customers are seeing errors or slow responses. We have identified the cause and are working on a fix. Next update in ${minutes(cadence)}.`,
        actor: this.comms,
      });
      this.updates.push({ t, audience: 'external' });
      return;
    }
    const last = internal[internal.length - 1].t;
    if (t >= last + Math.max(120, cadence - 120)) {
      out.push({ action: 'status-update', audience: 'internal', text: this.canUpdate(ctx, cadence), actor: this.comms });
      this.updates.push({ t, audience: 'internal' });
    }
  }

  private declareSummary(v: TeamView): string {
    const firing = v.alerts.filter((a) => a.state === 'firing' && this.expected.has(a.id)).map((a) => a.summary.replace(/\.$/, ''));
    const what = firing.length ? firing.slice(0, 2).join('; ') : 'customer-facing errors';
    return truncate(`${what} — cause suspected in ${this.rootService}.`, 500);
  }

  private canUpdate(ctx: BotContext, cadence: number): string {
    const v = ctx.view;
    const firing = v.alerts.filter((a) => a.state === 'firing').map((a) => a.id);
    const since = this.start ?? ctx.t;
    const actions: string[] = [];
    for (const e of actionEvents(v.feed)) {
      if (!e.result.ok || !isRemediation(e.action)) continue;
      actions.push(`${e.action.action}${targetOf(e.action) ? ' ' + targetOf(e.action) : ''} at ${clock(e.t)}`);
    }
    const runbook = v.incident.runbooks[0];
    if (runbook) actions.unshift(`following runbook ${runbook.id}`);
    const waiting = v.incident.paged.filter((p) => p.joinedAt === null).map((p) => p.oncall);
    const needs = waiting.length ? `${waiting.join(', ')} to join the bridge` : 'nothing from other teams right now';
    return truncate(
      `Condition: ${this.severity} since ${clock(since)} — ${firing.length ? firing.join(', ') + ' firing' : 'errors subsiding'}; ` +
        `cause suspected in ${this.rootService}. Actions: ${actions.length ? actions.join('; ') : 'investigating'}. ` +
        `Needs: ${needs}. Next update in ${minutes(cadence)}.`,
      2000,
    );
  }

  private mitigatedUpdate(v: TeamView): string {
    const fixes: string[] = [];
    for (const e of actionEvents(v.feed)) {
      if (e.result.ok && isRemediation(e.action) && this.roots.some((r) => actionResolves(e.action, r.resolvers))) {
        fixes.push(`${e.action.action}${targetOf(e.action) ? ' ' + targetOf(e.action) : ''} at ${clock(e.t)}`);
      }
    }
    return truncate(
      `Condition: mitigated — alerts have cleared and error rates are back to normal. ` +
        `Actions: ${fixes.length ? fixes.join('; ') : 'fix applied'}. Needs: a post-incident review of ${this.rootService}.`,
      2000,
    );
  }

  // ---- planning ----------------------------------------------------------------------------

  private plan(ctx: BotContext): { steps: PlannedStep[]; runbook?: RunbookLike; relevant: Set<string> } {
    const relevant = new Set<string>();
    const services = new Set(this.scenario.expectations.detection.services);
    for (const a of ctx.view.alerts) {
      if (BURN_METRICS.has(a.metric)) continue;
      if (this.expected.has(a.id) || services.has(a.service)) relevant.add(a.id);
    }
    const want = this.scenario.expectations.runbook;
    const runbook = want ? ctx.runbooks.get(want.id) : undefined;
    if (!want || !runbook) return { steps: [], relevant };
    const numbers = want.steps ?? runbook.steps.map((s) => s.n);
    const steps: PlannedStep[] = [];
    let previous = 0;
    for (const n of numbers) {
      const step = runbook.steps.find((s) => s.n === n);
      if (!step) continue;
      const run = step.directive?.type === 'run' ? step.directive.action : undefined;
      // Waits written in the steps since the previous planned one gate this step.
      const gates: StepGate[] = [];
      for (const s of runbook.steps) {
        if (s.n < previous || s.n >= n || previous === 0) continue;
        const gate = parseGate(s, runbook, ctx.workload);
        if (gate) gates.push(gate);
      }
      steps.push({ n, ...(run ? { run } : {}), gates });
      previous = n;
    }
    return { steps, runbook, relevant };
  }
}

const GATE_METRICS: [RegExp, keyof ServiceMetrics][] = [
  [/hit ratio/i, 'cache_hit_ratio'],
  [/saturation/i, 'saturation'],
  [/error rate/i, 'error_rate'],
  [/\bcpu\b/i, 'cpu'],
  [/pool/i, 'pool_utilisation'],
];

/**
 * Reads a wait from a step's prose: "Wait for the hit ratio to pass ~0.6", "Wait until the hit
 * ratio passes ~0.8 before the next step". The metric's service is the one the runbook checks it on.
 */
export function parseGate(step: RunbookStepLike, runbook: RunbookLike, workload: WorkloadSpec): StepGate | null {
  const body = (step as RunbookStepLike & { body?: string }).body;
  if (!body) return null;
  for (const sentence of body.split(/(?<=\.)\s+/)) {
    if (!/\bwait\b/i.test(sentence)) continue;
    const m = /\b(pass(?:es)?|reach(?:es)?|above|over|exceeds?|climbs? past|below|under|falls? (?:back )?(?:below|under))\s*~?\s*(\d*\.?\d+)\s*(%)?/i.exec(sentence);
    if (!m) continue;
    const metric = GATE_METRICS.find(([re]) => re.test(sentence.slice(0, m.index)))?.[1];
    if (!metric) continue;
    const value = Number(m[2]) / (m[3] ? 100 : 1);
    const op = /below|under/i.test(m[1]) ? '<=' : '>=';
    // The service: the latest step at or before this one that checks this metric, else a runbook service of the right kind.
    let service: string | undefined;
    for (const s of runbook.steps) {
      const d = s.directive;
      if (s.n <= step.n && d?.type === 'check' && d.what === 'metric' && d.metric === metric && d.service) service = d.service;
    }
    if (!service && metric === 'cache_hit_ratio') {
      service = (runbook.services ?? []).find((id) => workload.services.find((s) => s.id === id)?.kind === 'cache');
    }
    if (service) return { service, metric, op, value };
  }
  return null;
}

function gateHolds(v: TeamView, g: StepGate): boolean {
  const s = v.services.find((x) => x.id === g.service);
  if (!s) return true;
  const x = s.metrics[g.metric];
  return g.op === '>=' ? x >= g.value : x <= g.value;
}

function firstSentences(text: string, n: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const parts = flat.split(/(?<=[.!?])\s+/);
  return parts.slice(0, n).join(' ');
}
