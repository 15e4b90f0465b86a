// The editor's dry run: the scenario played by the perfect, the naive and the idle bot (one team,
// seed 1), each score summarised, and the verdict of checkScoreability. Pure and synchronous;
// the server runs it in a worker thread (./worker.mjs) so a game day's ticks never wait for it.
import { checkScoreability, dryRun, type DryRun, type Scoreability } from '../../engine/bots/scoreability.ts';
import type { ScenarioSpec } from '../../engine/scenario/schema.ts';
import type { WorkloadSpec } from '../../engine/workload/schema.ts';
import type { RunbookLike } from '../../engine/session/team.ts';
import { DIMENSIONS, type TeamScore } from '../../engine/scoring/index.ts';

export const DRY_RUN_POLICIES = ['perfect', 'naive', 'idle'] as const;
export type DryRunPolicy = (typeof DRY_RUN_POLICIES)[number];

/** Longest scenario a dry run accepts: three runs of it must stay well under a few seconds. */
export const MAX_DRY_RUN_SECONDS = 4 * 3600;

export interface PolicySummary {
  policy: DryRunPolicy;
  outcome: string | null;
  total: number;
  dimensions: Record<string, number>;
  ttmSeconds: number | null;
  trapsSprung: number;
  hints: number;
  findings: { dimension: string; text: string; cost: number }[];
}

export interface DryRunAll {
  runs: PolicySummary[];
  problems: Scoreability['problems'];
  ms: number;
}

/** The findings that cost the most points of the total, costliest first. */
export function costliestFindings(score: TeamScore, n = 5): PolicySummary['findings'] {
  const weights = DIMENSIONS.map((d) => score.dimensions[d].weight);
  const weightSum = weights.reduce((a, w) => a + w, 0) || 1;
  const cost = (f: TeamScore['findings'][number]) => {
    if (f.dimension === 'hints') return -f.points;
    const lost = f.max > 0 ? f.max - f.points : -f.points;
    return (lost * (score.dimensions[f.dimension]?.weight ?? 0)) / weightSum;
  };
  return score.findings
    .map((f) => ({ dimension: f.dimension, text: f.text, cost: Math.round(cost(f) * 10) / 10 }))
    .filter((f) => f.cost > 0)
    .sort((a, b) => b.cost - a.cost)
    .slice(0, n);
}

function summarise(run: DryRun): PolicySummary {
  const s = run.score;
  return {
    policy: run.policy as DryRunPolicy,
    outcome: run.outcome,
    total: s.total,
    dimensions: Object.fromEntries(DIMENSIONS.map((d) => [d, s.dimensions[d].score])),
    ttmSeconds: s.metrics.ttmSeconds,
    trapsSprung: s.trapsSprung,
    hints: s.hints.count,
    findings: costliestFindings(s),
  };
}

/** perfect, naive and idle, in that order, and whether the scenario is scoreable. */
export function dryRunAll(scenario: ScenarioSpec, workload: WorkloadSpec, runbooks: ReadonlyMap<string, RunbookLike>): DryRunAll {
  const started = performance.now();
  const checked = checkScoreability(scenario, workload, runbooks);
  const perfect = checked.runs.find((r) => r.policy === 'perfect')!;
  const idle = checked.runs.find((r) => r.policy === 'idle')!;
  const naive = dryRun(scenario, workload, runbooks, 'naive');
  return { runs: [perfect, naive, idle].map(summarise), problems: checked.problems, ms: Math.round(performance.now() - started) };
}
