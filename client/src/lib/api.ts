// The REST side of the protocol (server/protocol/rest.ts): plain fetch, errors as ErrorBody.
import type { Static } from 'typebox';
import type { CreateSessionBody, CreatedSession, ScenarioDetail, ScenarioSummary, ScoreResponse, SessionState, WorkloadMap } from '../../../server/protocol/rest.ts';
import type { ErrorBody } from '../../../server/protocol/errors.ts';

export type Scenario = Static<typeof ScenarioSummary>;
export type Created = Static<typeof CreatedSession>;

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly details?: unknown) {
    super(message);
  }
}

export async function request<T>(path: string, init: RequestInit & { token?: string } = {}): Promise<T> {
  const headers = new Headers(init.headers);
  if (init.token) headers.set('Authorization', `Bearer ${init.token}`);
  if (init.body && !headers.has('Content-Type')) headers.set('Content-Type', 'application/json');
  let res: Response;
  try {
    res = await fetch(path, { ...init, headers });
  } catch (e) {
    throw new ApiError(0, 'network', `cannot reach the server (${(e as Error).message})`);
  }
  const type = res.headers.get('content-type') ?? '';
  if (!res.ok) {
    let body: Partial<ErrorBody> = {};
    if (type.includes('json')) body = (await res.json().catch(() => ({}))) as Partial<ErrorBody>;
    throw new ApiError(res.status, body.code ?? `http/${res.status}`, body.message ?? res.statusText, body.details);
  }
  return (type.includes('json') ? res.json() : res.text()) as Promise<T>;
}

export function listScenarios(): Promise<Scenario[]> {
  return request<{ scenarios: Scenario[] }>('/api/scenarios').then((r) => r.scenarios);
}

export function createSession(body: CreateSessionBody): Promise<Created> {
  return request<Created>('/api/sessions', { method: 'POST', body: JSON.stringify(body) });
}

export type ReportFormat = 'html' | 'md' | 'json';

export function getReport(id: string, token: string, format: ReportFormat): Promise<string> {
  return request<string | object>(`/api/sessions/${encodeURIComponent(id)}/report?format=${format}`, { token }).then((r) =>
    typeof r === 'string' ? r : JSON.stringify(r, null, 2),
  );
}

/** Optional routes (may not exist on an older server): answer undefined when they are absent. */
export async function optional<T>(path: string, token?: string): Promise<T | undefined> {
  try {
    return await request<T>(path, token ? { token } : {});
  } catch (e) {
    if (e instanceof ApiError && (e.status === 404 || e.status === 401 || e.status === 403)) return undefined;
    throw e;
  }
}

export type WorkloadInfo = Static<typeof WorkloadMap>;
export type SessionInfo = Static<typeof SessionState>;
export type Scores = Static<typeof ScoreResponse>;
export type ScenarioInfo = Static<typeof ScenarioDetail>;

/** A runbook as the console shows it; steps are known once the server lists them or it is opened. */
export interface RunbookInfo {
  id: string;
  title?: string;
  steps?: { n: number; title: string; body?: string }[];
}

export function getWorkload(id: string): Promise<WorkloadInfo | undefined> {
  return optional<WorkloadInfo>(`/api/workloads/${encodeURIComponent(id)}`);
}

export function getSession(id: string, token: string): Promise<SessionInfo | undefined> {
  return optional<SessionInfo>(`/api/sessions/${encodeURIComponent(id)}`, token);
}

export function getScores(id: string, token: string): Promise<Scores | undefined> {
  return optional<Scores>(`/api/sessions/${encodeURIComponent(id)}/score`, token);
}

/** The scenario; with the facilitator's token it includes `spec` (hints, timeline, answer). */
export function getScenario(id: string, token?: string): Promise<ScenarioInfo | undefined> {
  return optional<ScenarioInfo>(`/api/scenarios/${encodeURIComponent(id)}`, token);
}

/** The hints of a full scenario spec (what the facilitator may release). */
export function hintsOf(info: ScenarioInfo | undefined): { id: string; text: string; cost?: number }[] {
  const spec = info?.spec as { hints?: { id: string; text: string; cost?: number }[] } | undefined;
  return Array.isArray(spec?.hints) ? spec.hints : [];
}
