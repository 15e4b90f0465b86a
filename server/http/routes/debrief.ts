// The debrief's lessons learned and action items: recorded per session by its facilitator, read by
// its participants once the report is open to them, and listed across sessions for the operator
// (issue 7's learning loop: overdue action items on the facilitator's home). Registered by
// sessionRoutes; the after-action report (GET /api/sessions/:id/report) lists what is recorded here.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { nanoid } from 'nanoid';
import Type from 'typebox';
import {
  ActionItem, ActionItemIdParams, ActionItemList, ActionItemsAcrossSessions, ActionItemsQuery, CreateActionItemBody, CreateLessonBody, ErrorResponse, Lesson,
  LessonIdParams, LessonList, SessionIdParams, UpdateActionItemBody, UpdateLessonBody,
} from '../../protocol/rest.ts';
import {
  ACTION_ITEM_STATUSES, isActionItemStatus, isCalendarDate, type ActionItemPatch, type ActionItemRecord, type ActionItemStatus, type LessonPatch, type LessonRecord,
} from '../../store/store.ts';
import { authorisedHost, requireAdmin, type SessionAccess } from '../auth.ts';
import { iso, sendError } from '../reply.ts';

const bearer = [{ bearer: [] }];
const authErrors = { 401: ErrorResponse, 404: ErrorResponse, 429: ErrorResponse };
const writeErrors = { 400: ErrorResponse, 403: ErrorResponse, ...authErrors };

/** Statuses of work still to do: an item in one of them past its due day is overdue. */
const PENDING: readonly ActionItemStatus[] = ['open', 'in-progress'];

/** Today in UTC, YYYY-MM-DD. */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function isOverdue(item: Pick<ActionItemRecord, 'dueDate' | 'status'>, today: string): boolean {
  return item.dueDate !== undefined && item.dueDate < today && PENDING.includes(item.status);
}

function lessonOut(l: LessonRecord) {
  return { id: l.id, sessionId: l.sessionId, text: l.text, ...(l.author !== undefined ? { author: l.author } : {}), createdAt: iso(l.createdAt) };
}

function itemOut(a: ActionItemRecord, today: string) {
  return {
    id: a.id,
    sessionId: a.sessionId,
    title: a.title,
    owner: a.owner,
    ...(a.dueDate !== undefined ? { dueDate: a.dueDate } : {}),
    ...(a.link !== undefined ? { link: a.link } : {}),
    status: a.status,
    overdue: isOverdue(a, today),
    createdAt: iso(a.createdAt),
    updatedAt: iso(a.updatedAt),
  };
}

/** 400 request/invalid for one field, shaped like the schema validator's answers. */
function invalid(reply: FastifyReply, field: string, message: string): FastifyReply {
  return sendError(reply, 'request/invalid', `${field}: ${message}`, [{ field, message }]);
}

