// Practice companions: the people a solo player would have around them in a real incident, played
// by the engine. Pure and seeded like everything in the engine, so a practice run replays exactly.
//
//  - A bot responder for every non-player on-call team the player pages: it acknowledges the page
//    after a realistic delay (30–90 s, never after it joins), joins at the team's `responseSeconds`
//    (the session already does that), then, 40–80 s later, either runs the runbook step that clears
//    a fault on one of its own services, or says what it sees on its services.
//  - A comms bot (a support lead) that asks for a status update every `askEvery` seconds while an
//    incident is declared (and not resolved) and no update was posted; the first status update
//    after a request answers it. Requests and answers are in the event log, so scoring reads them.
import { createRng } from '../random.ts';
import { parseDuration } from '../duration.ts';
import type { ActionSpec } from '../actions/schema.ts';
import { REMEDIATIONS } from '../actions/schema.ts';
import type { ResolverRefSpec } from '../actions/schema.ts';
import type { ScenarioSpec } from '../scenario/schema.ts';
import type { WorkloadSpec } from '../workload/schema.ts';
import { isActive } from '../faults/effects.ts';
import { actionResolves, resolversOfSpec } from '../faults/resolvers.ts';
import type { EventBody, ResultSummary, SessionEvent } from './events.ts';
import type { RunbookLike, TeamRuntime } from './team.ts';
import { COMMS_PROMPT } from '../scoring/score.ts';

/** Seconds from a page to the bot responder's acknowledgement: ACK_MIN + an integer in [0, ACK_SPREAD]. */
export const ACK_MIN = 30;
export const ACK_SPREAD = 60;
/** Seconds from joining to the bot responder's findings (and action): REPORT_MIN + [0, REPORT_SPREAD]. */
export const REPORT_MIN = 40;
export const REPORT_SPREAD = 40;

/** The people who play the comms bot; one per session, picked by the seed. */
export const COMMS_PEOPLE = ['Jordan Lee (support lead)', 'Noor Haddad (support lead)', 'Chris Moreau (support lead)'] as const;

/** What the comms bot says: its first request, a follow-up after an answered one, a reminder after an unanswered one. */
export const REQUESTS = {
  first: 'Customers are asking in chat and on social. What can I tell them — what is broken, what are you doing, and when is the next update?',
  next: 'Time for the next update: customers and account managers are still asking. What has changed since the last one?',
  reminder: 'Still nothing in the incident channel since I asked. Support has nothing to tell customers — please post an update, even a short one.',
} as const;

/** What the comms bot does when: a request after `askEvery` seconds without an update. */
export function askEvery(scenario: ScenarioSpec): number {
  const first = parseDuration(scenario.expectations.communication?.firstUpdateWithin, 900);
  return Math.max(120, Math.min(300, Math.round(first / 2)));
}

/** The hint a player gets on request: the first of the scenario's hints not yet released to the team. */
export function nextHint(scenario: ScenarioSpec, released: ReadonlySet<string>): { id: string; text: string; cost: number } | undefined {
  const h = (scenario.hints ?? []).find((x) => !released.has(x.id));
  return h ? { id: h.id, text: h.text, cost: h.cost ?? 5 } : undefined;
}

/** The acknowledgement delay of a paged team's bot responder: same seed and team, same delay. */
export function ackDelay(seed: number | string, oncall: string, responseSeconds: number): number {
  const rng = createRng(seed, `companion:${oncall}`);
  const d = ACK_MIN + rng.int(ACK_SPREAD + 1);
  return Math.max(1, Math.min(d, responseSeconds - 10));
}

/** The delay from joining to the bot responder's findings (drawn after the ack delay, same stream). */
export function reportDelay(seed: number | string, oncall: string): number {
  const rng = createRng(seed, `companion:${oncall}`);
  rng.int(ACK_SPREAD + 1);
  return REPORT_MIN + rng.int(REPORT_SPREAD + 1);
}

/** The comms bot of a session: who plays it. */
export function commsPerson(seed: number | string): string {
  return COMMS_PEOPLE[createRng(seed, 'companion:comms').int(COMMS_PEOPLE.length)];
}

