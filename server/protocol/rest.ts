// Request and response bodies of the REST API, as TypeBox schemas (validation, OpenAPI, types).
import Type, { type Static } from 'typebox';

export const ErrorResponse = Type.Object(
  { code: Type.String(), message: Type.String(), details: Type.Optional(Type.Unknown()) },
  { description: 'Every error: a stable code (see docs/protocol.md), a message, sometimes details.' },
);

export const TeamName = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9 _.-]{0,31}$', description: 'A team name: up to 32 letters, digits, spaces, `_`, `.` or `-`.' });

export const CreateSessionBody = Type.Object(
  {
    scenario: Type.String({ minLength: 1, maxLength: 64, description: 'A scenario id from GET /api/scenarios.' }),
    seed: Type.Optional(Type.Union([Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }), Type.String({ minLength: 1, maxLength: 40 })])),
    teams: Type.Optional(Type.Array(TeamName, { minItems: 1, maxItems: 20, description: 'Team names (default one team, `team-1`).' })),
    speed: Type.Optional(Type.Number({ minimum: 0.25, maximum: 60, description: 'Simulated seconds per wall second (default 1).' })),
  },
  { additionalProperties: false },
);
export type CreateSessionBody = Static<typeof CreateSessionBody>;

export const CreatedSession = Type.Object({
  id: Type.String(),
  joinCode: Type.String({ description: 'Participants join with this code, a team and a name.' }),
  facilitatorToken: Type.String({ description: 'Keep it secret: it controls the session (socket auth `token`, REST `Authorization: Bearer`).' }),
});

export const ScenarioSummary = Type.Object({
  id: Type.String(),
  title: Type.String(),
  summary: Type.String(),
  difficulty: Type.String(),
  duration: Type.Number({ description: 'Seconds of simulated time.' }),
  workload: Type.String(),
  tags: Type.Array(Type.String()),
  services: Type.Integer(),
});
