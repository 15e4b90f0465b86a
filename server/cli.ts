// The `firedrill` command: a thin adapter that reads files, drives the engine and prints.
import { fileURLToPath } from 'node:url';
import { runCommand } from './cli/run.ts';
import { scenariosCommand } from './cli/scenarios.ts';
import { validateCommand } from './cli/validate.ts';
import { demoCommand } from './cli/demo.ts';
import { serveCommand } from './cli/serve.ts';
import { exportCommand } from './cli/export.ts';
import type { Io } from './cli/io.ts';

export const LIBRARY_DIR = process.env.FIREDRILL_SCENARIOS ?? fileURLToPath(new URL('../scenarios/', import.meta.url));

const HELP = `firedrill — game days and incident-response drills, with scenarios as code

Usage:
  firedrill run <scenario id or file> [--seed N] [--responses FILE] [--bot POLICY] [--teams N]
                                      [--json | --report md|html|json [--out FILE]]
                                      run a scenario headless on a simulated clock
  firedrill serve [--port N] [--host H] [--data DIR] [--origins LIST] [--database-url URL]
                                      run the live server (what \`npm start\` runs): REST,
                                      socket.io and SQLite in DIR (default ./data), on PORT (3000);
                                      PostgreSQL instead with a postgres:// URL (or DATABASE_URL)
  firedrill validate [files…] [--json] check scenario, workload and runbook files
  firedrill scenarios [--json]        list the scenario library
  firedrill export <scenario> --format fis|chaostoolkit [--out FILE]
                                      the scenario as an AWS FIS experiment template or a
                                      Chaos Toolkit experiment; unmapped parts on stderr
  firedrill demo                      a headless demo game day, printed as a timeline
  firedrill help                      this text

Options of run:
  --seed N           seed of the simulation's randomness (default 1); same seed + same
                     responses = the same event log, byte for byte
  --responses FILE   timed actions to apply: a YAML list of {at, team?, action, …}
  --bot POLICY       a bot team: perfect, naive, idle, random (or a list, one per team:
                     --teams 3 --bot perfect,naive,idle)
  --teams N          run N teams side by side on copies of the workload (default 1)
  --json             print one JSON document (scenario, seed, outcome, simulatedSeconds,
                     score, teams, leaderboard, events) instead of the readable summary
  --report FORMAT    write the after-action report: md, html or json (to stdout, or --out FILE)
  --out FILE         where --report writes
  --library DIR      the scenario library (default: the scenarios/ folder of firedrill)

Docs: docs/scenario-format.md (writing scenarios), README.md.`;

export async function main(argv: string[], io: Io = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const [command, ...args] = argv;
  try {
    switch (command) {
      case 'run':
        return await runCommand(args, io);
      case 'validate':
        return await validateCommand(args, io);
      case 'scenarios':
        return await scenariosCommand(args, io);
      case 'demo':
        return await demoCommand(args, io);
      case 'export':
        return await exportCommand(args, io);
      case 'serve':
        return await serveCommand(args, io);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.stdout.write(HELP + '\n');
        return command === undefined ? 2 : 0;
      default:
        io.stderr.write(`firedrill: unknown command "${command}"\n\n${HELP}\n`);
        return 2;
    }
  } catch (err) {
    io.stderr.write(`firedrill: ${(err as Error).message}\n`);
    return 1;
  }
}
