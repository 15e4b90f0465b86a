// The result of a finished (or stopped) session, as `firedrill run --json` prints it.
import type { Session } from './session.ts';
import type { Outcome, SessionEvent } from './events.ts';

export interface TeamResult {
  id: string;
  outcome: Outcome | null;
  reason: string | null;
  mitigatedAt: number | null;
  resolvedAt: number | null;
  endedAt: number | null;
}

export interface RunResult {
  scenario: { id: string; title: string; workload: string; difficulty: string };
  seed: number | string;
  outcome: Outcome | null;
  simulatedSeconds: number;
  teams: TeamResult[];
  events: SessionEvent[];
}

export function runResult(session: Session): RunResult {
  const s = session.scenario;
  return {
    scenario: { id: s.id, title: s.title, workload: s.workload, difficulty: s.difficulty },
    seed: session.seed,
    outcome: session.outcome,
    simulatedSeconds: session.t,
    teams: session.teams.map((t) => ({
      id: t.id,
      outcome: t.ended?.outcome ?? null,
      reason: t.ended?.reason ?? null,
      mitigatedAt: t.mitigatedAt,
      resolvedAt: session.events.find((e) => e.type === 'team.resolved' && e.team === t.id)?.t ?? null,
      endedAt: t.ended?.t ?? null,
    })),
    events: session.events,
  };
}
