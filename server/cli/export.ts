// `firedrill export <scenario> --format fis|chaostoolkit [--out FILE]`: a scenario graduated to
// a real chaos experiment (server/learning/). The document goes to stdout or FILE; what has no
// real counterpart, and the placeholders to fill in, go to stderr — never silently dropped.
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { formatProblem } from '../engine/scenario/problems.ts';
import { EXPORT_FORMATS, exportScenario, type ExportFormat } from '../learning/scenario-export.ts';
import { shortClock } from '../learning/export-map.ts';
import type { Io } from './io.ts';
import { loadRunnable } from './load.ts';
import { LIBRARY_DIR } from '../cli.ts';

export const EXPORT_HELP = `Usage: firedrill export <scenario id or file> --format fis|chaostoolkit [--out FILE] [--json]
  fis            an AWS FIS experiment template (aws fis create-experiment-template --cli-input-json file://FILE)
  chaostoolkit   a Chaos Toolkit experiment (chaos run FILE; needs chaostoolkit-aws)
  --json         print {document, mapped, unmapped, placeholders} instead of the document alone`;

export async function exportCommand(args: string[], io: Io): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: { format: { type: 'string' }, out: { type: 'string' }, library: { type: 'string' }, json: { type: 'boolean' } } });
  } catch (err) {
    io.stderr.write(`firedrill export: ${(err as Error).message}\n${EXPORT_HELP}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1) {
    io.stderr.write(`firedrill export: ${positionals.length ? `export takes one scenario, got ${positionals.length}: ${positionals.join(' ')}` : 'export needs a scenario id or file (see `firedrill scenarios`)'}\n${EXPORT_HELP}\n`);
    return 2;
  }
  const format = values.format;
  if (!format || !(EXPORT_FORMATS as readonly string[]).includes(format)) {
    io.stderr.write(`firedrill export: --format must be one of ${EXPORT_FORMATS.join(', ')}, got ${format === undefined ? 'nothing' : `"${format}"`}\n`);
    return 2;
  }
  const loaded = await loadRunnable(positionals[0], values.library ?? LIBRARY_DIR);
  if ('problems' in loaded) {
    for (const p of loaded.problems) io.stderr.write(formatProblem(p) + '\n');
    io.stderr.write(`firedrill export: ${positionals[0]} cannot be exported until these ${loaded.problems.length} problem(s) are fixed\n`);
    return 1;
  }
  const result = exportScenario(loaded.scenario, loaded.workload, format as ExportFormat);
  const text = JSON.stringify(values.json ? result : result.document, null, 2) + '\n';
  if (values.out) {
    await writeFile(values.out, text);
    io.stderr.write(`wrote ${values.out}\n`);
  } else {
    io.stdout.write(text);
  }
  const err = io.stderr;
  err.write(`${result.mapped.length} fault(s) mapped${result.mapped.length ? ':' : '.'}\n`);
  for (const m of result.mapped) err.write(`  T+${shortClock(m.at)}  ${m.fault} (${m.kind} on ${m.service}) → ${m.action}\n`);
  err.write(`${result.unmapped.length} part(s) not mapped${result.unmapped.length ? ':' : '.'}\n`);
  for (const u of result.unmapped) err.write(`  ${u.part}${u.at !== undefined ? ` at T+${shortClock(u.at)}` : ''} (${u.kind}${u.id && !u.part.includes(u.id) ? ` ${u.id}` : ''}): ${u.reason}\n`);
  if (result.placeholders.length) err.write(`Fill in before running: ${result.placeholders.join(', ')}\n`);
  return 0;
}
