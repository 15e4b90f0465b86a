// The scenario editor's side of the REST API: preview, dry run and library sources
// (server/http/routes/editor.ts; docs/protocol.md). Types come from server/protocol/rest.ts.
import type { Static } from 'typebox';
import type { DryRunResult, PreviewResult } from '../../../server/protocol/rest.ts';
import type { ErrorBody } from '../../../server/protocol/errors.ts';
import { ApiError } from './api.ts';

export type Preview = Static<typeof PreviewResult>;
export type Problem = Preview['problems'][number];
export type TimelineItem = NonNullable<Preview['timeline']>[number];
export type BranchItem = NonNullable<Preview['branches']>[number];
export type DryRun = Static<typeof DryRunResult>;
export type PolicyRun = DryRun['runs'][number];

async function send<T>(path: string, init: RequestInit): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, init);
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiError(0, 'network', `cannot reach the server (${(e as Error).message})`);
  }
  const type = res.headers.get('content-type') ?? '';
  if (!res.ok) {
    const body = (type.includes('json') ? await res.json().catch(() => ({})) : {}) as Partial<ErrorBody>;
    throw new ApiError(res.status, body.code ?? `http/${res.status}`, body.message ?? res.statusText, body.details);
  }
  return (type.includes('json') ? res.json() : res.text()) as Promise<T>;
}

const postJson = <T>(path: string, body: unknown, signal?: AbortSignal) =>
  send<T>(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body), signal });

export function previewScenario(text: string, signal?: AbortSignal): Promise<Preview> {
  return postJson<Preview>('/api/scenarios/preview', { text, filename: 'scenario.yaml' }, signal);
}

export function dryRunScenario(text: string, signal?: AbortSignal): Promise<DryRun> {
  return postJson<DryRun>('/api/scenarios/dry-run', { text, filename: 'scenario.yaml' }, signal);
}

/** The YAML of a library scenario (GET /api/scenarios/:id/source). */
export function scenarioSource(id: string): Promise<string> {
  return send<string>(`/api/scenarios/${encodeURIComponent(id)}/source`, {});
}
