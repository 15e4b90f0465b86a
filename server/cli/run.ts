// `firedrill run`: one scenario, headless, as fast as the machine allows on a simulated clock.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { Session } from '../engine/session/session.ts';
import { parseResponses } from '../engine/session/responses.ts';
import { runResult, type RunResult } from '../engine/session/result.ts';
import { describeEvent } from '../engine/session/describe.ts';
import { formatClock } from '../engine/duration.ts';
import { formatProblem } from '../engine/scenario/problems.ts';
import { progressBar, type Io } from './io.ts';
import { loadRunnable, type Runnable } from './load.ts';
import { parseReportOption, writeReport, type ReportFormat } from './report-options.ts';
import { LIBRARY_DIR } from '../cli.ts';
import { BOT_POLICIES, createBot, isBotPolicy, runWithBots, type BotPolicy } from '../engine/bots/index.ts';
import { createRng } from '../engine/random.ts';

export interface RunOptions {
  seed: number;
  bots: BotPolicy[];
  teams: number;
  responses?: string;
  json: boolean;
  report?: ReportFormat;
  out?: string;
  library: string;
}

export function parseRunArgs(args: string[]): { target: string; options: RunOptions } | { error: string } {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        seed: { type: 'string' },
        responses: { type: 'string' },
        teams: { type: 'string' },
        json: { type: 'boolean' },
        report: { type: 'string' },
        out: { type: 'string' },
        library: { type: 'string' },
        bot: { type: 'string' },
      },
    });
  } catch (err) {
    return { error: (err as Error).message };
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1) return { error: positionals.length ? `run takes one scenario, got ${positionals.length}: ${positionals.join(' ')}` : 'run needs a scenario id or file (see `firedrill scenarios`)' };
  const seed = values.seed === undefined ? 1 : Number(values.seed);
  if (!Number.isSafeInteger(seed)) return { error: `--seed must be a whole number, got "${values.seed}"` };
  const teams = values.teams === undefined ? 1 : Number(values.teams);
  if (!Number.isInteger(teams) || teams < 1 || teams > 50) return { error: `--teams must be a whole number from 1 to 50, got "${values.teams}"` };
  const bots = values.bot === undefined ? [] : values.bot.split(',').map((b) => b.trim());
  const unknown = bots.filter((b) => !isBotPolicy(b));
  if (unknown.length) return { error: `unknown bot policy "${unknown[0]}" (policies: ${BOT_POLICIES.join(', ')})` };
  if (bots.length > teams) return { error: `${bots.length} bot policies for ${teams} team(s): add --teams ${bots.length}` };
  const report = parseReportOption(values.report, values.out);
  if ('error' in report) return { error: report.error };
  return {
    target: positionals[0],
    options: { seed, teams, bots: bots as BotPolicy[], responses: values.responses, json: values.json ?? false, library: values.library ?? LIBRARY_DIR, report: report.format, out: values.out },
  };
}

export async function runCommand(args: string[], io: Io): Promise<number> {
  const parsed = parseRunArgs(args);
  if ('error' in parsed) {
    io.stderr.write(`firedrill run: ${parsed.error}\n`);
    return 2;
  }
  const { target, options } = parsed;
  const loaded = await loadRunnable(target, options.library);
  if ('problems' in loaded) {
    for (const p of loaded.problems) io.stderr.write(formatProblem(p) + '\n');
    io.stderr.write(`firedrill run: ${target} cannot run until these ${loaded.problems.length} problem(s) are fixed\n`);
    return 1;
  }
  const teams = Array.from({ length: options.teams }, (_, i) => (options.teams === 1 ? 'team-1' : `team-${i + 1}`));
  let inputs: ReturnType<typeof parseResponses>['inputs'] = [];
  if (options.responses) {
    let text: string;
    try {
      text = await readFile(options.responses, 'utf8');
    } catch (err) {
      io.stderr.write(`firedrill run: cannot read --responses ${options.responses}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}\n`);
      return 1;
    }
    const r = parseResponses(text, options.responses, teams);
    if (r.problems.length) {
      for (const p of r.problems) io.stderr.write(formatProblem(p) + '\n');
      return 1;
    }
    inputs = r.inputs;
  }
  const result = execute(loaded, options.seed, teams, inputs, io, options.bots);
  if (options.report) return writeReport(result, loaded.scenario, options.report, options.out, io);
  if (options.json) io.stdout.write(JSON.stringify(result) + '\n');
  else io.stdout.write(summary(result, loaded));
  return 0;
}

