// Scoring: a pure function of the event log and the scenario's expectations. Recomputing it from a
// stored log gives the same result, so a scoring fix can rescore old game days. Every point gained
// or lost is a finding with a reason and a time. docs/scoring.md explains each rule.
import { formatClock, parseDuration } from '../duration.ts';
import type { ScenarioSpec } from '../scenario/schema.ts';
import type { SessionEvent } from '../session/events.ts';
import type { ActionSpec } from '../actions/schema.ts';
import { REMEDIATIONS } from '../actions/schema.ts';

export const DIMENSIONS = ['detection', 'escalation', 'runbook', 'mitigation', 'communication'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

export const DEFAULT_WEIGHTS: Record<Dimension, number> = { detection: 20, escalation: 20, runbook: 15, mitigation: 30, communication: 15 };

/** Practice sessions: what an unanswered (or late) request for an update from the comms bot costs, at most COMMS_CAP in all. */
export const COMMS_UNANSWERED = 5;
export const COMMS_LATE = 2;
export const COMMS_PROMPT = 120;
export const COMMS_CAP = 15;

/** Targets used when a scenario does not set its own. */
export const DEFAULT_TARGETS = { ackWithin: 300, declareWithin: 600, pageWithin: 900, firstUpdateWithin: 900, cadence: 900 };

export interface Finding {
  dimension: Dimension | 'hints';
  /** The most this rule can give (0 for a pure penalty): how much of it the team kept is points / max. */
  max: number;
  /** Simulated time the finding is about, or null when it is about something that never happened. */
  t: number | null;
  points: number;
  text: string;
}

export interface DimensionScore {
  score: number;
  weight: number;
  findings: Finding[];
}

export interface ScoreMetrics {
  ttaSeconds: number | null;
  ttdSeconds: number | null;
  ttmSeconds: number | null;
  ttrSeconds: number | null;
  errorBudgetBurnedPct: number | null;
}

export interface TeamScore {
  team: string;
  total: number;
  dimensions: Record<Dimension, DimensionScore>;
  metrics: ScoreMetrics;
  hints: { count: number; cost: number };
  trapsSprung: number;
  findings: Finding[];
}

type ActionEvent = Extract<SessionEvent, { type: 'action' }>;

const SEVERITY_RANK: Record<string, number> = { SEV1: 1, SEV2: 2, SEV3: 3, SEV4: 4 };

const clock = (t: number) => 'T+' + formatClock(t);
const span = (s: number) => formatClock(s);

/** Points that fall linearly from `full` at the target to 0 at three times the target. */
export function timeliness(elapsed: number, target: number, full: number): number {
  if (elapsed <= target) return full;
  const late = (elapsed - target) / (2 * target);
  return Math.max(0, Math.round(full * (1 - late)));
}

class Ledger {
  findings: Finding[] = [];
  constructor(readonly dimension: Dimension) {}
  add(t: number | null, points: number, text: string, max: number): void {
    this.findings.push({ dimension: this.dimension, max, t, points, text: `${text}: ${points >= 0 ? '+' : '−'}${Math.abs(points)}` });
  }
  total(): number {
    return Math.max(0, Math.min(100, this.findings.reduce((a, f) => a + f.points, 0)));
  }
}

/** The runbook facts scoring needs: which steps there are and what each one checks or runs. */
export type RunbookIndex = ReadonlyMap<string, { steps: readonly { n: number; directive?: { type: string; service?: string; action?: unknown } }[] }>;

/** Scores one team of a session from its event log (and the runbooks, to know their steps). */
export function scoreTeam(events: readonly SessionEvent[], scenario: ScenarioSpec, team: string, runbooks?: RunbookIndex): TeamScore {
  const ev = events.filter((e) => e.team === team);
  const x = scenario.expectations;
  const roots = new Set(scenario.rootCause.faults);
  const onset = ev.find((e) => e.type === 'fault.injected' && roots.has(e.fault))?.t ?? null;
  const end = ev.find((e) => e.type === 'team.ended')?.t ?? ev[ev.length - 1]?.t ?? 0;
  const okActions = ev.filter((e): e is ActionEvent => e.type === 'action' && e.result.ok);
  const actionsOf = <K extends ActionSpec['action']>(kind: K) =>
    okActions.filter((e) => e.action.action === kind) as (ActionEvent & { action: Extract<ActionSpec, { action: K }> })[];
  const mitigatedAt = ev.find((e) => e.type === 'team.mitigated')?.t ?? null;
  const resolvedAt = ev.find((e) => e.type === 'team.resolved')?.t ?? null;
  const declare = actionsOf('declare')[0];
  const relevantAlerts = new Set(x.detection.alerts);
  const keyServices = new Set([...x.detection.services, ...scenario.timeline.filter((t) => t.inject && roots.has(t.inject.id)).map((t) => t.inject!.service)]);
  const from = onset ?? 0;
  // Credit for restraint (not paging needlessly, no harmful actions) only counts for a team that engaged.
  const engaged = declare !== undefined || okActions.some((e) => (REMEDIATIONS as readonly string[]).includes(e.action.action));

  // ── detection ──────────────────────────────────────────────────────────────────────────────
  const detection = new Ledger('detection');
  let tta: number | null = null;
  const firings = ev.filter((e): e is SessionEvent & { type: 'alert.firing' } => e.type === 'alert.firing');
  const relevantFirings = firings.filter((e) => relevantAlerts.has(e.alert));
  const watched = relevantFirings.length ? relevantFirings : firings;
  const watchedIds = new Set(watched.map((e) => e.alert));
  const ack = actionsOf('acknowledge').find((a) => watchedIds.has(a.action.alert));
  const ackTarget = parseDuration(x.detection.ackWithin, DEFAULT_TARGETS.ackWithin);
  if (watched.length === 0) {
    if (declare) detection.add(declare.t, 50, `No alert fired; the team spotted the incident itself and declared at ${clock(declare.t)}`, 50);
    else detection.add(null, 0, 'No alert fired and no incident was declared', 50);
  } else if (ack) {
    const fired = [...watched].reverse().find((f) => f.alert === ack.action.alert && f.t <= ack.t) ?? watched[0];
    tta = ack.t - fired.t;
    const points = timeliness(tta, ackTarget, 50);
    const note = !relevantAlerts.has(ack.action.alert) && relevantFirings.length === 0 ? ' (none of the expected alerts fired)' : '';
    detection.add(ack.t, points, `Acknowledged ${ack.action.alert} at ${clock(ack.t)}, ${span(tta)} after it fired (target ${span(ackTarget)})${note}`, 50);
  } else {
    detection.add(watched[0].t, 0, `${watched[0].alert} fired at ${clock(watched[0].t)} and was never acknowledged`, 50);
  }
  let ttd: number | null = null;
  const declareTarget = parseDuration(x.detection.declareWithin, DEFAULT_TARGETS.declareWithin);
  if (declare) {
    ttd = Math.max(0, declare.t - from);
    const named = (declare.action.services ?? []).some((s) => keyServices.has(s)) || [...keyServices].some((s) => declare.action.summary.includes(s));
    const points = timeliness(ttd, declareTarget, 35);
    if (named) detection.add(declare.t, points, `Declared at ${clock(declare.t)}, ${span(ttd)} after the fault began, naming ${[...keyServices].find((s) => (declare.action.services ?? []).includes(s) || declare.action.summary.includes(s))} (target ${span(declareTarget)})`, 35);
    else detection.add(declare.t, Math.round(points * 0.6), `Declared at ${clock(declare.t)} (${span(ttd)} after onset) without naming an affected service (${[...keyServices].join(', ')})`, 35);
  } else {
    detection.add(null, 0, 'Never declared an incident', 35);
  }
  // What the team looked at: dashboards and logs (observe), and runbook checks of a service.
  const looked: { t: number; service: string }[] = [];
  for (const e of okActions) {
    if (e.action.action === 'observe') looked.push({ t: e.t, service: e.action.service });
    if (e.action.action === 'run-step') {
      const { runbook, step } = e.action;
      const d = runbooks?.get(runbook)?.steps.find((s) => s.n === step)?.directive;
      if (d?.type === 'check' && d.service) looked.push({ t: e.t, service: d.service });
    }
  }
  const cause = x.detection.services[0];
  const beforeFix = (t: number) => mitigatedAt === null || t <= mitigatedAt;
  const lookedAtCause = looked.find((l) => l.service === cause && beforeFix(l.t));
  const lookedAtCauseLate = looked.find((l) => l.service === cause);
  const lookedAtOther = looked.find((l) => l.service !== cause && keyServices.has(l.service) && beforeFix(l.t));
  if (lookedAtCause) detection.add(lookedAtCause.t, 15, `Investigated ${cause}, where the cause was, at ${clock(lookedAtCause.t)}`, 15);
  else if (lookedAtOther) detection.add(lookedAtOther.t, 8, `Investigated ${lookedAtOther.service} but not ${cause}, where the cause was`, 15);
  else if (lookedAtCauseLate) detection.add(lookedAtCauseLate.t, 8, `Looked at ${cause}, where the cause was, only after mitigation (${clock(lookedAtCauseLate.t)})`, 15);
  else detection.add(null, 0, `Never looked at ${cause}, where the cause was`, 15);

  // ── escalation (with incident command) ─────────────────────────────────────────────────────
  const escalation = new Ledger('escalation');
  const expectedSev = SEVERITY_RANK[x.escalation.severity];
  if (declare) {
    const changes = actionsOf('set-severity').filter((e) => mitigatedAt === null || e.t <= mitigatedAt);
    const sev = changes.length ? changes[changes.length - 1].action.severity : declare.action.severity;
    const diff = SEVERITY_RANK[sev] - expectedSev;
    if (diff === 0) escalation.add(declare.t, 35, `Severity ${sev}, as expected`, 35);
    else if (diff === -1) escalation.add(declare.t, 25, `Severity ${sev} for a ${x.escalation.severity} incident: over-classified, the safer mistake`, 35);
    else if (diff === 1) escalation.add(declare.t, 10, `Severity ${sev} for a ${x.escalation.severity} incident: under-classified — pick the severity from customer impact`, 35);
    else escalation.add(declare.t, 0, `Severity ${sev} for a ${x.escalation.severity} incident: ${diff > 0 ? 'far too low' : 'far too high'}`, 35);
  } else {
    escalation.add(null, 0, `No incident declared, so no severity (expected ${x.escalation.severity})`, 35);
  }
  const roles = actionsOf('assign-role');
  const ic = roles.find((r) => r.action.role === 'incident-commander');
  const firstSignal = Math.min(watched[0]?.t ?? Infinity, declare?.t ?? Infinity, from + 300);
  if (ic && ic.t <= firstSignal + 300) escalation.add(ic.t, 15, `${ic.action.person} named incident commander at ${clock(ic.t)}`, 15);
  else if (ic) escalation.add(ic.t, 8, `Incident commander named late, at ${clock(ic.t)}`, 15);
  else escalation.add(null, 0, 'No incident commander named', 15);
  const pageTarget = parseDuration(x.escalation.within, DEFAULT_TARGETS.pageWithin);
  const expectedPages = x.escalation.page ?? [];
  const pages = actionsOf('page');
  const players = new Set(scenario.players?.teams ?? []);
  if (expectedPages.length === 0) {
    if (engaged) escalation.add(null, 30, 'No other team needed paging', 30);
    else escalation.add(null, 0, 'The team never engaged, so there is no credit for restraint in paging', 30);
  } else {
    // 30 points shared out in whole points that add up to exactly 30.
    const n = expectedPages.length;
    expectedPages.forEach((oncall, i) => {
      const share = Math.floor(30 / n) + (i < 30 % n ? 1 : 0);
      const p = pages.find((e) => e.action.oncall === oncall);
      if (!p) escalation.add(null, 0, `Never paged ${oncall}`, share);
      else if (p.t - from <= pageTarget) escalation.add(p.t, share, `Paged ${oncall} at ${clock(p.t)}, ${span(Math.max(0, p.t - from))} after onset (target ${span(pageTarget)})`, share);
      else escalation.add(p.t, Math.floor(share / 2), `Paged ${oncall} late, ${span(p.t - from)} after onset (target ${span(pageTarget)})`, share);
    });
  }
  const needless = pages.filter((p) => !expectedPages.includes(p.action.oncall) && !players.has(p.action.oncall));
  if (needless.length >= 3) escalation.add(needless[0].t, -Math.min(30, 8 * needless.length), `Paged ${needless.length} teams that had no part in this (${needless.map((p) => p.action.oncall).join(', ')}): paging everyone wakes people for nothing`, 0);
  else for (const p of needless) escalation.add(p.t, -8, `Paged ${p.action.oncall}, which had no part in this`, 0);
  const icPerson = ic?.action.person;
  const helpers = roles.filter((r) => r.action.role !== 'incident-commander' && r.action.person !== icPerson);
  if (helpers.length) escalation.add(helpers[0].t, 10, `Tasks handed to named people (${[...new Set(helpers.map((h) => `${h.action.person} as ${h.action.role}`))].join(', ')})`, 10);
  else if (icPerson) escalation.add(null, 0, 'No ops or comms lead named: the incident commander carried everything', 10);
  else escalation.add(null, 0, 'No roles handed out', 10);
  const remediations = okActions.filter((e) => (REMEDIATIONS as readonly string[]).includes(e.action.action));
  const withActor = remediations.filter((e) => e.action.actor);
  const byIc = withActor.filter((e) => icPerson && e.action.actor === icPerson);
  if (!icPerson) escalation.add(null, 0, 'Without an incident commander, nobody coordinated', 10);
  else if (!engaged) escalation.add(null, 0, 'An incident commander was named but the team never engaged: nothing to coordinate', 10);
  else if (byIc.length >= 2 && byIc.length * 2 > withActor.length) escalation.add(byIc[0].t, 0, `The incident commander ran ${byIc.length} of ${withActor.length} remediations instead of coordinating`, 10);
  else escalation.add(null, 10, 'The incident commander coordinated and left the hands-on work to others', 10);

  // ── runbook use ────────────────────────────────────────────────────────────────────────────
  const runbook = new Ledger('runbook');
  let runbookWeight = x.weights?.runbook ?? DEFAULT_WEIGHTS.runbook;
  const rb = x.runbook;
  if (!rb) {
    runbookWeight = 0;
    runbook.add(null, 100, 'No runbook expected in this scenario (not counted)', 100);
  } else {
    const opened = okActions.find((e) => (e.action.action === 'open-runbook' || e.action.action === 'run-step') && e.action.runbook === rb.id);
    if (!opened) runbook.add(null, 0, `Never opened the ${rb.id} runbook`, 30);
    else if (opened.t - from <= 600) runbook.add(opened.t, 30, `Opened ${rb.id} at ${clock(opened.t)}`, 30);
    else runbook.add(opened.t, 15, `Opened ${rb.id} late, at ${clock(opened.t)}`, 30);
    const steps = actionsOf('run-step').filter((e) => e.action.runbook === rb.id && !e.via);
    const expected = rb.steps ?? runbooks?.get(rb.id)?.steps.map((s) => s.n) ?? [...new Set(steps.map((s) => s.action.step))].sort((a, b) => a - b);
    const firstRun = new Map<number, number>();
    for (const s of steps) if (!firstRun.has(s.action.step)) firstRun.set(s.action.step, s.t);
    const covered = expected.filter((n) => firstRun.has(n));
    if (expected.length) {
      const points = Math.round((50 * covered.length) / expected.length);
      const missing = expected.filter((n) => !firstRun.has(n));
      runbook.add(steps[0]?.t ?? null, points, `Ran ${covered.length} of ${expected.length} expected steps of ${rb.id}${missing.length ? ` (skipped ${missing.join(', ')})` : ''}`, 50);
      const order = covered.map((n) => firstRun.get(n)!);
      if (order.some((t, i) => i > 0 && t < order[i - 1])) runbook.add(null, -10, 'Ran the steps out of order', 0);
    } else {
      runbook.add(null, 0, `Ran no step of ${rb.id}`, 50);
    }
    const counts = new Map<number, number>();
    for (const s of steps) counts.set(s.action.step, (counts.get(s.action.step) ?? 0) + 1);
    const repeats = [...counts].filter(([, c]) => c > 1);
    if (repeats.length) runbook.add(null, -Math.min(15, 5 * repeats.reduce((a, [, c]) => a + c - 1, 0)), `Repeated steps ${repeats.map(([n, c]) => `${n} (×${c})`).join(', ')}`, 0);
    const clearing = new Set(ev.filter((e) => e.type === 'fault.cleared' && roots.has(e.fault)).map((e) => (e.type === 'fault.cleared' ? e.actionSeq : null)));
    const adhoc = remediations.filter((e) => !e.via && !clearing.has(e.seq));
    const deduction = Math.min(20, adhoc.length * 5);
    if (adhoc.length) runbook.add(adhoc[0].t, 20 - deduction, `${adhoc.length} ad-hoc remediation${adhoc.length > 1 ? 's' : ''} outside the runbook that did not fix the cause (${adhoc.slice(0, 4).map((a) => describeAction(a.action)).join('; ')})`, 20);
    else if (engaged) runbook.add(null, 20, 'No ad-hoc remediations that contradict the runbook', 20);
    else runbook.add(null, 0, 'No remediation at all', 20);
  }

  // ── mitigation ─────────────────────────────────────────────────────────────────────────────
  const mitigation = new Ledger('mitigation');
  const within = parseDuration(x.mitigation.within);
  let ttm: number | null = null;
  let ttr: number | null = null;
  if (mitigatedAt !== null) {
    ttm = Math.max(0, mitigatedAt - from);
    mitigation.add(mitigatedAt, timeliness(ttm, within, 50), `Mitigated at ${clock(mitigatedAt)}, ${span(ttm)} after the fault began (target ${span(within)})`, 50);
  } else {
    const causeCleared = onset !== null && [...roots].every((id) => ev.some((e) => (e.type === 'fault.cleared' || e.type === 'fault.expired') && e.fault === id));
    mitigation.add(null, 0, onset === null ? 'The fault never began' : causeCleared ? 'The cause was cleared, but customers still saw errors at the end' : 'Never mitigated: the cause was still active at the end', 50);
  }
  if (resolvedAt !== null) {
    ttr = Math.max(0, resolvedAt - from);
    mitigation.add(resolvedAt, ttr <= within + 900 ? 10 : 5, `Resolved at ${clock(resolvedAt)}, ${span(ttr)} after onset`, 10);
  } else {
    mitigation.add(null, 0, 'Never resolved', 10);
  }
  const premature = actionsOf('resolve').filter((e) => e.result.ok && e.result.data?.premature === true);
  if (premature.length) mitigation.add(premature[0].t, -5, `Resolved at ${clock(premature[0].t)} while the cause was still active`, 0);
  const slo = ev.find((e): e is Extract<SessionEvent, { type: 'slo.report' }> => e.type === 'slo.report');
  const burned = slo && slo.slos.length ? Math.max(...slo.slos.map((s) => s.burnedPct)) : null;
  if (burned !== null) {
    const points = Math.max(0, Math.round(20 * (1 - burned / 5)));
    mitigation.add(end, points, `${burned.toFixed(2)}% of the monthly error budget burned (0% keeps all 20 points, 5% or more loses them)`, 20);
  } else {
    const impact = impactSeconds(ev, end);
    mitigation.add(end, Math.max(0, Math.round(20 * (1 - impact / 1800))), `Customers saw errors for ${span(impact)}`, 20);
  }
  const traps = ev.filter((e): e is Extract<SessionEvent, { type: 'trap.sprung' }> => e.type === 'trap.sprung');
  let clean = 20;
  const trapFindings: [number, number, string][] = [];
  for (const trap of traps) {
    clean -= 15;
    trapFindings.push([trap.t, -15, `Trap at ${clock(trap.t)}: ${trap.text}`]);
  }
  const wasted = ev.filter((e): e is ActionEvent => e.type === 'action' && !e.result.ok && (REMEDIATIONS as readonly string[]).includes(e.action.action));
  if (wasted.length) {
    const cost = Math.min(10, 3 * wasted.length);
    clean -= cost;
    trapFindings.push([wasted[0].t, -cost, `${wasted.length} remediation${wasted.length > 1 ? 's' : ''} refused (${wasted.slice(0, 3).map((w) => (w.result.ok ? '' : w.result.message)).join('; ')})`]);
  }
  if (engaged) {
    mitigation.add(null, 20, 'Starting allowance for harm-free remediation', 20);
    for (const [t, p, text] of trapFindings) mitigation.add(t, p, text, 0);
    if (clean === 20) mitigation.findings[mitigation.findings.length - 1].text = 'No trap sprung and no action wasted: +20';
  } else {
    mitigation.add(null, 0, 'No remediation attempted, so no credit for harm-free remediation', 20);
  }

  // ── communication ──────────────────────────────────────────────────────────────────────────
  const communication = new Ledger('communication');
  const updates = actionsOf('status-update');
  const firstTarget = parseDuration(x.communication?.firstUpdateWithin, DEFAULT_TARGETS.firstUpdateWithin);
  const cadence = parseDuration(x.communication?.cadence, DEFAULT_TARGETS.cadence);
  if (updates.length) {
    const first = updates[0];
    const after = Math.max(0, first.t - from);
    communication.add(first.t, timeliness(after, firstTarget, 40), `First status update at ${clock(first.t)}, ${span(after)} after onset (target ${span(firstTarget)})`, 40);
    // Intervals of `cadence` from onset to resolution: each needs an update, so a late first update
    // leaves the early intervals empty.
    const stop = resolvedAt ?? end;
    const windows = Math.max(1, Math.ceil((stop - from) / cadence));
    let met = 0;
    for (let w = 0; w < windows; w++) {
      const a = from + w * cadence;
      if (updates.some((u) => u.t >= a && u.t < a + cadence) || (w === windows - 1 && updates.some((u) => u.t >= a))) met++;
    }
    communication.add(null, Math.round((20 * met) / windows), `Updates kept the ${span(cadence)} cadence in ${met} of ${windows} intervals`, 20);
  } else {
    communication.add(null, 0, 'No status update was posted', 40);
    communication.add(null, 0, 'No update cadence', 20);
  }
  const resolveAction = actionsOf('resolve').find((e) => e.result.ok && e.result.data?.premature !== true);
  // The closing update may come once the cause is gone (or mitigation recorded), whichever is first.
  const clearedTimes = [...roots].map((id) => ev.find((e) => (e.type === 'fault.cleared' || e.type === 'fault.expired') && e.fault === id)?.t);
  const causeClearedAt = clearedTimes.every((x) => x !== undefined) && clearedTimes.length ? Math.max(...(clearedTimes as number[])) : null;
  const calmAt = Math.min(mitigatedAt ?? Infinity, causeClearedAt ?? Infinity, resolvedAt ?? Infinity);
  const calm = Number.isFinite(calmAt) ? calmAt : null;
  // A closing update is one more than the first: a single late update cannot be both.
  const closing = resolvedAt !== null && calm !== null ? updates.find((u, i) => i > 0 && u.t >= calm - 60 && u.t <= resolvedAt + 600) : undefined;
  if (closing) communication.add(closing.t, 15, `Posted a closing update at ${clock(closing.t)}`, 15);
  else if (resolveAction && (resolveAction.action.summary ?? '').length >= 30) communication.add(resolveAction.t, 15, 'Resolved with a written summary', 15);
  else communication.add(null, 0, 'No summary at resolution', 15);
  if (updates.length) {
    const can = updates.filter((u) => canElements(u.action.text) >= 2);
    communication.add(null, Math.round((25 * can.length) / updates.length), `${can.length} of ${updates.length} updates say Condition, Actions and Needs (CAN)`, 25);
  } else {
    communication.add(null, 0, 'No updates to judge for CAN form', 25);
  }
  const impacted = ev.some((e) => e.type === 'impact.started');
  if (impacted && !updates.some((u) => u.action.audience === 'external')) communication.add(null, -10, 'Customers were affected but no external update was posted', 0);
  // Practice sessions: the comms bot's requests for an update (none in a game day).
  let commsCost = 0;
  for (const r of ev.filter((e): e is Extract<SessionEvent, { type: 'comms.requested' }> => e.type === 'comms.requested')) {
    const answer = ev.find((e): e is Extract<SessionEvent, { type: 'comms.answered' }> => e.type === 'comms.answered' && e.request === r.request);
    const cost = !answer ? COMMS_UNANSWERED : answer.after > COMMS_PROMPT ? COMMS_LATE : 0;
    const points = -Math.min(cost, COMMS_CAP - commsCost);
    commsCost -= points;
    if (!answer) communication.add(r.t, points, `${r.by} asked for a status update at ${clock(r.t)} and got no answer`, 0);
    else if (cost) communication.add(answer.t, points, `Answered ${r.by}'s request for an update late, ${span(answer.after)} after it (answer within ${span(COMMS_PROMPT)})`, 0);
    else communication.add(answer.t, 0, `Answered ${r.by}'s request for an update ${span(answer.after)} after it`, 0);
  }

  // ── total ──────────────────────────────────────────────────────────────────────────────────
  const w = { ...DEFAULT_WEIGHTS, ...(x.weights ?? {}), runbook: runbookWeight };
  const ledgers = { detection, escalation, runbook, mitigation, communication };
  const dimensions = Object.fromEntries(
    DIMENSIONS.map((d) => [d, { score: ledgers[d].total(), weight: w[d], findings: ledgers[d].findings }]),
  ) as Record<Dimension, DimensionScore>;
  const weightSum = DIMENSIONS.reduce((a, d) => a + w[d], 0);
  const weighted = weightSum > 0 ? DIMENSIONS.reduce((a, d) => a + dimensions[d].score * w[d], 0) / weightSum : 0;
  const hints = ev.filter((e): e is Extract<SessionEvent, { type: 'hint.released' }> => e.type === 'hint.released');
  const hintCost = hints.reduce((a, h) => a + h.cost, 0);
  const hintFindings: Finding[] = hints.map((h) => ({ dimension: 'hints', max: 0, t: h.t, points: -h.cost, text: `${h.source === 'requested' ? 'Hint asked for' : 'Hint'} at ${clock(h.t)} ("${h.text.length > 60 ? h.text.slice(0, 57) + '…' : h.text}"): −${h.cost}` }));
  const total = Math.max(0, Math.min(100, Math.round(weighted - hintCost)));
  const findings = [...DIMENSIONS.flatMap((d) => dimensions[d].findings), ...hintFindings];
  return {
    team,
    total,
    dimensions,
    metrics: { ttaSeconds: tta, ttdSeconds: ttd, ttmSeconds: ttm, ttrSeconds: ttr, errorBudgetBurnedPct: burned },
    hints: { count: hints.length, cost: hintCost },
    trapsSprung: traps.length,
    findings,
  };
}

/** How many of Condition, Actions and Needs an update covers (labels count; so do plain words). */
export function canElements(text: string): number {
  const t = text.toLowerCase();
  const condition = /\b(condition|impact|customers?|users?|errors?|failing|down|degraded|slow|latency)\b|\d+\s*%/.test(t);
  const actions = /\b(actions?|rolling back|rolled back|restart\w*|investigat\w*|mitigat\w*|fix\w*|disabled|enabled|failing over|renew\w*)\b|\bwe(?: are| have|['\u2019]re|['\u2019]ve)\b/.test(t);
  const needs = /\b(needs?|asks?|help|eta|next update|waiting (for|on)|requests?)\b/.test(t);
  return Number(condition) + Number(actions) + Number(needs);
}

function impactSeconds(ev: SessionEvent[], end: number): number {
  let total = 0;
  let since: number | null = null;
  for (const e of ev) {
    if (e.type === 'impact.started') since = e.t;
    if (e.type === 'impact.ended' && since !== null) {
      total += e.t - since;
      since = null;
    }
  }
  return since !== null ? total + (end - since) : total;
}

function describeAction(a: ActionSpec): string {
  const target = 'service' in a ? ` ${a.service}` : 'zone' in a ? ` zone ${a.zone}` : '';
  return `${a.action}${target}`;
}

export interface LeaderboardRow {
  rank: number;
  team: string;
  total: number;
  ttmSeconds: number | null;
}

/** Every team of a session, best first; equal totals share a rank and are broken by time to mitigate. */
export function leaderboard(events: readonly SessionEvent[], scenario: ScenarioSpec, teams: string[], runbooks?: RunbookIndex): { rows: LeaderboardRow[]; scores: TeamScore[] } {
  const scores = teams.map((t) => scoreTeam(events, scenario, t, runbooks));
  const sorted = [...scores].sort((a, b) => b.total - a.total || (a.metrics.ttmSeconds ?? Infinity) - (b.metrics.ttmSeconds ?? Infinity) || a.team.localeCompare(b.team));
  let rank = 0;
  let prev: number | null = null;
  const rows = sorted.map((s, i) => {
    if (s.total !== prev) rank = i + 1;
    prev = s.total;
    return { rank, team: s.team, total: s.total, ttmSeconds: s.metrics.ttmSeconds };
  });
  return { rows, scores };
}
