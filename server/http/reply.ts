// Every HTTP error goes out through here: a registry code, its status, and a message that never
// carries internals (5xx say only `internal`; the details go to the log).
import type { FastifyReply } from 'fastify';
import { ERRORS, errorBody, type ErrorCode } from '../protocol/errors.ts';

export function sendError(reply: FastifyReply, code: ErrorCode, message?: string, details?: unknown): FastifyReply {
  const status = ERRORS[code].status;
  return reply.status(status).send(errorBody(code, status >= 500 && code === 'internal' ? undefined : message, status >= 500 ? undefined : details));
}

/** Wall-clock milliseconds as ISO 8601 for REST bodies. */
export function iso(ms: number): string {
  return new Date(ms).toISOString();
}
