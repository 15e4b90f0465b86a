// REST bodies of "my practice" (server/http/routes/practice.ts): a player's own practice drills and
// streak, proven by the participant tokens their browser kept (docs/participant-guide.md).
import Type, { type Static } from 'typebox';
import { IsoTime } from './rest.ts';

const Day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'A calendar day, YYYY-MM-DD.' });

export const PracticeHistoryBody = Type.Object(
  {
    tokens: Type.Array(Type.String({ minLength: 10, maxLength: 128 }), {
      minItems: 1,
      maxItems: 200,
      description: 'Participant tokens of the practice drills this browser played (kept in localStorage): they prove the drills are the caller\u2019s.',
    }),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 80, description: 'Only drills played under this display name (the browser may be shared).' })),
    today: Type.Optional(Day),
    utcOffsetMinutes: Type.Optional(Type.Integer({ minimum: -840, maximum: 840, description: 'The player\u2019s time zone, minutes ahead of UTC: drills count on the player\u2019s own calendar day. Default 0.' })),
  },
  { additionalProperties: false },
);
export type PracticeHistoryBody = Static<typeof PracticeHistoryBody>;

export const PracticeDrill = Type.Object({
  sessionId: Type.String(),
  scenarioId: Type.String(),
  scenarioTitle: Type.String(),
  name: Type.String({ description: 'The display name the drill was played under.' }),
  endedAt: IsoTime,
  day: Day,
  outcome: Type.Union([Type.String(), Type.Null()]),
  total: Type.Number(),
  dimensions: Type.Object({ detection: Type.Number(), escalation: Type.Number(), runbook: Type.Number(), mitigation: Type.Number(), communication: Type.Number() }),
  hints: Type.Object({ count: Type.Integer(), cost: Type.Number() }),
  ttmSeconds: Type.Union([Type.Number(), Type.Null()]),
});
export type PracticeDrill = Static<typeof PracticeDrill>;

export const PracticeHistory = Type.Object({
  drills: Type.Array(PracticeDrill, { description: 'Ended practice drills, newest first.' }),
  streak: Type.Object({
    current: Type.Integer({ description: 'Days in a row with a drill, up to today (or yesterday when today has none yet).' }),
    longest: Type.Integer(),
  }),
  today: Day,
  best: Type.Union([Type.Number(), Type.Null()]),
  unknown: Type.Array(Type.String(), { description: 'Tokens that name no participant on this server (a wiped database): the client may forget them.' }),
});
export type PracticeHistory = Static<typeof PracticeHistory>;
