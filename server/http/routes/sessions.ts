// Game days over REST: create one, list them (operator), and — with a session's facilitator or
// participant token — read its state, event log, scores and after-action report. Participants see
// what they would see in the game: their own team, visible events only, scores once revealed.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { parseDuration, roundTime } from '../../engine/duration.ts';
import { VISIBLE_EVENTS } from '../../engine/session/view.ts';
import { runResult } from '../../engine/session/result.ts';
import { leaderboard } from '../../engine/scoring/index.ts';
import { buildReport, renderHtml, renderJson, renderMarkdown } from '../../engine/report/index.ts';
import type { SessionEvent } from '../../engine/session/events.ts';
import type { SessionHost } from '../../live/host.ts';
import { ERRORS, type ErrorCode } from '../../protocol/errors.ts';
import {
  CreateSessionBody, CreatedSession, ErrorResponse, EventsPage, EventsQuery, ReportQuery, ScoreResponse, SessionIdParams, SessionList, SessionListQuery, SessionState,
} from '../../protocol/rest.ts';
import { authorisedHost, requireAdmin, type SessionAccess } from '../auth.ts';
import { iso, sendError } from '../reply.ts';
import { debriefRoutes } from './debrief.ts';

const bearer = [{ bearer: [] }];
const authErrors = { 401: ErrorResponse, 404: ErrorResponse, 429: ErrorResponse };

/** Participants see scores and the report once the facilitator reveals them or the game day ends. */
function scoresOpen(host: SessionHost): boolean {
  return host.record.scoresVisible || host.phase === 'ended';
}

function scoresOf(host: SessionHost) {
  return leaderboard(host.session.events, host.record.scenario, host.record.teams, host.session.runbooks);
}

/** Whether an event of the log is shown to a caller: facilitators see all, participants what the game showed them. */
function visibleTo(access: SessionAccess, e: SessionEvent): boolean {
  if (access.role === 'facilitator') return true;
  return (e.team === undefined || e.team === access.team) && VISIBLE_EVENTS.has(e.type);
}

