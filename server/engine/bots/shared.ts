// Small helpers the bot policies share: who owns a service, whether the team may act on it, what
// customers see, and readable clocks for status updates.
import type { ActionSpec } from '../actions/schema.ts';
import type { ServiceMetrics } from '../workload/world.ts';
import type { WorkloadSpec } from '../workload/schema.ts';
import type { AlertView, TeamView } from '../session/view.ts';
import type { SessionEvent } from '../session/events.ts';

export const SEVERITY_RANK: Record<string, number> = { critical: 0, warning: 1, info: 2 };

export function ownerOf(workload: WorkloadSpec, service: string): string | undefined {
  return workload.services.find((s) => s.id === service)?.team;
}

/** The service an action changes, when it changes one (drain-zone does not name one). */
export function targetOf(a: ActionSpec): string | undefined {
  return 'service' in a && typeof a.service === 'string' ? a.service : undefined;
}

/**
 * Whether the team may change `service` now: players own it, or its owners were paged and joined.
 * Mirrors the session's access check (session.ts `checkAccess`).
 */
export function hasAccess(view: TeamView, workload: WorkloadSpec, service: string | undefined): boolean {
  if (service === undefined || view.playerTeams.length === 0) return true;
  const owner = ownerOf(workload, service);
  if (owner === undefined || view.playerTeams.includes(owner)) return true;
  return view.incident.paged.some((p) => p.oncall === owner && p.joinedAt !== null);
}

export function isPaged(view: TeamView, oncall: string): boolean {
  return view.incident.paged.some((p) => p.oncall === oncall);
}

/**
 * The worst error-budget burn customers cause right now, from the SLO services' error rates
 * (or the entry points at 99.9% when the workload has no SLO): 1 = burning exactly on budget.
 */
export function customerBurn(view: TeamView, workload: WorkloadSpec): number {
  const byId = new Map(view.services.map((s) => [s.id, s.metrics]));
  let burn = 0;
  const slos = workload.slos ?? [];
  const targets: [ServiceMetrics | undefined, number][] = slos.length
    ? slos.map((s) => [byId.get(s.service), s.objective])
    : workload.traffic.entry.map((e) => [byId.get(e.service), 0.999]);
  for (const [m, objective] of targets) if (m) burn = Math.max(burn, m.error_rate / (1 - objective));
  return burn;
}

/** Firing alerts, loudest first: most critical, then earliest, then rule order. */
export function loudest(alerts: readonly AlertView[]): AlertView[] {
  return alerts
    .map((a, i) => ({ a, i }))
    .filter((x) => x.a.state === 'firing')
    .sort((x, y) => (SEVERITY_RANK[x.a.severity] ?? 9) - (SEVERITY_RANK[y.a.severity] ?? 9) || (x.a.firedAt ?? 0) - (y.a.firedAt ?? 0) || x.i - y.i)
    .map((x) => x.a);
}

/** T+m:ss, the way the report's timeline writes times. */
export function clock(t: number): string {
  const s = Math.max(0, Math.round(t));
  return `T+${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

export function minutes(seconds: number): string {
  const m = Math.max(1, Math.round(seconds / 60));
  return `${m} minute${m === 1 ? '' : 's'}`;
}

/** The team's own action events in the visible feed. */
export function actionEvents(feed: readonly SessionEvent[]): Extract<SessionEvent, { type: 'action' }>[] {
  return feed.filter((e): e is Extract<SessionEvent, { type: 'action' }> => e.type === 'action');
}

/** Uniform in [lo, hi), whole seconds. */
export function between(rng: { next(): number }, lo: number, hi: number): number {
  return Math.round(lo + (hi - lo) * rng.next());
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : text.slice(0, max - 1) + '…';
}
