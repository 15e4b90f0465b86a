// The after-action report: buildReport() turns a run's result into data; the renderers turn the
// data into Markdown, one self-contained HTML page, or JSON.
import type { Report } from './report.ts';

export { buildReport, safeLink, partitionFindings, findingMax, findingReason, timeline, charts, REPORT_VERSION, BLANK_ROWS, WENT_WELL_SHARE, DIMENSION_LABELS, MARKER_KINDS, MARKER_LABELS, MAX_SERIES } from './report.ts';
export type { Report, TeamReport, TimelineEntry, TimelineKind, ChartPanel, ChartSeries, ChartMarker, ChartUnit, MarkerKind, TeamCharts, ReportFinding, ReportDimension, MetricFigure, Comparison, ComparisonRow, LessonRow, ActionItemRow, RecordedDebrief } from './report.ts';
export { renderMarkdown, sparkline, mdCell, mdText } from './markdown.ts';
export { renderHtml, lineChart, esc, miniMarkdown, niceStep, timeStep } from './html.ts';

/** The report as pretty-printed JSON (stable key order: the order buildReport writes them). */
export function renderJson(report: Report): string {
  return JSON.stringify(report, null, 2) + '\n';
}

export type ReportFormat = 'md' | 'html' | 'json';
export const REPORT_FORMATS: readonly ReportFormat[] = ['md', 'html', 'json'];
