// Scheduled game days over REST (server/http/routes/schedules.ts), and the schedule tokens this
// browser holds (localStorage): the programme page shows more for the schedules it created.
import type {
  CreatedSchedule, CreateScheduleBody, JoinInfo, OccurrenceView, Readiness, ScheduleList, ScheduleSummary, ScheduleView, SessionReadiness, TickBody,
} from '../../../server/protocol/rest-schedules.ts';
import { request } from './api.ts';
import { saveBlob } from './download.ts';

export type { JoinInfo, OccurrenceView, ScheduleSummary, ScheduleView, SessionReadiness };
export type ReadinessItem = Readiness;
export type NewSchedule = CreateScheduleBody;

const KEY = 'firedrill.schedules';

/** Schedule id → token, for the schedules created in this browser. */
export function scheduleTokens(): Record<string, string> {
  try {
    const v = JSON.parse(localStorage.getItem(KEY) ?? '{}') as unknown;
    return v && typeof v === 'object' ? (v as Record<string, string>) : {};
  } catch {
    return {};
  }
}

export function rememberSchedule(id: string, token: string): void {
  try {
    localStorage.setItem(KEY, JSON.stringify({ ...scheduleTokens(), [id]: token }));
  } catch {
    /* private mode: the token is shown once on creation */
  }
}

const path = (id: string) => `/api/schedules/${encodeURIComponent(id)}`;

export const listSchedules = () => request<ScheduleList>('/api/schedules').then((r) => r.schedules);
export const createSchedule = (body: NewSchedule) => request<CreatedSchedule>('/api/schedules', { method: 'POST', body: JSON.stringify(body) });
export const getSchedule = (id: string, token: string) => request<ScheduleView>(path(id), { token });
export const cancelSchedule = (id: string, token: string) => request<ScheduleView>(path(id), { method: 'DELETE', token });
export const checkReadiness = (id: string, n: number, token: string) => request<OccurrenceView>(`${path(id)}/occurrences/${n}/readiness`, { token });
export const tickReadiness = (id: string, n: number, item: string, done: boolean, by: string, token: string) =>
  request<OccurrenceView>(`${path(id)}/occurrences/${n}/readiness/${encodeURIComponent(item)}`, { method: 'PUT', token, body: JSON.stringify({ done, by } satisfies TickBody) });
export const joinInfo = (code: string) => request<JoinInfo>(`/api/join/${encodeURIComponent(code)}`);

/** Downloads the schedule's .ics (the route needs the token, so not a plain link). */
export async function downloadIcs(id: string, token: string, title: string): Promise<void> {
  const res = await fetch(`${path(id)}/calendar.ics`, { headers: { Authorization: `Bearer ${token}` } });
  if (!res.ok) throw new Error(`the invitation could not be made (${res.status})`);
  saveBlob(await res.blob(), `firedrill-${title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'game-day'}.ics`);
}

/** The viewer's time zone. */
export const viewerZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;

/** An instant as a readable date and time in a zone: "Tue 1 Dec 2026, 10:00". */
export function when(iso: string, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone }).format(new Date(iso));
}
