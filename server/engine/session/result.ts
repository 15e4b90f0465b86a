// The result of a finished (or stopped) session, as `firedrill run --json` prints it.
import type { Session } from './session.ts';
import type { Outcome, SessionEvent } from './events.ts';
import { leaderboard, type LeaderboardRow, type TeamScore } from '../scoring/index.ts';

export interface TeamResult {
  id: string;
  outcome: Outcome | null;
  reason: string | null;
  mitigatedAt: number | null;
  resolvedAt: number | null;
  endedAt: number | null;
  score: TeamScore;
}

export interface RunResult {
  scenario: { id: string; title: string; workload: string; difficulty: string };
  seed: number | string;
  outcome: Outcome | null;
  simulatedSeconds: number;
  teams: TeamResult[];
  /** The score of the first team (the only one in a single-team run). */
  score: TeamScore;
  leaderboard: LeaderboardRow[];
  events: SessionEvent[];
}

export function runResult(session: Session): RunResult {
  const s = session.scenario;
  const board = leaderboard(session.events, s, session.teams.map((t) => t.id), session.runbooks);
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
      score: board.scores.find((x) => x.team === t.id)!,
    })),
    score: board.scores[0],
    leaderboard: board.rows,
    events: session.events,
  };
}
