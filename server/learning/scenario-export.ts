// Both exports behind one call (the REST route and `firedrill export`).
import type { ScenarioSpec } from '../engine/scenario/schema.ts';
import type { WorkloadSpec } from '../engine/workload/schema.ts';
import { exportChaosToolkit } from './export-chaos.ts';
import { exportFis } from './export-fis.ts';
import type { UnmappedPart } from './export-map.ts';

export const EXPORT_FORMATS = ['chaostoolkit', 'fis'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportResult {
  format: ExportFormat;
  scenario: string;
  /** What to save it as: `<id>.chaostoolkit.json` or `<id>.fis.json`. */
  filename: string;
  document: unknown;
  mapped: { fault: string; kind: string; service: string; at: number; action: string }[];
  unmapped: UnmappedPart[];
  placeholders: string[];
}

export function exportScenario(scenario: ScenarioSpec, workload: WorkloadSpec, format: ExportFormat): ExportResult {
  const e = format === 'fis' ? exportFis(scenario, workload) : exportChaosToolkit(scenario, workload);
  return { format, scenario: scenario.id, filename: `${scenario.id}.${format}.json`, document: e.document, mapped: e.mapped, unmapped: e.unmapped, placeholders: e.placeholders };
}
