// What clients send over socket.io, as TypeBox schemas: validated at the edge, typed on both sides.
import Type, { type Static } from 'typebox';
import { Action } from '../engine/actions/schema.ts';
import { Fault } from '../engine/faults/schema.ts';

/** Every client action carries a key: socket.io may deliver twice; a repeated key does not act twice. */
export const IdempotencyKey = Type.String({ minLength: 8, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$', description: 'Unique per action, chosen by the client (e.g. a nanoid); a retry reuses it.' });

export const ActionMessage = Type.Object({ key: IdempotencyKey, action: Action }, { additionalProperties: false });
export type ActionMessage = Static<typeof ActionMessage>;

/** `request-hint` is the one command a participant may send: in a practice session, the next hint for their team. */
export const COMMANDS = ['start', 'pause', 'resume', 'set-speed', 'halt', 'end', 'release-hint', 'message', 'inject', 'reveal-scores', 'request-hint'] as const;
export type CommandName = (typeof COMMANDS)[number];

export const CommandMessage = Type.Object(
  {
    key: IdempotencyKey,
    command: Type.Enum(COMMANDS),
    speed: Type.Optional(Type.Number({ minimum: 0.25, maximum: 60, description: 'set-speed: simulated seconds per wall second.' })),
    hint: Type.Optional(Type.String({ maxLength: 64 })),
    team: Type.Optional(Type.String({ maxLength: 64 })),
    text: Type.Optional(Type.String({ minLength: 1, maxLength: 1000 })),
    reason: Type.Optional(Type.String({ maxLength: 300 })),
    fault: Type.Optional(Fault),
  },
  { additionalProperties: false },
);
export type CommandMessage = Static<typeof CommandMessage>;

export const LogsRequest = Type.Object(
  { service: Type.String({ maxLength: 64 }), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 300 })), team: Type.Optional(Type.String({ maxLength: 64 })) },
  { additionalProperties: false },
);
export type LogsRequest = Static<typeof LogsRequest>;

export const ResumeRequest = Type.Object({ after: Type.Integer({ minimum: 0 }) }, { additionalProperties: false });
export type ResumeRequest = Static<typeof ResumeRequest>;

export const ViewRequest = Type.Object({ team: Type.Optional(Type.String({ maxLength: 64 })) }, { additionalProperties: false });
export type ViewRequest = Static<typeof ViewRequest>;

/** socket.io handshake `auth`: a facilitator token, or a join code with team and name. */
export const HandshakeAuth = Type.Union([
  Type.Object({ token: Type.String({ minLength: 10, maxLength: 128 }), lastSeq: Type.Optional(Type.Integer({ minimum: 0 })) }, { additionalProperties: false }),
  Type.Object(
    {
      code: Type.String({ minLength: 4, maxLength: 32 }),
      team: Type.String({ minLength: 1, maxLength: 64 }),
      name: Type.String({ minLength: 1, maxLength: 80 }),
      role: Type.Optional(Type.Enum(['incident-commander', 'ops-lead', 'comms-lead', 'scribe', 'responder', 'observer'] as const)),
      lastSeq: Type.Optional(Type.Integer({ minimum: 0 })),
    },
    { additionalProperties: false },
  ),
]);
export type HandshakeAuth = Static<typeof HandshakeAuth>;

/** The largest socket.io message the server accepts (also set as the transport's maxHttpBufferSize). */
export const MAX_MESSAGE_BYTES = 16 * 1024;

const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

/** True when any key at any depth is `__proto__`, `constructor` or `prototype`. */
export function hasForbiddenKey(value: unknown, depth = 0): boolean {
  if (depth > 32 || value === null || typeof value !== 'object') return false;
  for (const key of Object.keys(value)) {
    if (FORBIDDEN.has(key)) return true;
    if (hasForbiddenKey((value as Record<string, unknown>)[key], depth + 1)) return true;
  }
  return false;
}