export async function sessionRoutes(root: FastifyInstance): Promise<void> {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const { manager } = root.firedrill;

  // Lessons learned and action items: /api/sessions/:id/lessons, …/action-items, /api/action-items.
  await app.register(debriefRoutes);

  app.post('/api/sessions', {
    schema: {
      summary: 'Create a game day',
      description: 'Creates a session in the lobby. Keep `facilitatorToken` secret; hand `joinCode` to the participants.',
      tags: ['sessions'],
      body: CreateSessionBody,
      response: { 201: CreatedSession, 400: ErrorResponse, 404: ErrorResponse, 422: ErrorResponse, 503: ErrorResponse },
    },
  }, async (req, reply) => {
    const body = req.body;
    if (root.firedrill.shuttingDown) return sendError(reply, 'server/shutting-down');
    const created = await manager.createSession({ scenario: body.scenario, seed: body.seed, teams: body.teams, speed: body.speed });
    if ('error' in created) {
      const code = (created.error.code in ERRORS ? created.error.code : 'request/invalid') as ErrorCode;
      return sendError(reply, code, created.error.message);
    }
    if (body.practice) {
      // Practice mode is an input of the session (so a restart replays it), applied in the lobby.
      const host = await manager.get(created.id);
      const out = await host?.command({ command: 'practice' }, null);
      if (!out?.result.ok) return sendError(reply, 'internal', `session ${created.id} was created but practice mode could not be switched on`);
    }
    req.log.info({ session: created.id, scenario: body.scenario, practice: body.practice === true }, 'session created');
    return reply.status(201).send(created);
  });

  app.get('/api/sessions', {
    schema: {
      summary: 'Past and current game days (operator)',
      description:
        'Newest first, with the admin token only: on a shared server, which teams played what is not for everyone. ' +
        'Never includes tokens or join codes. 404 when the server has no admin token.',
      tags: ['sessions', 'admin'],
      security: bearer,
      querystring: SessionListQuery,
      response: { 200: SessionList, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 429: ErrorResponse },
    },
    onRequest: async (req, reply) => {
      if (!(await requireAdmin(root, req, reply))) return reply;
    },
  }, async (req) => {
    const limit = req.query.limit ?? 50;
    const offset = req.query.offset ?? 0;
    const rows = await manager.store.listSessions({ limit, offset });
    return {
      sessions: rows.map((s) => ({ id: s.id, scenario: s.scenarioId, title: s.title, teams: s.teams, phase: s.phase, outcome: s.outcome, createdAt: iso(s.createdAt), endedAt: s.endedAt === null ? null : iso(s.endedAt) })),
      limit,
      offset,
    };
  });

  app.get('/api/sessions/:id', {
    schema: {
      summary: 'A game day\u2019s state',
      description: 'Phase, simulated time, speed and teams. The facilitator sees every team, the join code and live scores; a participant sees their own team\u2019s details, and scores once they are revealed.',
      tags: ['sessions'],
      security: bearer,
      params: SessionIdParams,
      response: { 200: SessionState, ...authErrors },
    },
  }, async (req, reply) => {
    const access = await authorisedHost(root, req, reply, req.params.id);
    if (!access) return reply;
    const { host } = access;
    const r = host.record;
    const facilitator = access.role === 'facilitator';
    const people = await manager.store.listParticipants(host.id);
    const showScores = facilitator || scoresOpen(host);
    const board = showScores ? scoresOf(host).rows : [];
    const s = r.scenario;
    // SessionHost.persistPhase stores endedAt but does not copy it into host.record: read it back.
    const endedAt = r.endedAt ?? (host.phase === 'ended' ? ((await manager.store.getSession(host.id))?.endedAt ?? null) : null);
    return {
      id: host.id,
      scenario: { id: s.id, title: s.title, difficulty: s.difficulty, duration: parseDuration(s.duration), workload: s.workload },
      you: access.role === 'facilitator' ? { role: 'facilitator' as const } : { role: 'participant' as const, id: access.participant.id, name: access.participant.name, team: access.team, teamRole: access.participant.role },
      ...(facilitator ? { joinCode: r.joinCode } : {}),
      phase: host.phase,
      outcome: host.session.outcome,
      t: roundTime(host.simNow()),
      speed: host.speed,
      lastSeq: host.published,
      scoresVisible: scoresOpen(host),
      haltedAll: host.haltedAll,
      createdAt: iso(r.createdAt),
      endedAt: endedAt === null ? null : iso(endedAt),
      teams: r.teams.map((id) => {
        const row = board.find((b) => b.team === id);
        const score = row ? { score: { total: row.total, rank: row.rank } } : {};
        if (!facilitator && access.role === 'participant' && access.team !== id) return { id, ...score };
        const team = host.session.team(id);
        return {
          id,
          participants: people.filter((p) => p.team === id).map((p) => ({ id: p.id, name: p.name, role: p.role, joinedAt: iso(p.joinedAt) })),
          mitigatedAt: team?.mitigatedAt ?? null,
          ended: team?.ended ? { outcome: team.ended.outcome, reason: team.ended.reason, t: team.ended.t } : null,
          ...score,
        };
      }),
    };
  });

  app.get('/api/sessions/:id/events', {
    schema: {
      summary: 'Export the event log',
      description:
        'Events with `seq` > `after`, oldest first, at most `limit`. The facilitator gets everything (fault injections, branches, traps, metric samples); ' +
        'a participant the events their team saw. With `Accept: application/x-ndjson`, one event per line (page with the last line\u2019s `seq`).',
      tags: ['sessions'],
      security: bearer,
      params: SessionIdParams,
      querystring: EventsQuery,
      response: {
        200: {
          description: 'A page of events.',
          content: {
            'application/json': { schema: EventsPage },
            'application/x-ndjson': { schema: Type.String({ description: 'One JSON event per line.' }) },
          },
        },
        400: ErrorResponse,
        403: ErrorResponse,
        ...authErrors,
      },
    },
  }, async (req, reply) => {
    const access = await authorisedHost(root, req, reply, req.params.id);
    if (!access) return reply;
    const { host } = access;
    const team = req.query.team;
    if (team !== undefined) {
      if (access.role === 'participant' && team !== access.team) return sendError(reply, 'auth/forbidden', 'you can only read your own team\u2019s events');
      if (!host.record.teams.includes(team)) return sendError(reply, 'auth/unknown-team', `no team "${team}" (teams: ${host.record.teams.join(', ')})`);
    }
    const after = req.query.after ?? 0;
    const limit = req.query.limit ?? 1000;
    const all = host.session.events;
    const events: SessionEvent[] = [];
    let more = false;
    for (let i = Math.min(after, host.published); i < host.published; i++) {
      const e = all[i];
      if (!visibleTo(access, e) || (team !== undefined && e.team !== undefined && e.team !== team)) continue;
      if (events.length === limit) {
        more = true;
        break;
      }
      events.push(e);
    }
    const next = events.length ? events[events.length - 1].seq : Math.max(after, 0);
    if (wantsNdjson(req.headers.accept)) {
      reply.header('x-firedrill-last-seq', String(host.published)).header('x-firedrill-more', String(more));
      return reply.type('application/x-ndjson; charset=utf-8').send(events.map((e) => JSON.stringify(e) + '\n').join(''));
    }
    return reply.type('application/json; charset=utf-8').send({ events, lastSeq: host.published, next, more });
  });

  app.get('/api/sessions/:id/score', {
    schema: {
      summary: 'Scores and leaderboard',
      description: 'The leaderboard and each team\u2019s score (dimensions, findings). The facilitator always; a participant once scores are revealed or the game day ended, with their own team\u2019s breakdown.',
      tags: ['sessions'],
      security: bearer,
      params: SessionIdParams,
      response: { 200: ScoreResponse, 403: ErrorResponse, ...authErrors },
    },
  }, async (req, reply) => {
    const access = await authorisedHost(root, req, reply, req.params.id);
    if (!access) return reply;
    const { host } = access;
    if (access.role === 'participant' && !scoresOpen(host)) return sendError(reply, 'scores/hidden');
    const board = scoresOf(host);
    return {
      visible: scoresOpen(host),
      final: host.phase === 'ended',
      leaderboard: board.rows,
      teams: access.role === 'facilitator' ? board.scores : board.scores.filter((s) => s.team === access.team),
    };
  });

  app.get('/api/sessions/:id/report', {
    schema: {
      summary: 'The after-action report',
      description:
        'Markdown, a self-contained HTML page (default) or JSON: timeline, charts with injection markers, scores with explanations, and the lessons and action items recorded so far (blank rows when none). ' +
        'The facilitator at any time (a report so far); participants once scores are revealed or the game day ended. `download=true` sends it as an attachment.',
      tags: ['sessions'],
      security: bearer,
      params: SessionIdParams,
      querystring: ReportQuery,
      produces: ['text/html', 'text/markdown', 'application/json'],
      response: {
        200: {
          description: 'The report in the asked format.',
          content: {
            'text/html': { schema: Type.String() },
            'text/markdown': { schema: Type.String() },
            'application/json': { schema: Type.Object({ version: Type.Integer() }, { additionalProperties: true }) },
          },
        },
        403: ErrorResponse,
        ...authErrors,
      },
    },
  }, async (req, reply) => {
    const access = await authorisedHost(root, req, reply, req.params.id);
    if (!access) return reply;
    const { host } = access;
    if (access.role === 'participant' && !scoresOpen(host)) return sendError(reply, 'report/not-available');
    const format = req.query.format ?? 'html';
    // The lessons and action items recorded at the debrief replace the blank rows.
    // A scheduled game day's readiness checklist as it stood when the lobby opened and after.
    const [lessons, actionItems, occurrence] = await Promise.all([manager.store.listLessons(host.id), manager.store.listActionItems(host.id), manager.store.getOccurrenceBySession(host.id)]);
    const readiness = occurrence?.readiness.map((c) => ({ label: c.label, kind: c.kind, ok: c.ok, ...(c.detail ? { detail: c.detail } : {}), ...(c.by ? { by: c.by } : {}), ...(c.at !== undefined ? { at: `${new Date(c.at).toISOString().slice(0, 16).replace('T', ' ')} UTC` } : {}) }));
    const report = buildReport(runResult(host.session), host.record.scenario, { lessons, actionItems, ...(readiness ? { readiness } : {}) });
    if (req.query.download) reply.header('content-disposition', `attachment; filename="firedrill-${host.record.scenario.id}-${host.id}.${format}"`);
    reply.header('x-content-type-options', 'nosniff');
    return sendReport(reply, format, format === 'md' ? renderMarkdown(report) : format === 'json' ? renderJson(report) : renderHtml(report));
  });
}

function sendReport(reply: FastifyReply, format: 'md' | 'html' | 'json', body: string): FastifyReply {
  if (format === 'md') return reply.type('text/markdown; charset=utf-8').send(body);
  if (format === 'json') return reply.type('application/json; charset=utf-8').send(body);
  // The page is self-contained (inline styles and one inline script that opens sections for printing).
  reply.header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
  return reply.type('text/html; charset=utf-8').send(body);
}

/** True when the client prefers NDJSON (listed and not refused with q=0). */
export function wantsNdjson(accept: string | undefined): boolean {
  if (!accept) return false;
  return accept.split(',').some((part) => {
    const [type, ...params] = part.trim().toLowerCase().split(';').map((s) => s.trim());
    return type === 'application/x-ndjson' && !params.some((p) => /^q=0(\.0*)?$/.test(p));
  });
}