const LINK = /^https?:\/\/[^\s<>"'`]+$/i;

/**
 * What the schema does not say, answered like the schema validator (400 request/invalid, the
 * field in `details`): texts that are only blank, a due date that is no calendar day, a link that
 * is not an http(s) URL with a host. Null (removing a field) passes.
 */
function badFields(reply: FastifyReply, body: Record<string, unknown>, texts: readonly string[]): FastifyReply | null {
  for (const name of texts) {
    const v = body[name];
    if (typeof v === 'string' && v.trim() === '') return invalid(reply, `body/${name}`, 'must not be blank');
  }
  if (typeof body.dueDate === 'string' && !isCalendarDate(body.dueDate)) return invalid(reply, 'body/dueDate', `"${body.dueDate}" is not a calendar day (YYYY-MM-DD)`);
  if (typeof body.link === 'string') {
    let url: URL | undefined;
    try {
      url = LINK.test(body.link) ? new URL(body.link) : undefined;
    } catch {
      url = undefined;
    }
    if (!url || !url.hostname) return invalid(reply, 'body/link', 'must be an http or https URL with a host and no spaces');
  }
  return null;
}

/** Participants read what the report shows them: once scores are revealed or the game day ended. */
function mayRead(access: SessionAccess): boolean {
  return access.role === 'facilitator' || access.host.record.scoresVisible || access.host.phase === 'ended';
}

const FACILITATOR_ONLY = 'only the facilitator records lessons and action items; participants read them';

const clean = (s: string) => s.trim();

export async function debriefRoutes(root: FastifyInstance): Promise<void> {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const { manager } = root.firedrill;
  const store = manager.store;
  const today = () => utcDay(root.firedrill.now());

  /** The caller's access when they may write (the facilitator), having answered otherwise. */
  async function writer(req: FastifyRequest, reply: FastifyReply, id: string): Promise<SessionAccess | null> {
    const access = await authorisedHost(root, req, reply, id);
    if (!access) return null;
    if (access.role !== 'facilitator') {
      await sendError(reply, 'auth/forbidden', FACILITATOR_ONLY);
      return null;
    }
    return access;
  }

  async function reader(req: FastifyRequest, reply: FastifyReply, id: string): Promise<SessionAccess | null> {
    const access = await authorisedHost(root, req, reply, id);
    if (!access) return null;
    if (!mayRead(access)) {
      await sendError(reply, 'report/not-available', 'lessons and action items open to participants with the report: once the facilitator reveals the scores or the game day ends');
      return null;
    }
    return access;
  }

  // Who may is settled on request, before the body is read: a caller without the right token
  // learns nothing about what it sent (401/404/403 before any 400).
  const granted = new WeakMap<FastifyRequest, SessionAccess>();
  const guard = (check: typeof writer) => async (req: FastifyRequest, reply: FastifyReply) => {
    const access = await check(req, reply, (req.params as { id: string }).id);
    if (!access) return reply;
    granted.set(req, access);
  };
  const writeGuard = guard(writer);
  const readGuard = guard(reader);

  // ── lessons ──────────────────────────────────────────────────────────────────────────────────

  app.get('/api/sessions/:id/lessons', {
    onRequest: readGuard,
    schema: {
      summary: 'Lessons learned',
      description: 'Oldest first. The facilitator at any time; participants once the report is open to them (scores revealed or the game day ended).',
      tags: ['debrief'],
      security: bearer,
      params: SessionIdParams,
      response: { 200: LessonList, 403: ErrorResponse, ...authErrors },
    },
  }, async (req, reply) => {
    const access = granted.get(req)!;
    return { lessons: (await store.listLessons(access.host.id)).map(lessonOut) };
  });

  app.post('/api/sessions/:id/lessons', {
    onRequest: writeGuard,
    schema: {
      summary: 'Record a lesson',
      description: 'Facilitator only. `text` up to 2000 characters, `author` (who said it) up to 80; both trimmed.',
      tags: ['debrief'],
      security: bearer,
      params: SessionIdParams,
      body: CreateLessonBody,
      response: { 201: Lesson, ...writeErrors },
    },
  }, async (req, reply) => {
    const access = granted.get(req)!;
    if (badFields(reply, req.body, ['text', 'author'])) return reply;
    const author = req.body.author === undefined ? undefined : clean(req.body.author);
    const lesson: LessonRecord = { id: nanoid(12), sessionId: access.host.id, text: clean(req.body.text), ...(author ? { author } : {}), createdAt: root.firedrill.now() };
    await store.addLesson(lesson);
    req.log.info({ session: lesson.sessionId, lesson: lesson.id }, 'lesson recorded');
    return reply.status(201).send(lessonOut(lesson));
  });

  app.patch('/api/sessions/:id/lessons/:lessonId', {
    onRequest: writeGuard,
    schema: {
      summary: 'Edit a lesson',
      description: 'Facilitator only. Send the fields to change; `author: null` removes the author.',
      tags: ['debrief'],
      security: bearer,
      params: LessonIdParams,
      body: UpdateLessonBody,
      response: { 200: Lesson, ...writeErrors },
    },
  }, async (req, reply) => {
    const access = granted.get(req)!;
    if (badFields(reply, req.body, ['text', 'author'])) return reply;
    const patch: LessonPatch = {};
    if (req.body.text !== undefined) patch.text = clean(req.body.text);
    if (req.body.author !== undefined) patch.author = req.body.author === null ? null : clean(req.body.author);
    const updated = await store.updateLesson(access.host.id, req.params.lessonId, patch);
    if (!updated) return sendError(reply, 'lesson/not-found', `no lesson "${req.params.lessonId}" in this game day`);
    return lessonOut(updated);
  });

  app.delete('/api/sessions/:id/lessons/:lessonId', {
    onRequest: writeGuard,
    schema: {
      summary: 'Delete a lesson',
      description: 'Facilitator only. `204` with no body.',
      tags: ['debrief'],
      security: bearer,
      params: LessonIdParams,
      response: { 204: Type.Null({ description: 'Deleted.' }), ...writeErrors },
    },
  }, async (req, reply) => {
    const access = granted.get(req)!;
    if (!(await store.deleteLesson(access.host.id, req.params.lessonId))) return sendError(reply, 'lesson/not-found', `no lesson "${req.params.lessonId}" in this game day`);
    return reply.status(204).send(null);
  });

  // ── action items ─────────────────────────────────────────────────────────────────────────────

  app.get('/api/sessions/:id/action-items', {
    onRequest: readGuard,
    schema: {
      summary: 'Action items of a game day',
      description: 'Oldest first, each with `overdue` (due before today in UTC and still open or in progress). The facilitator at any time; participants once the report is open to them.',
      tags: ['debrief'],
      security: bearer,
      params: SessionIdParams,
      response: { 200: ActionItemList, 403: ErrorResponse, ...authErrors },
    },
  }, async (req, reply) => {
    const access = granted.get(req)!;
    const day = today();
    return { actionItems: (await store.listActionItems(access.host.id)).map((a) => itemOut(a, day)), today: day };
  });

  app.post('/api/sessions/:id/action-items', {
    onRequest: writeGuard,
    schema: {
      summary: 'Record an action item',
      description: 'Facilitator only. `title` (≤ 200) and `owner` (≤ 80) required; `dueDate` `YYYY-MM-DD`, `link` an http(s) URL (≤ 500), `status` (default `open`) optional.',
      tags: ['debrief'],
      security: bearer,
      params: SessionIdParams,
      body: CreateActionItemBody,
      response: { 201: ActionItem, ...writeErrors },
    },
  }, async (req, reply) => {
    const access = granted.get(req)!;
    if (badFields(reply, req.body, ['title', 'owner'])) return reply;
    const now = root.firedrill.now();
    const b = req.body;
    const item: ActionItemRecord = {
      id: nanoid(12),
      sessionId: access.host.id,
      title: clean(b.title),
      owner: clean(b.owner),
      ...(b.dueDate !== undefined ? { dueDate: b.dueDate } : {}),
      ...(b.link !== undefined ? { link: b.link } : {}),
      status: b.status ?? 'open',
      createdAt: now,
      updatedAt: now,
    };
    await store.addActionItem(item);
    req.log.info({ session: item.sessionId, actionItem: item.id }, 'action item recorded');
    return reply.status(201).send(itemOut(item, utcDay(now)));
  });

  app.patch('/api/sessions/:id/action-items/:itemId', {
    onRequest: writeGuard,
    schema: {
      summary: 'Edit an action item',
      description: 'Facilitator only. Send the fields to change (e.g. `{"status":"done"}`); `dueDate: null` or `link: null` removes them.',
      tags: ['debrief'],
      security: bearer,
      params: ActionItemIdParams,
      body: UpdateActionItemBody,
      response: { 200: ActionItem, ...writeErrors },
    },
  }, async (req, reply) => {
    const access = granted.get(req)!;
    if (badFields(reply, req.body, ['title', 'owner'])) return reply;
    const b = req.body;
    const patch: ActionItemPatch = {};
    if (b.title !== undefined) patch.title = clean(b.title);
    if (b.owner !== undefined) patch.owner = clean(b.owner);
    if (b.dueDate !== undefined) patch.dueDate = b.dueDate;
    if (b.link !== undefined) patch.link = b.link;
    if (b.status !== undefined) patch.status = b.status;
    const now = root.firedrill.now();
    const updated = await store.updateActionItem(access.host.id, req.params.itemId, patch, now);
    if (!updated) return sendError(reply, 'action-item/not-found', `no action item "${req.params.itemId}" in this game day`);
    return itemOut(updated, utcDay(now));
  });

  app.delete('/api/sessions/:id/action-items/:itemId', {
    onRequest: writeGuard,
    schema: {
      summary: 'Delete an action item',
      description: 'Facilitator only. `204` with no body. (To keep a record that it will not be done, set `status: dropped` instead.)',
      tags: ['debrief'],
      security: bearer,
      params: ActionItemIdParams,
      response: { 204: Type.Null({ description: 'Deleted.' }), ...writeErrors },
    },
  }, async (req, reply) => {
    const access = granted.get(req)!;
    if (!(await store.deleteActionItem(access.host.id, req.params.itemId))) return sendError(reply, 'action-item/not-found', `no action item "${req.params.itemId}" in this game day`);
    return reply.status(204).send(null);
  });

  // ── across sessions (operator) ───────────────────────────────────────────────────────────────

  app.get('/api/action-items', {
    schema: {
      summary: 'Action items of every game day (operator)',
      description:
        'Admin token only. Soonest due first (undated last), each with its session. `?status=open,in-progress` keeps those statuses; ' +
        '`?overdue=true` keeps items due before today (UTC) that are still open or in progress. 404 when the server has no admin token.',
      tags: ['debrief', 'admin'],
      security: bearer,
      querystring: ActionItemsQuery,
      response: { 200: ActionItemsAcrossSessions, 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 429: ErrorResponse },
    },
    onRequest: async (req, reply) => {
      if (!(await requireAdmin(root, req, reply))) return reply;
    },
  }, async (req, reply) => {
    const limit = req.query.limit ?? 100;
    const offset = req.query.offset ?? 0;
    const asked = req.query.status === undefined ? undefined : [...new Set(req.query.status.split(','))];
    const unknown = asked?.find((s) => !isActionItemStatus(s));
    if (unknown !== undefined) return invalid(reply, 'querystring/status', `unknown status "${unknown}" (one of ${ACTION_ITEM_STATUSES.join(', ')})`);
    let statuses = asked as ActionItemStatus[] | undefined;
    const day = today();
    if (req.query.overdue) statuses = (statuses ?? PENDING).filter((s) => PENDING.includes(s));
    // Overdue with only done/dropped asked for: nothing can match.
    const rows = statuses !== undefined && statuses.length === 0 ? [] : await store.listActionItemsAcrossSessions({ statuses, dueBefore: req.query.overdue ? day : undefined, limit, offset });
    const sessions = new Map<string, { id: string; scenario: string; title: string; phase: string; createdAt: string; endedAt: string | null } | null>();
    for (const id of new Set(rows.map((r) => r.sessionId))) {
      const s = await store.getSession(id);
      sessions.set(id, s ? { id, scenario: s.scenario.id, title: s.scenario.title, phase: s.phase, createdAt: iso(s.createdAt), endedAt: s.endedAt === null ? null : iso(s.endedAt) } : null);
    }
    return {
      actionItems: rows.flatMap((a) => {
        const session = sessions.get(a.sessionId);
        return session ? [{ ...itemOut(a, day), session }] : [];
      }),
      today: day,
      limit,
      offset,
    };
  });
}