export function execute(r: Runnable, seed: number, teams: string[], inputs: ReturnType<typeof parseResponses>['inputs'], io?: Io, policies: BotPolicy[] = []): RunResult {
  const session = new Session({ scenario: r.scenario, workload: r.workload, runbooks: r.runbooks, seed, teams, ...(r.machine ? { machine: r.machine } : {}) });
  const bar = io ? progressBar(io.stderr, `${r.scenario.id}`) : undefined;
  if (policies.length) {
    // With one policy every team gets it; with several, the teams take them in order.
    const bots = Object.fromEntries(
      teams.map((team, i) => [team, createBot(policies[Math.min(i, policies.length - 1)], { rng: createRng(seed, `bot:${team}`), scenario: r.scenario })]),
    );
    runWithBots(session, { bots, inputs });
  } else {
    session.run(inputs, (t, total) => bar?.update(t, total));
  }
  bar?.finish();
  return runResult(session);
}

function summary(result: RunResult, r: Runnable): string {
  const s = r.scenario;
  const lines: string[] = [];
  lines.push(`${s.title} — ${s.workload} · ${s.difficulty} · seed ${result.seed}`);
  lines.push('');
  const multi = result.teams.length > 1;
  for (const e of result.events) {
    const d = describeEvent(e);
    if (!d) continue;
    lines.push(`${d.clock.padStart(9)}  ${multi && e.team ? `[${e.team}] ` : ''}${d.label.padEnd(9)} ${d.text}`);
  }
  lines.push('');
  for (const t of result.teams) {
    const parts = [`${t.id}: ${t.outcome ?? 'running'}`];
    if (t.mitigatedAt !== null) parts.push(`mitigated at T+${formatClock(t.mitigatedAt)}`);
    if (t.resolvedAt !== null) parts.push(`resolved at T+${formatClock(t.resolvedAt)}`);
    if (t.reason) parts.push(`(${t.reason})`);
    lines.push(parts.join(', '));
    const sc = t.score;
    lines.push(`  score ${sc.total}/100 — ` + Object.entries(sc.dimensions).map(([d, v]) => `${d} ${v.score}${v.weight === 0 ? ' (not counted)' : ''}`).join(', ') + (sc.hints.count ? `, hints −${sc.hints.cost}` : ''));
    const m = sc.metrics;
    const f = (x: number | null) => (x === null ? '—' : formatClock(x));
    lines.push(`  TTA ${f(m.ttaSeconds)}  TTD ${f(m.ttdSeconds)}  TTM ${f(m.ttmSeconds)}  TTR ${f(m.ttrSeconds)}  error budget burned ${m.errorBudgetBurnedPct === null ? '—' : m.errorBudgetBurnedPct.toFixed(2) + '%'}`);
    if (!multi) for (const finding of sc.findings) lines.push(`    ${finding.dimension.padEnd(13)} ${finding.text}`);
  }
  if (multi) {
    lines.push('');
    lines.push('Leaderboard: ' + result.leaderboard.map((r) => `${r.rank}. ${r.team} ${r.total}`).join('   '));
  }
  lines.push(`Outcome: ${result.outcome} after ${formatClock(result.simulatedSeconds)} simulated.`);
  return lines.join('\n') + '\n';
}
