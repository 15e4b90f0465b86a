// Who a REST request is: a session's facilitator or participant (Bearer token), or the operator
// (the admin token). Failed lookups are counted per IP: after 10, one more every 6 s, and while an
// IP is over the limit even a right token is refused — otherwise the limit would not slow guessing.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SessionHost } from '../live/host.ts';
import type { ParticipantRecord } from '../store/store.ts';
import { sendError } from './reply.ts';

export type SessionAccess =
  | { host: SessionHost; role: 'facilitator' }
  | { host: SessionHost; role: 'participant'; participant: ParticipantRecord; team: string };

/** The token of `Authorization: Bearer <token>`, or '' when there is none. */
export function bearerToken(req: FastifyRequest): string {
  const header = req.headers.authorization ?? '';
  const m = /^Bearer[ ]+(\S{1,256})\s*$/i.exec(header);
  return m ? m[1] : '';
}

/** Refuses with 429 when the request's IP has failed too often; true when it may go on. */
function withinLimit(app: FastifyInstance, req: FastifyRequest, reply: FastifyReply): boolean {
  if (app.firedrill.authLimiter.peek(req.ip)) return true;
  req.log.warn({ ip: req.ip, route: req.routeOptions.url }, 'REST refused: too many failed token lookups from this address');
  void sendError(reply, 'auth/rate-limited');
  return false;
}

function failed(app: FastifyInstance, req: FastifyRequest, kind: 'session-token' | 'admin-token'): void {
  app.firedrill.authLimiter.take(req.ip);
  app.firedrill.httpMetrics.authFailures.inc({ kind });
  req.log.warn({ ip: req.ip, route: req.routeOptions.url, kind }, 'REST refused: unknown token');
}

/**
 * The session a request may read, with the caller's role. Tokens are looked up first and the
 * session loaded only for a token that belongs to it, so a wrong token costs one indexed lookup
 * and answers the same 404 whether the session exists or not.
 */
export async function authorisedHost(app: FastifyInstance, req: FastifyRequest, reply: FastifyReply, id: string): Promise<SessionAccess | null> {
  const token = bearerToken(req);
  if (!token) {
    await sendError(reply, 'auth/missing', 'send the facilitator or participant token as `Authorization: Bearer <token>`');
    return null;
  }
  if (!withinLimit(app, req, reply)) return null;
  const { manager } = app.firedrill;
  const record = await manager.store.getSessionByFacilitatorToken(token);
  if (record) {
    if (record.id === id) {
      const host = await manager.get(id);
      if (host) return { host, role: 'facilitator' };
    }
  } else {
    const p = await manager.store.getParticipantByToken(token);
    if (p && p.sessionId === id) {
      const host = await manager.get(id);
      if (host) return { host, role: 'participant', participant: p, team: p.team };
    }
  }
  failed(app, req, 'session-token');
  await sendError(reply, 'session/not-found');
  return null;
}

function sameSecret(a: string, b: string): boolean {
  const h = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(h(a), h(b));
}

/** True when the request carries the admin token. */
export function isAdmin(app: FastifyInstance, req: FastifyRequest): boolean {
  const admin = app.firedrill.adminToken;
  const token = bearerToken(req);
  return !!admin && !!token && sameSecret(token, admin);
}

/**
 * Guards an operator route: 404 (as if the route did not exist) when the server has no admin
 * token, 401 without a token, 429 when rate-limited, 403 for a wrong one. True when allowed.
 */
export async function requireAdmin(app: FastifyInstance, req: FastifyRequest, reply: FastifyReply): Promise<boolean> {
  const admin = app.firedrill.adminToken;
  if (!admin) {
    await sendError(reply, 'not-found', `no route ${req.method} ${req.url.split('?')[0]}`);
    return false;
  }
  const token = bearerToken(req);
  if (!token) {
    await sendError(reply, 'auth/missing', 'send the admin token as `Authorization: Bearer <token>`');
    return false;
  }
  if (!withinLimit(app, req, reply)) return false;
  if (!sameSecret(token, admin)) {
    failed(app, req, 'admin-token');
    await sendError(reply, 'auth/not-admin');
    return false;
  }
  return true;
}

/**
 * A token that may see a scenario's full spec: the admin token, or the facilitator token of a
 * session of that scenario. Unknown tokens count as failures (the public view is still answered).
 */
export async function mayReadFullScenario(app: FastifyInstance, req: FastifyRequest, reply: FastifyReply, scenarioId: string): Promise<boolean | null> {
  const token = bearerToken(req);
  if (!token) return false;
  if (!withinLimit(app, req, reply)) return null;
  if (isAdmin(app, req)) return true;
  const record = await app.firedrill.manager.store.getSessionByFacilitatorToken(token);
  if (record) return record.scenario.id === scenarioId;
  if (!(await app.firedrill.manager.store.getParticipantByToken(token))) failed(app, req, 'session-token');
  return false;
}
