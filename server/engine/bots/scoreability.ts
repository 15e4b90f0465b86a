// Is a scenario scoreable? The perfect bot must resolve it and score at least 90; the idle bot must
// score at most 20. When one does not, say which expectations cost the points.
import { Session } from '../session/session.ts';
import type { ScenarioSpec } from '../scenario/schema.ts';
import type { WorkloadSpec } from '../workload/schema.ts';
import type { RunbookLike } from '../session/team.ts';
import { scoreTeam, type Finding, type TeamScore } from '../scoring/index.ts';
import { createBots, runWithBots } from './index.ts';
import type { BotPolicy } from './bot.ts';

export const PERFECT_MIN = 90;
export const IDLE_MAX = 20;

export interface DryRun {
  policy: BotPolicy;
  outcome: string | null;
  score: TeamScore;
}

export interface Scoreability {
  runs: DryRun[];
  problems: { code: 'scoreability/perfect-low' | 'scoreability/perfect-unresolved' | 'scoreability/idle-high'; message: string }[];
}

/** Runs each policy once (seed 1 by default) as a one-team session and scores it. */
export function dryRun(scenario: ScenarioSpec, workload: WorkloadSpec, runbooks: ReadonlyMap<string, RunbookLike>, policy: BotPolicy, seed: number | string = 1): DryRun {
  const session = new Session({ scenario, workload, runbooks: new Map(runbooks), seed, teams: ['bot'] });
  runWithBots(session, { bots: createBots(session, { bot: policy }) });
  return { policy, outcome: session.outcome, score: scoreTeam(session.events, scenario, 'bot', runbooks) };
}

function biggestLosses(score: TeamScore, n = 3): string {
  const lost = (f: Finding) => (f.max > 0 ? f.max - f.points : -f.points) * (score.dimensions[f.dimension as keyof typeof score.dimensions]?.weight ?? 1);
  return [...score.findings]
    .filter((f) => f.dimension !== 'hints' && lost(f) > 0)
    .sort((a, b) => lost(b) - lost(a))
    .slice(0, n)
    .map((f) => `${f.dimension}: ${f.text}`)
    .join('; ');
}

export function checkScoreability(scenario: ScenarioSpec, workload: WorkloadSpec, runbooks: ReadonlyMap<string, RunbookLike>, seed: number | string = 1): Scoreability {
  const perfect = dryRun(scenario, workload, runbooks, 'perfect', seed);
  const idle = dryRun(scenario, workload, runbooks, 'idle', seed);
  const problems: Scoreability['problems'] = [];
  if (perfect.outcome !== 'resolved') {
    problems.push({ code: 'scoreability/perfect-unresolved', message: `the perfect bot did not resolve it (${perfect.outcome}); biggest losses: ${biggestLosses(perfect.score)}` });
  } else if (perfect.score.total < PERFECT_MIN) {
    problems.push({ code: 'scoreability/perfect-low', message: `the perfect bot scores ${perfect.score.total} (needs ${PERFECT_MIN}); the expectations that cost it most: ${biggestLosses(perfect.score)}` });
  }
  if (idle.score.total > IDLE_MAX) {
    const gains = idle.score.findings.filter((f) => f.points > 0).sort((a, b) => b.points - a.points).slice(0, 3);
    problems.push({ code: 'scoreability/idle-high', message: `a team that does nothing scores ${idle.score.total} (at most ${IDLE_MAX}); it gets points for: ${gains.map((f) => `${f.dimension}: ${f.text}`).join('; ')}` });
  }
  return { runs: [perfect, idle], problems };
}
