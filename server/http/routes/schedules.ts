// Scheduled game days over REST: schedule one (once or recurring), the programme (public, no
// secrets), a schedule with its occurrences and their readiness checklists (the schedule's token
// or the admin token), the iCalendar invitation, and what a join code says before its lobby
// opens. The scheduler (server/learning/scheduler.ts) opens the lobbies; `firedrill serve` starts it.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { ERRORS, type ErrorCode } from '../../protocol/errors.ts';
import { parseDuration } from '../../engine/duration.ts';
import { ErrorResponse, SessionIdParams } from '../../protocol/rest.ts';
import {
  CodeParams, CreatedSchedule, CreateScheduleBody, ItemParams, JoinInfo, OccurrenceParams, OccurrenceView, ScheduleList, ScheduleParams, ScheduleView, SessionReadiness,
  StaffingBody, TickBody, type ScheduleSummary,
} from '../../protocol/rest-schedules.ts';
import type { OccurrenceRecord, ReadinessItem, ScheduleRecord } from '../../store/store.ts';
import { buildIcs } from '../../learning/ics.ts';
import { formatLocal, localAt, parseRecurrence, rrule } from '../../learning/schedule.ts';
import { currentOccurrence, MANUAL_ITEMS, mergeReadiness, schedulerFor, timingOf, type Scheduler } from '../../learning/scheduler.ts';
import type { Failure } from '../../live/manager.ts';
import { authorisedHost, bearerToken, isAdmin } from '../auth.ts';
import { iso, sendError } from '../reply.ts';

const bearer = [{ bearer: [] }];
const authErrors = { 401: ErrorResponse, 404: ErrorResponse, 429: ErrorResponse };

function failureReply(reply: FastifyReply, f: Failure): FastifyReply {
  const code = (f.error.code in ERRORS ? f.error.code : 'request/invalid') as ErrorCode;
  return sendError(reply, code, f.error.message);
}

function baseUrl(req: FastifyRequest): string {
  const host = (req.headers['x-forwarded-host'] as string | undefined) ?? req.headers.host ?? 'localhost';
  return `${req.protocol}://${host}`;
}

const joinLink = (base: string, code: string) => `${base}/?code=${encodeURIComponent(code)}`;

function readinessOut(items: readonly ReadinessItem[]) {
  return mergeReadiness(items).map((i) => ({ ...i, at: i.at === undefined ? undefined : iso(i.at) }));
}

