// Generates the example after-action reports in docs/examples/ from a real run of friday-deploy
// (seed 1): team blue plays scenarios/examples/friday-deploy.responses.yaml (the walkthrough's
// good team), team red plays friday-deploy.red-team.responses.yaml (restarts and scales out
// orders while v2.14 is live, pages everyone, updates late), so the comparison and the traps show.
//
//   npx tsx server/tools/gen-example-reports.ts           write docs/examples/friday-deploy.report.{md,html}
//   npx tsx server/tools/gen-example-reports.ts --check   exit 1 if they are out of date
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readLibrary } from '../library/fs.ts';
import { Session, type Input } from '../engine/session/session.ts';
import { parseResponses } from '../engine/session/responses.ts';
import { runResult, type RunResult } from '../engine/session/result.ts';
import { formatProblem } from '../engine/scenario/problems.ts';
import { buildReport, renderHtml, renderMarkdown, type Report } from '../engine/report/index.ts';
import type { ScenarioSpec } from '../engine/scenario/schema.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const LIBRARY = `${ROOT}scenarios/`;
const OUT_DIR = `${ROOT}docs/examples/`;

export const EXAMPLE_TEAMS: { team: string; responses: string }[] = [
  { team: 'blue', responses: 'examples/friday-deploy.responses.yaml' },
  { team: 'red', responses: 'examples/friday-deploy.red-team.responses.yaml' },
];

/** Runs friday-deploy with seed 1 for the example teams and builds its report. */
export async function exampleRun(seed = 1): Promise<{ result: RunResult; scenario: ScenarioSpec; report: Report }> {
  const lib = await readLibrary(LIBRARY);
  const entry = lib.scenarios.get('friday-deploy');
  if (!entry) throw new Error('friday-deploy is not in the scenario library');
  const scenario = entry.spec;
  const inputs: Input[] = [];
  for (const { team, responses } of EXAMPLE_TEAMS) {
    const file = `${LIBRARY}${responses}`;
    const parsed = parseResponses(readFileSync(file, 'utf8'), `scenarios/${responses}`, [team]);
    if (parsed.problems.length) throw new Error(parsed.problems.map(formatProblem).join('\n'));
    inputs.push(...parsed.inputs);
  }
  inputs.sort((a, b) => a.at - b.at);
  const session = new Session({ scenario, workload: lib.workloads.get(scenario.workload)!, runbooks: lib.runbooks, seed, teams: EXAMPLE_TEAMS.map((t) => t.team) });
  session.run(inputs);
  const result = runResult(session);
  return { result, scenario, report: buildReport(result, scenario) };
}

async function main(): Promise<number> {
  const check = process.argv.includes('--check');
  const { report } = await exampleRun();
  const files: [string, string][] = [
    [`${OUT_DIR}friday-deploy.report.md`, renderMarkdown(report)],
    [`${OUT_DIR}friday-deploy.report.html`, renderHtml(report)],
  ];
  let stale = 0;
  for (const [path, text] of files) {
    const shown = path.slice(ROOT.length);
    if (check) {
      let current = '';
      try {
        current = readFileSync(path, 'utf8');
      } catch {
        // missing counts as stale
      }
      if (current !== text) {
        stale++;
        process.stderr.write(`${shown} is out of date: run npx tsx server/tools/gen-example-reports.ts\n`);
      }
    } else {
      mkdirSync(OUT_DIR, { recursive: true });
      writeFileSync(path, text);
      process.stdout.write(`wrote ${shown} (${text.length} bytes)\n`);
    }
  }
  return stale ? 1 : 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().then((code) => process.exit(code), (err) => {
    process.stderr.write(`${(err as Error).stack ?? err}\n`);
    process.exit(1);
  });
}