/** What companions need from the session (closures over its private parts). */
export interface CompanionHost {
  readonly seed: number | string;
  readonly scenario: ScenarioSpec;
  readonly workload: WorkloadSpec;
  readonly runbooks: ReadonlyMap<string, RunbookLike>;
  now(): number;
  log(body: EventBody, team: string): SessionEvent;
  /** Acts for the team (the bot responder's runbook step); returns the action event's seq and result. */
  act(team: TeamRuntime, action: ActionSpec): { seq: number | null; result: ResultSummary };
}

interface Responder {
  oncall: string;
  name: string;
  teamName: string;
  pagedAt: number;
  ackAt: number;
  acked: boolean;
  reportDelay: number;
  reported: boolean;
}

interface CommsState {
  /** The last request, answered or not. */
  last: { n: number; at: number; answered: boolean } | null;
  count: number;
}

interface TeamState {
  responders: Responder[];
  comms: CommsState;
}

export class Companions {
  readonly askEvery: number;
  readonly comms: string;
  private readonly state = new Map<string, TeamState>();

  constructor(private readonly host: CompanionHost) {
    this.askEvery = askEvery(host.scenario);
    this.comms = commsPerson(host.seed);
  }

  private of(team: TeamRuntime): TeamState {
    let s = this.state.get(team.id);
    if (!s) {
      s = { responders: [], comms: { last: null, count: 0 } };
      this.state.set(team.id, s);
    }
    return s;
  }

  /** After a team's successful action (its event has `seq`): pages start a bot, updates answer requests. */
  onAction(team: TeamRuntime, action: ActionSpec, seq: number): void {
    const t = this.host.now();
    const s = this.of(team);
    if (action.action === 'page') {
      const players = this.host.scenario.players?.teams;
      if (!players || players.includes(action.oncall)) return; // a player team answers for itself
      const oncall = this.host.workload.teams.find((x) => x.id === action.oncall);
      if (!oncall || s.responders.some((r) => r.oncall === oncall.id)) return;
      const response = oncall.responseSeconds ?? 180;
      s.responders.push({
        oncall: oncall.id,
        name: oncall.escalation[0].name,
        teamName: oncall.name,
        pagedAt: t,
        ackAt: t + ackDelay(this.host.seed, oncall.id, response),
        acked: false,
        reportDelay: reportDelay(this.host.seed, oncall.id),
        reported: false,
      });
    } else if (action.action === 'status-update') {
      const last = s.comms.last;
      if (last && !last.answered) {
        last.answered = true;
        const after = round(t - last.at);
        const text = after <= COMMS_PROMPT ? 'Thanks — that is exactly what I needed. Passing it on to customers now.' : 'Thanks, got it. Customers had been waiting a while; I will pass it on.';
        this.host.log({ type: 'comms.answered', request: last.n, after, update: seq, by: this.comms, text }, team.id);
      }
    }
  }

  /** Every tick of a team that is still playing, after the world moved. */
  tick(team: TeamRuntime): void {
    const t = this.host.now();
    const s = this.of(team);
    for (const r of s.responders) {
      if (!r.acked && t >= r.ackAt - 1e-9) {
        r.acked = true;
        const joinIn = Math.max(0, Math.round(((team.incident.paged.get(r.oncall)?.at ?? r.pagedAt) + responseOf(this.host.workload, r.oncall) - t) / 60));
        this.host.log({ type: 'page.acknowledged', oncall: r.oncall, name: r.name, text: `Ack. ${r.name.replace(/ \(.*\)$/, '')} here, ${r.teamName} on-call — getting to a laptop, on the bridge in ~${Math.max(1, joinIn)} min.` }, team.id);
      }
      const joinedAt = team.incident.paged.get(r.oncall)?.joinedAt ?? null;
      if (!r.reported && joinedAt !== null && t >= joinedAt + r.reportDelay - 1e-9) {
        r.reported = true;
        this.report(team, r);
      }
    }
    this.askForUpdate(team, s.comms, t);
  }

  private askForUpdate(team: TeamRuntime, c: CommsState, t: number): void {
    const inc = team.incident;
    if (inc.declaredAt === null || inc.resolvedAt !== null) return;
    const lastUpdate = inc.updates.length ? inc.updates[inc.updates.length - 1].t : -Infinity;
    const since = Math.max(inc.declaredAt, lastUpdate, c.last?.at ?? -Infinity);
    if (t - since < this.askEvery - 1e-9) return;
    const text = c.last === null ? REQUESTS.first : c.last.answered ? REQUESTS.next : REQUESTS.reminder;
    c.count++;
    c.last = { n: c.count, at: t, answered: false };
    this.host.log({ type: 'comms.requested', request: c.count, by: this.comms, text }, team.id);
  }