export async function scheduleRoutes(root: FastifyInstance): Promise<void> {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const { manager, library } = root.firedrill;

  const scheduler = (reply: FastifyReply): Scheduler | null => {
    const s = schedulerFor(manager);
    if (!s) void sendError(reply, 'not-found', 'scheduling is not running on this server (`firedrill serve` starts it)');
    return s ?? null;
  };

  const occurrenceOut = (schedule: ScheduleRecord, o: OccurrenceRecord, base: string) => {
    const readiness = readinessOut(o.readiness);
    return {
      n: o.n,
      startsAt: iso(o.startsAt),
      local: formatLocal(localAt(o.startsAt, schedule.timeZone)),
      scenario: { id: o.scenario, title: library.scenarios.get(o.scenario)?.spec.title ?? o.scenario },
      status: o.status,
      joinCode: o.joinCode,
      joinLink: joinLink(base, o.joinCode),
      facilitatorToken: o.facilitatorToken,
      sessionId: o.sessionId,
      note: o.note,
      ready: readiness.every((i) => i.ok === true),
      readiness,
    };
  };

  const scheduleOut = async (s: ScheduleRecord, base: string) => ({
    id: s.id,
    title: s.title,
    scenario: s.scenario,
    tag: s.tag,
    start: s.start,
    timeZone: s.timeZone,
    durationMinutes: s.durationMinutes,
    teams: s.teams,
    staffing: s.staffing,
    recurrence: s.recurrence,
    rrule: s.recurrence === null ? null : rrule(parseRecurrence(s.recurrence)),
    allowRepeats: s.allowRepeats,
    speed: s.speed,
    createdAt: iso(s.createdAt),
    cancelledAt: s.cancelledAt === null ? null : iso(s.cancelledAt),
    occurrences: (await manager.store.listOccurrences(s.id)).map((o) => occurrenceOut(s, o, base)),
  });

  /** The schedule a request may read: its own token or the admin token. A wrong token answers like a missing schedule. */
  const access = async (req: FastifyRequest, reply: FastifyReply, id: string): Promise<ScheduleRecord | null> => {
    const token = bearerToken(req);
    if (!token) {
      await sendError(reply, 'auth/missing', 'send the schedule\u2019s token (from its creation) as `Authorization: Bearer <token>`');
      return null;
    }
    const limiter = root.firedrill.authLimiter;
    if (!limiter.peek(req.ip)) {
      await sendError(reply, 'auth/rate-limited');
      return null;
    }
    const found = isAdmin(root, req) ? await manager.store.getSchedule(id) : await manager.store.getScheduleByToken(token);
    if (found && found.id === id) return found;
    if (!isAdmin(root, req)) {
      limiter.take(req.ip);
      root.firedrill.httpMetrics.authFailures.inc({ kind: 'schedule-token' });
    }
    await sendError(reply, 'schedule/not-found', `no schedule ${id} for this token`);
    return null;
  };

  /** The preamble of the routes that change a schedule: its token or the admin token (as `access`), then the running scheduler. Null once answered. */
  const manage = async (req: FastifyRequest, reply: FastifyReply, id: string): Promise<{ s: ScheduleRecord; sch: Scheduler } | null> => {
    const s = await access(req, reply, id);
    if (!s) return null;
    const sch = scheduler(reply);
    return sch ? { s, sch } : null;
  };

  app.post('/api/schedules', {
    schema: {
      summary: 'Schedule a game day',
      description:
        'Once or recurring, in an IANA time zone. The first game day is allocated at once (its join code works on the join page, which says when it opens); ' +
        'the lobby opens by itself at the start time. Keep `token`: it reads and changes the schedule.',
      tags: ['schedules'],
      body: CreateScheduleBody,
      response: { 201: CreatedSchedule, 400: ErrorResponse, 404: ErrorResponse, 503: ErrorResponse },
    },
  }, async (req, reply) => {
    if (root.firedrill.shuttingDown) return sendError(reply, 'server/shutting-down');
    const s = scheduler(reply);
    if (!s) return reply;
    const created = await s.create(req.body);
    if ('error' in created) return failureReply(reply, created);
    req.log.info({ schedule: created.schedule.id, first: iso(created.next.startsAt) }, 'game day scheduled');
    return reply.status(201).send({ token: created.schedule.token, schedule: await scheduleOut(created.schedule, baseUrl(req)) });
  });

  app.get('/api/schedules', {
    schema: {
      summary: 'The programme: scheduled game days',
      description: 'Every schedule not cancelled, soonest next game day first: titles, times, teams. No scenario, join code or token.',
      tags: ['schedules'],
      response: { 200: ScheduleList },
    },
  }, async () => {
    const now = schedulerFor(manager)?.clock() ?? root.firedrill.now();
    const out: ScheduleSummary[] = [];
    for (const s of await manager.store.listSchedules()) {
      if (s.cancelledAt !== null) continue;
      const occ = await manager.store.listOccurrences(s.id);
      const next = currentOccurrence(occ, s.durationMinutes * 60_000, now);
      out.push({
        id: s.id,
        title: s.title,
        timeZone: s.timeZone,
        durationMinutes: s.durationMinutes,
        teams: s.teams,
        recurrence: s.recurrence,
        next: next ? { n: next.n, startsAt: iso(next.startsAt), local: formatLocal(localAt(next.startsAt, s.timeZone)), status: next.status } : null,
      });
    }
    const key = (x: ScheduleSummary) => (x.next ? Date.parse(x.next.startsAt) : Infinity);
    return { schedules: out.sort((a, b) => key(a) - key(b)) };
  });

  app.get('/api/schedules/:id', {
    schema: {
      summary: 'A schedule and its game days',
      description: 'With the schedule\u2019s token (or the admin token): its occurrences with join codes, facilitator tokens and readiness checklists.',
      tags: ['schedules'],
      security: bearer,
      params: ScheduleParams,
      response: { 200: ScheduleView, ...authErrors },
    },
  }, async (req, reply) => {
    const s = await access(req, reply, req.params.id);
    if (!s) return reply;
    return scheduleOut(s, baseUrl(req));
  });

  app.delete('/api/schedules/:id', {
    schema: {
      summary: 'Cancel a schedule',
      description: 'Its next game day is cancelled (its join code then says so); game days already opened carry on.',
      tags: ['schedules'],
      security: bearer,
      params: ScheduleParams,
      response: { 200: ScheduleView, ...authErrors },
    },
  }, async (req, reply) => {
    const a = await manage(req, reply, req.params.id);
    if (!a) return reply;
    const { s, sch } = a;
    const cancelled = await sch.cancel(s.id);
    return scheduleOut(cancelled ?? s, baseUrl(req));
  });

  app.put('/api/schedules/:id/staffing', {
    schema: {
      summary: 'Who is assigned to each team',
      description: 'Sets the people of the teams named (others stay). The checklist\u2019s "roles staffed" needs someone on every team.',
      tags: ['schedules'],
      security: bearer,
      params: ScheduleParams,
      body: StaffingBody,
      response: { 200: ScheduleView, 400: ErrorResponse, ...authErrors },
    },
  }, async (req, reply) => {
    const a = await manage(req, reply, req.params.id);
    if (!a) return reply;
    const { s, sch } = a;
    const updated = await sch.setStaffing(s, req.body.staffing);
    if ('error' in updated) return failureReply(reply, updated);
    return scheduleOut(updated, baseUrl(req));
  });

  app.get('/api/schedules/:id/calendar.ics', {
    schema: {
      summary: 'The invitation (.ics)',
      description:
        'An RFC 5545 calendar: one event in the schedule\u2019s zone (with its VTIMEZONE), its duration, an RRULE when it recurs, and the join link of the next game day in the description.',
      tags: ['schedules'],
      security: bearer,
      params: ScheduleParams,
      produces: ['text/calendar'],
      response: { 200: { description: 'The .ics file.', content: { 'text/calendar': { schema: Type.String() } } }, ...authErrors },
    },
  }, async (req, reply) => {
    const s = await access(req, reply, req.params.id);
    if (!s) return reply;
    const base = baseUrl(req);
    const occ = await manager.store.listOccurrences(s.id);
    const next = occ.find((o) => o.status === 'scheduled') ?? occ[occ.length - 1];
    const first = occ[0];
    const recurrence = s.recurrence === null ? null : parseRecurrence(s.recurrence);
    // The series starts with its first allocated game day, written as the zone's wall clock then.
    const start = first ? localAt(first.startsAt, s.timeZone) : timingOf(s).start;
    const lines = [
      `${s.title}: a firedrill game day (an incident-response drill; nothing real is touched).`,
      `Teams: ${s.teams.join(', ')}.`,
      next ? `Join: ${joinLink(base, next.joinCode)} (the lobby opens at ${formatLocal(localAt(next.startsAt, s.timeZone)).replace('T', ' ')} ${s.timeZone}).` : '',
      recurrence ? `Recurring: ${s.recurrence}. Each game day has its own join code; an older code's page points to the current one. The programme: ${base}/programme` : '',
    ].filter(Boolean);
    const ics = buildIcs(
      {
        uid: `${s.id}@${(req.headers.host ?? 'firedrill').replace(/:\d+$/, '')}`,
        start,
        timeZone: s.timeZone,
        durationMinutes: s.durationMinutes,
        rrule: recurrence ? rrule(recurrence) : undefined,
        summary: s.title,
        description: lines.join('\n'),
        url: next ? joinLink(base, next.joinCode) : undefined,
      },
      root.firedrill.now(),
    );
    const name = s.title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'game-day';
    return reply.header('content-disposition', `attachment; filename="firedrill-${name}.ics"`).type('text/calendar; charset=utf-8').send(ics);
  });

  app.get('/api/schedules/:id/occurrences/:n/readiness', {
    schema: {
      summary: 'A game day\u2019s readiness checklist',
      description:
        'Checks the automatic items now (scenario validated, the bots\u2019 dry run — once per scenario, it takes seconds —, roles staffed, runbooks linked) and answers the whole checklist with the manual ticks.',
      tags: ['schedules'],
      security: bearer,
      params: OccurrenceParams,
      response: { 200: OccurrenceView, ...authErrors },
    },
  }, async (req, reply) => {
    const a = await manage(req, reply, req.params.id);
    if (!a) return reply;
    const { s, sch } = a;
    const o = await sch.readiness(s, req.params.n);
    if ('error' in o) return failureReply(reply, o);
    return occurrenceOut(s, o, baseUrl(req));
  });

  app.put('/api/schedules/:id/occurrences/:n/readiness/:item', {
    schema: {
      summary: 'Tick a manual item of the checklist',
      description: `Manual items: ${MANUAL_ITEMS.map((i) => `\`${i}\``).join(', ')}. \`done: true\` records who (\`by\`) and when; \`done: false\` clears the tick.`,
      tags: ['schedules'],
      security: bearer,
      params: ItemParams,
      body: TickBody,
      response: { 200: OccurrenceView, 400: ErrorResponse, ...authErrors },
    },
  }, async (req, reply) => {
    const a = await manage(req, reply, req.params.id);
    if (!a) return reply;
    const { s, sch } = a;
    const o = await sch.tick(s, req.params.n, req.params.item, req.body.done, req.body.by);
    if ('error' in o) return failureReply(reply, o);
    return occurrenceOut(s, o, baseUrl(req));
  });

  app.get('/api/join/:code', {
    schema: {
      summary: 'What a join code opens, and when',
      description:
        'For the join page before a scheduled game day opens: its title, teams and opening time. A game day created directly answers `opened` (it is open from its creation); 404 for a code of no game day. ' +
        'Failed lookups count against the per-IP limit like wrong tokens.',
      tags: ['schedules'],
      params: CodeParams,
      response: { 200: JoinInfo, 404: ErrorResponse, 429: ErrorResponse },
    },
  }, async (req, reply) => {
    const limiter = root.firedrill.authLimiter;
    if (!limiter.peek(req.ip)) return sendError(reply, 'auth/rate-limited');
    const sch = schedulerFor(manager);
    const found = sch && (await sch.lookup(req.params.code));
    if (!found) {
      // A game day created directly is open from the start (the join page looks every invitation's code up).
      const session = await manager.store.getSessionByJoinCode(req.params.code.trim().toUpperCase());
      if (session) {
        const minutes = Math.max(1, Math.round(parseDuration(session.scenario.duration) / 60));
        return { state: 'opened' as const, title: session.scenario.title, teams: session.teams, opensAt: iso(session.createdAt), local: formatLocal(localAt(session.createdAt, 'UTC')), timeZone: 'UTC', durationMinutes: minutes, current: null };
      }
      limiter.take(req.ip);
      return sendError(reply, 'auth/unknown-code', 'no scheduled game day with that join code');
    }
    const { occurrence: o, schedule: s, current } = found;
    const local = (ms: number) => formatLocal(localAt(ms, s.timeZone));
    return {
      state: o.status,
      title: s.title,
      teams: s.teams,
      opensAt: iso(o.startsAt),
      local: local(o.startsAt),
      timeZone: s.timeZone,
      durationMinutes: s.durationMinutes,
      current: current && current.joinCode !== o.joinCode ? { joinCode: current.joinCode, state: current.status, opensAt: iso(current.startsAt), local: local(current.startsAt) } : null,
    };
  });

  app.get('/api/sessions/:id/readiness', {
    schema: {
      summary: 'The readiness checklist kept with a scheduled game day',
      description: 'The facilitator\u2019s: the checklist as it stood when the lobby opened, with later ticks. `{ "scheduled": false }` for a game day that was created directly.',
      tags: ['sessions', 'schedules'],
      security: bearer,
      params: SessionIdParams,
      response: {
        200: SessionReadiness,
        403: ErrorResponse,
        ...authErrors,
      },
    },
  }, async (req, reply) => {
    const a = await authorisedHost(root, req, reply, req.params.id);
    if (!a) return reply;
    if (a.role !== 'facilitator') return sendError(reply, 'auth/forbidden', 'the readiness checklist is the facilitator\u2019s');
    const o = await manager.store.getOccurrenceBySession(a.host.id);
    const s = o && (await manager.store.getSchedule(o.scheduleId));
    // Not an error: the console asks for every game day, and most were not scheduled.
    if (!o || !s) return { scheduled: false as const };
    const readiness = readinessOut(o.readiness);
    return { scheduled: true as const, schedule: { id: s.id, title: s.title }, n: o.n, ready: readiness.every((i) => i.ok === true), readiness };
  });
}
