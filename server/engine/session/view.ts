// What a responder on a team can see right now: the basis of telemetry frames, of the team
// console and of the bots (which must act only on what a human could see).
import type { Session } from './session.ts';
import type { ServiceMetrics, LogLine } from '../workload/world.ts';
import type { SessionEvent } from './events.ts';

export interface AlertView {
  id: string;
  service: string;
  metric: string;
  severity: string;
  route: string;
  summary: string;
  runbook?: string;
  state: 'inactive' | 'pending' | 'firing';
  since: number | null;
  firedAt: number | null;
  acknowledgedAt: number | null;
  value: number;
}

export interface ServiceView {
  id: string;
  name: string;
  kind: string;
  team: string;
  version: string;
  replicas: number;
  flags: Record<string, boolean>;
  dependencies: string[];
  runbooks: string[];
  metrics: ServiceMetrics;
}

export interface IncidentView {
  declaredAt: number | null;
  severity: string | null;
  summary: string | null;
  services: string[];
  roles: Record<string, string>;
  paged: { oncall: string; at: number; joinedAt: number | null }[];
  runbooks: { id: string; openedAt: number; steps: number[] }[];
  updates: { t: number; audience: string; text: string }[];
  hypotheses: { t: number; text: string }[];
  mitigatedClaimAt: number | null;
  resolvedAt: number | null;
}

export interface TeamView {
  team: string;
  t: number;
  phase: string;
  ended: boolean;
  services: ServiceView[];
  alerts: AlertView[];
  incident: IncidentView;
  /** This team's events so far that a responder sees (no fault injections, branches or traps). */
  feed: SessionEvent[];
  /** Player on-call teams (empty = the players are every team). */
  playerTeams: string[];
}

/** Event types a responder sees as they happen; faults, branches and traps stay hidden until the debrief. */
export const VISIBLE_EVENTS = new Set<SessionEvent['type']>([
  'session.phase', 'session.ended', 'session.speed', 'scores.revealed', 'team.ended', 'deploy', 'audit', 'alert.firing', 'alert.resolved', 'page',
  'action', 'action.completed', 'responder.joined', 'hint.released', 'message',
  'session.practice', 'page.acknowledged', 'comms.requested', 'comms.answered',
]);

export function teamView(session: Session, teamId: string): TeamView | undefined {
  const team = session.team(teamId);
  if (!team) return undefined;
  const world = team.world;
  const inc = team.incident;
  return {
    team: team.id,
    t: session.t,
    phase: session.phase,
    ended: team.ended !== null,
    playerTeams: session.scenario.players?.teams ?? [],
    services: world.services.map((s) => ({
      id: s.id,
      name: s.spec.name ?? s.id,
      kind: s.spec.kind,
      team: s.spec.team,
      version: s.version,
      replicas: s.replicas,
      flags: { ...s.flags },
      dependencies: s.deps.map((d) => world.services[d.target].id),
      runbooks: s.spec.runbooks ?? [],
      metrics: { ...s.m },
    })),
    alerts: world.alerts.map((a) => ({
      id: a.rule.id,
      service: a.rule.service,
      metric: a.rule.metric,
      severity: a.rule.severity,
      route: a.rule.route,
      summary: a.rule.summary,
      ...(a.rule.runbook ? { runbook: a.rule.runbook } : {}),
      state: a.state,
      since: a.state === 'inactive' ? null : a.since,
      firedAt: a.state === 'firing' ? a.firedAt : null,
      acknowledgedAt: a.state === 'firing' ? a.acknowledgedAt : null,
      value: a.value,
    })),
    incident: {
      declaredAt: inc.declaredAt,
      severity: inc.severity,
      summary: inc.summary,
      services: [...inc.services],
      roles: { ...inc.roles },
      paged: [...inc.paged].map(([oncall, p]) => ({ oncall, at: p.at, joinedAt: p.joinedAt })),
      runbooks: [...inc.runbooks].map(([id, r]) => ({ id, openedAt: r.openedAt, steps: [...r.steps] })),
      updates: [...inc.updates],
      hypotheses: [...inc.hypotheses],
      mitigatedClaimAt: inc.mitigatedClaimAt,
      resolvedAt: inc.resolvedAt,
    },
    feed: session.events.filter((e) => (e.team === team.id || e.team === undefined) && VISIBLE_EVENTS.has(e.type)),
  };
}

/** The recent log lines of one service (newest last), as a responder's log viewer shows them. */
export function serviceLogs(session: Session, teamId: string, service: string, limit = 100): LogLine[] {
  const team = session.team(teamId);
  if (!team) return [];
  const i = team.world.byId.get(service);
  if (i === undefined) return [];
  return team.world.logs[i].lines(limit);
}

/** The audit log (deploys, config pushes, operator commands) of a team's workload. */
export function auditLog(session: Session, teamId: string, limit = 100): LogLine[] {
  return session.team(teamId)?.world.audit.slice(-limit) ?? [];
}
