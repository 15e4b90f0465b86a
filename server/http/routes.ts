// REST routes. Schemas are TypeBox (JSON Schema), the same source as the TypeScript types.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { parseDuration } from '../engine/duration.ts';
import { errorBody } from '../protocol/errors.ts';
import { CreateSessionBody, CreatedSession, ErrorResponse, ScenarioSummary } from '../protocol/rest.ts';
import type { SessionHost } from '../live/host.ts';

export async function registerRoutes(app: FastifyInstance): Promise<void> {
  const { manager, library } = app.firedrill;

  app.get('/api/scenarios', {
    schema: { summary: 'The scenario library', tags: ['scenarios'], response: { 200: Type.Object({ scenarios: Type.Array(ScenarioSummary) }) } },
  }, async () => ({
    scenarios: [...library.scenarios.values()]
      .map(({ spec }) => ({
        id: spec.id,
        title: spec.title,
        summary: spec.summary,
        difficulty: spec.difficulty,
        duration: parseDuration(spec.duration),
        workload: spec.workload,
        tags: spec.tags ?? [],
        services: library.workloads.get(spec.workload)?.services.length ?? 0,
      }))
      .sort((a, b) => a.id.localeCompare(b.id)),
  }));

  app.post('/api/sessions', {
    schema: { summary: 'Create a game day', tags: ['sessions'], body: CreateSessionBody, response: { 201: CreatedSession, 400: ErrorResponse, 404: ErrorResponse, 503: ErrorResponse } },
  }, async (req, reply) => {
    const body = req.body as { scenario: string; seed?: string | number; teams?: string[]; speed?: number };
    if (app.firedrill.shuttingDown) return reply.status(503).send(errorBody('server/shutting-down'));
    const created = await manager.createSession({ scenario: body.scenario, seed: body.seed, teams: body.teams, speed: body.speed });
    if ('error' in created) return reply.status(created.error.code === 'scenario/not-found' ? 404 : 400).send(created.error);
    req.log.info({ session: created.id, scenario: body.scenario }, 'session created');
    return reply.status(201).send(created);
  });
}

/** The session a request may read: the facilitator's token (Bearer) or a participant's. */
export async function authorisedHost(app: FastifyInstance, req: FastifyRequest, reply: FastifyReply, id: string): Promise<{ host: SessionHost; role: 'facilitator' | 'participant'; team?: string } | null> {
  const header = req.headers.authorization ?? '';
  const token = header.startsWith('Bearer ') ? header.slice(7).trim() : '';
  if (!token) {
    await reply.status(401).send(errorBody('auth/missing', 'send the facilitator or participant token as `Authorization: Bearer <token>`'));
    return null;
  }
  const { manager } = app.firedrill;
  const host = await manager.get(id);
  if (host && host.record.facilitatorToken === token) return { host, role: 'facilitator' };
  const p = await manager.store.getParticipantByToken(token);
  if (host && p && p.sessionId === id) return { host, role: 'participant', team: p.team };
  // The same answer whether the session exists or not: tokens do not reveal other sessions.
  await reply.status(404).send(errorBody('session/not-found'));
  return null;
}
