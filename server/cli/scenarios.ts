// `firedrill scenarios`: the library at a glance.
import { parseArgs } from 'node:util';
import { parseDuration, formatClock } from '../engine/duration.ts';
import { formatProblem } from '../engine/scenario/problems.ts';
import type { Io } from './io.ts';
import { loadLibraryDir } from './load.ts';
import { LIBRARY_DIR } from '../cli.ts';

export async function scenariosCommand(args: string[], io: Io): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args, options: { json: { type: 'boolean' }, library: { type: 'string' } } }));
  } catch (err) {
    io.stderr.write(`firedrill scenarios: ${(err as Error).message}\n`);
    return 2;
  }
  const lib = await loadLibraryDir(values.library ?? LIBRARY_DIR);
  const rows = [...lib.scenarios.values()]
    .map(({ spec, file }) => ({
      id: spec.id,
      title: spec.title,
      difficulty: spec.difficulty,
      duration: parseDuration(spec.duration),
      workload: spec.workload,
      services: lib.workloads.get(spec.workload)?.services.length ?? 0,
      tags: spec.tags ?? [],
      file,
    }))
    .sort((a, b) => a.id.localeCompare(b.id));
  if (values.json) {
    io.stdout.write(JSON.stringify({ scenarios: rows, problems: lib.problems }, null, 2) + '\n');
    return lib.problems.length ? 1 : 0;
  }
  const order = { easy: 0, medium: 1, hard: 2 } as Record<string, number>;
  rows.sort((a, b) => order[a.difficulty] - order[b.difficulty] || a.id.localeCompare(b.id));
  const w = Math.max(2, ...rows.map((r) => r.id.length));
  const tw = Math.max(5, ...rows.map((r) => r.title.length));
  io.stdout.write(`${'id'.padEnd(w)}  ${'title'.padEnd(tw)}  difficulty  duration  workload\n`);
  for (const r of rows) {
    io.stdout.write(`${r.id.padEnd(w)}  ${r.title.padEnd(tw)}  ${r.difficulty.padEnd(10)}  ${formatClock(r.duration).padStart(8)}  ${r.workload} (${r.services} services)\n`);
  }
  io.stdout.write(`\n${rows.length} scenarios. Run one: firedrill run <id> [--responses FILE]\n`);
  if (lib.problems.length) {
    io.stderr.write(`\nThe library has ${lib.problems.length} problem(s):\n`);
    for (const p of lib.problems) io.stderr.write(formatProblem(p) + '\n');
    return 1;
  }
  return 0;
}