  /** The bot responder's findings: the runbook step that fixes its own service, or what it sees. */
  private report(team: TeamRuntime, r: Responder): void {
    const world = team.world;
    const who = `${r.name} (${r.teamName}, bot)`;
    const t = this.host.now();
    const own = world.services.filter((x) => x.spec.team === r.oncall);
    const fix = this.findFix(team, new Set(own.map((x) => x.id)), t);
    if (fix) {
      const say = `${r.name}: found it on our side — ${fix.service} needs ${fix.action.action}${fix.runbook ? ` (runbook ${fix.runbook}, step ${fix.step})` : ''}. Doing it now.`;
      this.host.log({ type: 'message', text: say, source: `responder:${r.oncall}` }, team.id);
      this.host.act(team, { ...fix.action, actor: who } as ActionSpec);
      return;
    }
    const worst = [...own].sort((a, b) => b.m.error_rate - a.m.error_rate || a.idx - b.idx)[0];
    if (!worst || worst.m.error_rate < 0.01) {
      const names = own.map((x) => x.id).join(', ') || 'nothing';
      this.host.log({ type: 'message', text: `${r.name}: our services (${names}) look healthy — errors under 1%, latency normal. Nothing on our side; I'll stay on the bridge if you need a hand.`, source: `responder:${r.oncall}` }, team.id);
      return;
    }
    const line = world.logs[worst.idx].findLast((level) => level === 'error' || level === 'fatal' || level === 'warn');
    const text =
      `${r.name}: ${worst.id} is at ${(worst.m.error_rate * 100).toFixed(1)}% errors, p99 ${Math.round(worst.m.latency_p99_ms)} ms.` +
      (line ? ` Its logs say: "${line.message.length > 160 ? line.message.slice(0, 157) + '…' : line.message}".` : '') +
      ` Nothing changed on our side and there is nothing we can fix from here — it looks like a dependency. I'll stay on the bridge.`;
    this.host.log({ type: 'message', text, source: `responder:${r.oncall}` }, team.id);
  }

  /** A runbook `run` step (or, failing that, a plain resolver) that clears an active fault on these services. */
  private findFix(team: TeamRuntime, services: Set<string>, t: number): { service: string; action: ActionSpec; runbook?: string; step?: number } | null {
    const world = team.world;
    for (const f of world.faults) {
      if (f.clearedAt !== null || !isActive(f, t)) continue;
      const service = world.services[f.service].id;
      if (!services.has(service)) continue;
      const resolvers = resolversOfSpec(f.spec);
      for (const rb of this.host.runbooks.values()) {
        if (rb.services && !rb.services.includes(service)) continue;
        for (const step of rb.steps) {
          if (step.directive?.type === 'run' && actionResolves(step.directive.action, resolvers)) {
            const target = 'service' in step.directive.action ? step.directive.action.service : service;
            if (!services.has(target)) continue;
            return { service: target, action: step.directive.action, runbook: rb.id, step: step.n };
          }
        }
      }
      for (const ref of resolvers) {
        const a = fromResolver(ref);
        if (a && 'service' in a && services.has(a.service)) return { service: a.service, action: a };
      }
    }
    return null;
  }
}

function responseOf(workload: WorkloadSpec, oncall: string): number {
  return workload.teams.find((x) => x.id === oncall)?.responseSeconds ?? 180;
}

/** A resolver reference as an action a bot can take (kinds that need more parameters are skipped). */
function fromResolver(r: ResolverRefSpec): ActionSpec | null {
  if (!r.service || !(REMEDIATIONS as readonly string[]).includes(r.action)) return null;
  switch (r.action) {
    case 'rollback': case 'restart': case 'renew-cert': case 'free-disk': case 'kill-query': case 'revert-config': case 'flush-cache': case 'restore-cache': case 'failover':
      return { action: r.action, service: r.service } as ActionSpec;
    case 'toggle-flag':
      return r.flag !== undefined && r.enabled !== undefined ? { action: 'toggle-flag', service: r.service, flag: r.flag, enabled: r.enabled } : null;
    default:
      return null;
  }
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
