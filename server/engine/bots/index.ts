// Bots: automated responders for testing scenarios, filling roles and load-testing.
//   const bot = createBot('perfect', { rng: createRng(seed, 'bot:blue'), scenario });
//   runWithBots(session, { bots: { blue: bot } });
import type { Session } from '../session/session.ts';
import { createRng } from '../random.ts';
import type { Bot, BotOptions, BotPolicy } from './bot.ts';
import { BOT_POLICIES } from './bot.ts';
import { PerfectBot } from './perfect.ts';
import { NaiveBot } from './naive.ts';
import { IdleBot, RandomBot, ScriptedBot } from './simple.ts';

export type { Bot, BotContext, BotOptions, BotPolicy } from './bot.ts';
export { BOT_POLICIES } from './bot.ts';
export { runWithBots, type RunWithBotsOptions } from './drive.ts';
export { PerfectBot } from './perfect.ts';
export { NaiveBot } from './naive.ts';
export { IdleBot, RandomBot, ScriptedBot } from './simple.ts';

export function isBotPolicy(x: string): x is BotPolicy {
  return (BOT_POLICIES as readonly string[]).includes(x);
}

export function createBot(policy: BotPolicy, options: BotOptions): Bot {
  switch (policy) {
    case 'perfect':
      return new PerfectBot(options);
    case 'naive':
      return new NaiveBot(options);
    case 'idle':
      return new IdleBot();
    case 'random':
      return new RandomBot(options);
    case 'scripted':
      return new ScriptedBot(options);
  }
}

/**
 * One bot per team of a session, each with its own random stream derived from the session's seed
 * (so two teams with the same policy still differ, and a rerun is identical).
 * createBots(session, { blue: 'perfect', red: 'naive' }) → { blue: PerfectBot, red: NaiveBot }
 */
export function createBots(
  session: Pick<Session, 'scenario' | 'seed'>,
  policies: Record<string, BotPolicy>,
  extra: Partial<Record<string, Partial<BotOptions>>> = {},
): Record<string, Bot> {
  const out: Record<string, Bot> = {};
  for (const [team, policy] of Object.entries(policies)) {
    out[team] = createBot(policy, { rng: createRng(session.seed, `bot:${team}:${policy}`), scenario: session.scenario, ...extra[team] });
  }
  return out;
}
