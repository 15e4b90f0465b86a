// `firedrill run … --report md|html|json [--out FILE]`: renders the after-action report of a run
// and writes it to FILE, or to stdout without --out.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { buildReport, renderHtml, renderJson, renderMarkdown, REPORT_FORMATS, type ReportFormat } from '../engine/report/index.ts';
import type { RunResult } from '../engine/session/result.ts';
import type { ScenarioSpec } from '../engine/scenario/schema.ts';
import type { Io } from './io.ts';

export type { ReportFormat };

/** Checks `--report` and `--out`: the format, or an error that names the problem. */
export function parseReportOption(report: string | undefined, out: string | undefined): { format: ReportFormat | undefined } | { error: string } {
  if (report === undefined) return out === undefined ? { format: undefined } : { error: '--out needs --report md|html|json' };
  if (!(REPORT_FORMATS as readonly string[]).includes(report)) return { error: `--report must be one of ${REPORT_FORMATS.join(', ')}, got "${report}"` };
  if (out !== undefined && out.trim() === '') return { error: '--out needs a file name' };
  return { format: report as ReportFormat };
}

/** Renders a run's report in `format`. */
export function renderReport(result: RunResult, scenario: ScenarioSpec, format: ReportFormat): string {
  const report = buildReport(result, scenario);
  return format === 'html' ? renderHtml(report) : format === 'md' ? renderMarkdown(report) : renderJson(report);
}

/**
 * Writes the report to `out` (creating its folder) or to stdout. Returns the exit code: 0, or 1
 * with a message on stderr when the file cannot be written.
 */
export async function writeReport(result: RunResult, scenario: ScenarioSpec, format: ReportFormat, out: string | undefined, io: Io): Promise<number> {
  const text = renderReport(result, scenario, format);
  if (out === undefined) {
    io.stdout.write(text);
    return 0;
  }
  try {
    await mkdir(dirname(out), { recursive: true });
    await writeFile(out, text, 'utf8');
  } catch (err) {
    io.stderr.write(`firedrill run: cannot write --out ${out}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}\n`);
    return 1;
  }
  io.stderr.write(`firedrill run: wrote the ${format} report to ${out}\n`);
  return 0;
}
