// One registry of the errors the server returns over HTTP and socket.io. Every error has a stable
// code, an HTTP status and a message; docs/protocol.md lists them and test/unit/protocol-doc.test.ts
// keeps the two in step. Action results from the engine (e.g. `action/no-access`) pass through as
// they are: they are listed in docs/protocol.md too.

export const ERRORS = {
  'auth/missing': { status: 401, message: 'authentication required: a facilitator token, or a join code with a team and a name' },
  'auth/invalid-token': { status: 401, message: 'unknown token' },
  'auth/unknown-code': { status: 404, message: 'no game day with that join code' },
  'auth/rate-limited': { status: 429, message: 'too many attempts: wait a minute and try again' },
  'auth/origin': { status: 403, message: 'this origin is not allowed to connect' },
  'auth/forbidden': { status: 403, message: 'not allowed for your role' },
  'auth/not-admin': { status: 403, message: 'this needs the operator\u2019s admin token (`Authorization: Bearer <FIREDRILL_ADMIN_TOKEN>`)' },
  'auth/unknown-team': { status: 400, message: 'no such team in this game day' },
  'session/not-found': { status: 404, message: 'no such session' },
  'session/not-running': { status: 409, message: 'the session is not running' },
  'session/wrong-phase': { status: 409, message: 'not possible in the session\u2019s current phase' },
  'session/ended': { status: 409, message: 'the session has ended' },
  'server/halted-all': { status: 503, message: 'the operator halted every game day on this server; nothing starts until released' },
  'server/shutting-down': { status: 503, message: 'the server is shutting down' },
  'message/invalid': { status: 400, message: 'malformed message' },
  'message/too-large': { status: 413, message: 'message too large' },
  'message/rate-limited': { status: 429, message: 'too many messages: slow down' },
  'message/forbidden-key': { status: 400, message: 'keys named __proto__, constructor or prototype are refused' },
  'scenario/not-found': { status: 404, message: 'no such scenario' },
  'scenario/invalid': { status: 422, message: 'the scenario has problems' },
  'scenario/too-long': { status: 422, message: 'dry runs are limited to scenarios of at most 4 hours of simulated time' },
  'dry-run/busy': { status: 503, message: 'every dry-run slot is in use: try again in a few seconds' },
  'dry-run/timeout': { status: 503, message: 'the dry run took too long and was stopped' },
  'workload/not-found': { status: 404, message: 'no such workload' },
  'scores/hidden': { status: 403, message: 'scores are hidden until the facilitator reveals them or the game day ends' },
  'report/not-available': { status: 403, message: 'the report opens to participants once the facilitator reveals the scores or the game day ends' },
  'lesson/not-found': { status: 404, message: 'no such lesson in this game day' },
  'action-item/not-found': { status: 404, message: 'no such action item in this game day' },
  'schedule/not-found': { status: 404, message: 'no such scheduled game day' },
  'request/invalid': { status: 400, message: 'invalid request' },
  'request/unsupported-media-type': { status: 415, message: 'send the body as JSON (`Content-Type: application/json`)' },
  'request/rate-limited': { status: 429, message: 'too many requests: slow down' },
  'not-found': { status: 404, message: 'not found' },
  internal: { status: 500, message: 'internal error' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERRORS;

/** The body of every error, over HTTP and socket.io. */
export interface ErrorBody {
  code: string;
  message: string;
  /** What the error is about: a field, an idempotency key, a problem list. */
  details?: unknown;
}

export function errorBody(code: ErrorCode, message?: string, details?: unknown): ErrorBody {
  return { code, message: message ?? ERRORS[code].message, ...(details !== undefined ? { details } : {}) };
}
