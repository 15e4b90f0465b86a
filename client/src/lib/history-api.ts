// The history routes (docs/protocol.md): past game days and drills, a team's trends, the CSV and
// evidence exports. All of them take the operator's admin token, which this tab remembers
// (sessionStorage) once typed.
import type { Static } from 'typebox';
import type { HistoryPage, HistoryQuery, TrendsResponse } from '../../../server/protocol/history.ts';
import { ApiError, request } from './api.ts';

export type History = Static<typeof HistoryPage>;
export type HistoryRow = History['results'][number];
export type Trends = Static<typeof TrendsResponse>;

/** The same key as the operator's token of the risk register and the home page (lib/operator.ts): typed once per tab. */
const KEY = 'firedrill.operator-token';

export function loadAdminToken(): string {
  try {
    return sessionStorage.getItem(KEY) ?? '';
  } catch {
    return '';
  }
}

export function saveAdminToken(token: string): void {
  try {
    if (token) sessionStorage.setItem(KEY, token);
    else sessionStorage.removeItem(KEY);
  } catch {
    /* private mode: the token lives as long as the page */
  }
}

/** The filters of the history page (the rest of GET /api/history's query is the server's default). */
export type HistoryFilter = Pick<HistoryQuery, 'team' | 'from' | 'to' | 'kind'>;

export function historyQuery(f: HistoryFilter, extra: Record<string, string> = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...f, ...extra })) if (v) q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
}

export function getHistory(token: string, f: HistoryFilter): Promise<History> {
  return request<History>(`/api/history${historyQuery(f)}`, { token });
}

export function getTrends(token: string, team: string): Promise<Trends> {
  return request<Trends>(`/api/history/trends${historyQuery({ team })}`, { token });
}

/** A file from an authenticated route, as a Blob (the token cannot ride on a plain link). */
export async function fetchFile(path: string, token: string): Promise<Blob> {
  const res = await fetch(path, { headers: { Authorization: `Bearer ${token}` } }).catch((e: Error) => {
    throw new ApiError(0, 'network', `cannot reach the server (${e.message})`);
  });
  if (!res.ok) {
    const body = (await res.json().catch(() => ({}))) as { code?: string; message?: string };
    throw new ApiError(res.status, body.code ?? `http/${res.status}`, body.message ?? res.statusText);
  }
  return res.blob();
}

export { saveBlob } from './download.ts';
