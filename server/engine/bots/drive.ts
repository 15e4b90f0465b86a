// Runs a session with bots playing some (or all) teams: simulated time moves in steps of
// `interval`; timed inputs land exactly at their `at`; at every step each bot looks at its team's
// view and its actions are applied at that instant. No wall clock, no Math.random: the same
// session config, bots (seeded) and inputs give the same event log.
import type { ActionSpec } from '../actions/schema.ts';
import type { Outcome, ResultSummary } from '../session/events.ts';
import type { Input, Session } from '../session/session.ts';
import { auditLog, serviceLogs, teamView } from '../session/view.ts';
import type { Bot, BotContext } from './bot.ts';

export interface RunWithBotsOptions {
  /** Bot per team id. Teams without a bot only do what `inputs` say. */
  bots: Record<string, Bot>;
  /** Timed inputs (actions of human players, facilitator commands), applied exactly at their `at`. */
  inputs?: Input[];
  /** Simulated seconds between two bot turns. Default 5. */
  interval?: number;
  /** Called after every bot action was applied (tests, progress displays). */
  onAction?: (team: string, action: ActionSpec, result: ResultSummary, t: number) => void;
}

/** Starts `session` if needed and runs it to its end with the bots; returns the outcome. */
export function runWithBots(session: Session, options: RunWithBotsOptions): Outcome {
  const interval = options.interval ?? 5;
  if (!(interval > 0)) throw new Error('interval must be a positive number of seconds');
  for (const id of Object.keys(options.bots)) if (!session.team(id)) throw new Error(`no team "${id}" in this session`);

  const inputs = mergedInputs(options);
  let next = 0;
  if (session.phase === 'lobby' || session.phase === 'briefing') session.start();

  // The first turn happens at the current time (T+0 for a fresh session).
  let turn = session.t;
  while (session.phase !== 'ended') {
    if (session.phase !== 'running') {
      // Paused or halted: time stands still for the bots; only a timed input (resume) can move on.
      if (next >= inputs.length) break;
      const input = inputs[next++];
      session.advanceTo(input.at);
      session.apply(input);
      turn = Math.max(turn, session.t);
      continue;
    }
    // Inputs due up to and including this turn, in order, each at its own time.
    while (next < inputs.length && inputs[next].at <= turn + 1e-9 && session.phase === 'running') {
      const input = inputs[next++];
      session.advanceTo(input.at);
      session.apply(input);
    }
    if (session.phase !== 'running') continue;
    session.advanceTo(turn);
    if (session.phase !== 'running') continue;
    for (const [teamId, bot] of Object.entries(options.bots)) {
      if (session.phase !== 'running') break;
      const team = session.team(teamId);
      if (!team || team.ended) continue;
      const actions = bot.next(context(session, teamId));
      for (const action of actions) {
        if (session.phase !== 'running' || team.ended) break;
        const { result } = session.apply({ kind: 'action', at: session.t, team: teamId, action });
        bot.onResult?.(action, result, session.t);
        options.onAction?.(teamId, action, result, session.t);
      }
    }
    if (session.phase !== 'running') continue;
    if (turn >= session.duration - 1e-9) {
      // The scenario's end is due now; let the session notice it.
      session.advanceTo(session.duration);
      if (session.phase === 'running') break;
      continue;
    }
    turn = Math.min(session.duration, roundTurn(turn + interval));
  }
  // Whatever is left (a halt nobody lifted, inputs after the end) is settled as Session.run does.
  if (session.phase !== 'ended') session.run([]);
  return session.outcome ?? 'unresolved';
}

/** Timed inputs plus every scripted bot's inputs (addressed to its team), stably ordered by time. */
export function mergedInputs(options: Pick<RunWithBotsOptions, 'bots' | 'inputs'>): Input[] {
  const all: Input[] = [...(options.inputs ?? [])];
  for (const [teamId, bot] of Object.entries(options.bots)) {
    for (const input of bot.inputs ?? []) all.push(input.kind === 'action' ? { ...input, team: teamId } : input);
  }
  return all.map((x, i) => ({ x, i })).sort((a, b) => a.x.at - b.x.at || a.i - b.i).map((p) => p.x);
}

/** What a bot on `teamId` sees right now. */
export function context(session: Session, teamId: string): BotContext {
  const view = teamView(session, teamId);
  if (!view) throw new Error(`no team "${teamId}" in this session`);
  return {
    t: session.t,
    view,
    logs: (service) => serviceLogs(session, teamId, service),
    audit: () => auditLog(session, teamId),
    workload: session.workload,
    runbooks: session.runbooks,
  };
}

function roundTurn(t: number): number {
  return Math.round(t * 1000) / 1000;
}
