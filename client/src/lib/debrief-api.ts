// The debrief's REST routes (docs/protocol.md): lessons learned and action items of a session.
import type { Static } from 'typebox';
import type {
  ActionItem, ActionItemList, ActionItemStatusSchema, CreateActionItemBody, CreateLessonBody, Lesson, LessonList, UpdateActionItemBody, UpdateLessonBody,
} from '../../../server/protocol/rest.ts';
import { request } from './api.ts';

export type LessonInfo = Static<typeof Lesson>;
export type ActionItemInfo = Static<typeof ActionItem>;
export type NewLesson = Static<typeof CreateLessonBody>;
export type LessonChange = Static<typeof UpdateLessonBody>;
export type NewActionItem = Static<typeof CreateActionItemBody>;
export type ActionItemChange = Static<typeof UpdateActionItemBody>;
export type ActionItemStatus = Static<typeof ActionItemStatusSchema>;

/** In the order the server accepts them; the labels people read. */
export const STATUS_LABELS: Record<ActionItemStatus, string> = {
  open: 'Open',
  'in-progress': 'In progress',
  done: 'Done',
  dropped: 'Dropped',
};

const base = (id: string) => `/api/sessions/${encodeURIComponent(id)}`;
const json = (body: unknown) => JSON.stringify(body);

export function listLessons(id: string, token: string): Promise<LessonInfo[]> {
  return request<Static<typeof LessonList>>(`${base(id)}/lessons`, { token }).then((r) => r.lessons);
}

export function addLesson(id: string, token: string, body: NewLesson): Promise<LessonInfo> {
  return request<LessonInfo>(`${base(id)}/lessons`, { token, method: 'POST', body: json(body) });
}

export function updateLesson(id: string, token: string, lessonId: string, body: LessonChange): Promise<LessonInfo> {
  return request<LessonInfo>(`${base(id)}/lessons/${encodeURIComponent(lessonId)}`, { token, method: 'PATCH', body: json(body) });
}

export function deleteLesson(id: string, token: string, lessonId: string): Promise<void> {
  return request<unknown>(`${base(id)}/lessons/${encodeURIComponent(lessonId)}`, { token, method: 'DELETE' }).then(() => undefined);
}

export function listActionItems(id: string, token: string): Promise<{ items: ActionItemInfo[]; today: string }> {
  return request<Static<typeof ActionItemList>>(`${base(id)}/action-items`, { token }).then((r) => ({ items: r.actionItems, today: r.today }));
}

export function addActionItem(id: string, token: string, body: NewActionItem): Promise<ActionItemInfo> {
  return request<ActionItemInfo>(`${base(id)}/action-items`, { token, method: 'POST', body: json(body) });
}

export function updateActionItem(id: string, token: string, itemId: string, body: ActionItemChange): Promise<ActionItemInfo> {
  return request<ActionItemInfo>(`${base(id)}/action-items/${encodeURIComponent(itemId)}`, { token, method: 'PATCH', body: json(body) });
}

export function deleteActionItem(id: string, token: string, itemId: string): Promise<void> {
  return request<unknown>(`${base(id)}/action-items/${encodeURIComponent(itemId)}`, { token, method: 'DELETE' }).then(() => undefined);
}
