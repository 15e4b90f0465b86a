// A bot is an automated responder: every few simulated seconds it looks at what its team can see
// and returns the actions to take. Bots are pure and seeded, so a run with bots is deterministic.
import type { ActionSpec } from '../actions/schema.ts';
import type { ScenarioSpec } from '../scenario/schema.ts';
import type { WorkloadSpec } from '../workload/schema.ts';
import type { RunbookLike } from '../session/team.ts';
import type { TeamView } from '../session/view.ts';
import type { ResultSummary } from '../session/events.ts';
import type { LogLine } from '../workload/world.ts';
import type { Rng } from '../random.ts';
import type { Input } from '../session/session.ts';

export const BOT_POLICIES = ['perfect', 'naive', 'idle', 'random', 'scripted'] as const;
export type BotPolicy = (typeof BOT_POLICIES)[number];

export interface BotContext {
  /** Simulated time now (the same as view.t). */
  t: number;
  view: TeamView;
  /** Recent log lines of a service, newest last: what the log viewer shows. */
  logs(service: string): LogLine[];
  /** The audit log (deploys, config pushes, operator commands), newest last. */
  audit(): LogLine[];
  workload: WorkloadSpec;
  runbooks: ReadonlyMap<string, RunbookLike>;
}

export interface Bot {
  readonly policy: BotPolicy;
  /** Called every `interval` simulated seconds while the session runs; returns actions to apply now. */
  next(ctx: BotContext): ActionSpec[];
  /**
   * Timed inputs the bot brings along (the `scripted` policy): runWithBots merges them into the run's
   * timed inputs. Their action inputs are addressed to the bot's team.
   */
  readonly inputs?: readonly Input[];
  /** Told the result of each action it returned, right after the session applied it. */
  onResult?(action: ActionSpec, result: ResultSummary, t: number): void;
}

export interface BotOptions {
  rng: Rng;
  /** Only the `perfect` bot may read the scenario's answer (root cause, resolvers, expectations). */
  scenario: ScenarioSpec;
  /** For `scripted`: the team's timed inputs. */
  script?: Input[];
  /** People's names the bot acts as (roles, `actor`); defaults per policy. */
  people?: string[];
}
