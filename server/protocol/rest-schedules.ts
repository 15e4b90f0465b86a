// REST bodies of the scheduled game days (server/http/routes/schedules.ts), as TypeBox schemas:
// validation, OpenAPI and the client's types (client/src/lib/schedule-api.ts).
import Type, { type Static } from 'typebox';
import { TeamName } from './rest.ts';

const Id = Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' });
const Person = Type.String({ minLength: 1, maxLength: 80 });
export const Staffing = Type.Record(Type.String(), Type.Array(Person, { maxItems: 20 }), { description: 'Team → who is assigned to it ahead of the day.' });
export type Staffing = Static<typeof Staffing>;

export const CreateScheduleBody = Type.Object(
  {
    title: Type.Optional(Type.String({ maxLength: 120, description: 'Default: the scenario\u2019s title, or `Game day: #<tag>`.' })),
    scenario: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$', description: 'One scenario of the library; or give `tag`.' })),
    tag: Type.Optional(Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,39}$', description: 'Each game day picks a scenario with this tag (rotation: one the teams have not played, unless `allowRepeats`).' })),
    start: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}$', description: 'The first game day, local time in `timeZone`: `YYYY-MM-DDTHH:MM`.' }),
    timeZone: Type.String({ minLength: 1, maxLength: 64, description: 'An IANA zone: `Europe/London`, `America/New_York`, `UTC`.' }),
    durationMinutes: Type.Integer({ minimum: 5, maximum: 1440, description: 'How long the game day lasts (the invitation\u2019s length, and the window in which a lobby still opens after a restart).' }),
    teams: Type.Array(TeamName, { minItems: 1, maxItems: 20 }),
    staffing: Type.Optional(Staffing),
    recurrence: Type.Optional(Type.String({ maxLength: 100, description: '`first Tuesday monthly`, `every 2 weeks on Thursday`, `weekly on Monday`, `monthly on day 15`, `last Friday monthly`. Absent: once.' })),
    allowRepeats: Type.Optional(Type.Boolean({ description: 'Rotation may pick a scenario the teams already played.' })),
    speed: Type.Optional(Type.Number({ minimum: 0.25, maximum: 60 })),
  },
  { additionalProperties: false },
);
export type CreateScheduleBody = Static<typeof CreateScheduleBody>;

export const Readiness = Type.Object({
  id: Type.String(),
  label: Type.String(),
  kind: Type.Union([Type.Literal('automatic'), Type.Literal('manual')]),
  ok: Type.Union([Type.Boolean(), Type.Null()], { description: 'null: not checked (automatic) or not ticked (manual).' }),
  detail: Type.Optional(Type.String()),
  by: Type.Optional(Type.String({ description: 'Who ticked it (manual items).' })),
  at: Type.Optional(Type.String({ description: 'When it was checked or ticked.' })),
});
export type Readiness = Static<typeof Readiness>;

export const OccurrenceView = Type.Object({
  n: Type.Integer({ description: '0 for the first game day of the schedule.' }),
  startsAt: Type.String({ description: 'When the lobby opens (UTC).' }),
  local: Type.String({ description: 'The same instant in the schedule\u2019s zone, `YYYY-MM-DDTHH:MM`.' }),
  scenario: Type.Object({ id: Type.String(), title: Type.String() }),
  status: Type.Union([Type.Literal('scheduled'), Type.Literal('opened'), Type.Literal('missed'), Type.Literal('cancelled')]),
  joinCode: Type.String(),
  joinLink: Type.String(),
  facilitatorToken: Type.String({ description: 'The console\u2019s key to the session once it is opened.' }),
  sessionId: Type.Union([Type.String(), Type.Null()]),
  note: Type.Union([Type.String(), Type.Null()]),
  ready: Type.Boolean({ description: 'Every item of the checklist is ok.' }),
  readiness: Type.Array(Readiness),
});
export type OccurrenceView = Static<typeof OccurrenceView>;

export const ScheduleView = Type.Object({
  id: Type.String(),
  title: Type.String(),
  scenario: Type.Union([Type.String(), Type.Null()]),
  tag: Type.Union([Type.String(), Type.Null()]),
  start: Type.String(),
  timeZone: Type.String(),
  durationMinutes: Type.Integer(),
  teams: Type.Array(Type.String()),
  staffing: Staffing,
  recurrence: Type.Union([Type.String(), Type.Null()], { description: 'The rule in canonical words.' }),
  rrule: Type.Union([Type.String(), Type.Null()], { description: 'The same as an RFC 5545 RRULE.' }),
  allowRepeats: Type.Boolean(),
  speed: Type.Number(),
  createdAt: Type.String(),
  cancelledAt: Type.Union([Type.String(), Type.Null()]),
  occurrences: Type.Array(OccurrenceView, { description: 'Past game days and the next one (allocated ahead, with its join code).' }),
});
export type ScheduleView = Static<typeof ScheduleView>;

export const CreatedSchedule = Type.Object({
  token: Type.String({ description: 'Keep it: it reads and changes this schedule (`Authorization: Bearer`).' }),
  schedule: ScheduleView,
});
export type CreatedSchedule = Static<typeof CreatedSchedule>;

export const ScheduleSummary = Type.Object({
  id: Type.String(),
  title: Type.String(),
  timeZone: Type.String(),
  durationMinutes: Type.Integer(),
  teams: Type.Array(Type.String()),
  recurrence: Type.Union([Type.String(), Type.Null()]),
  next: Type.Union([
    Type.Object({ n: Type.Integer(), startsAt: Type.String(), local: Type.String(), status: Type.String() }),
    Type.Null(),
  ], { description: 'The next game day (or the one open now); null when the schedule has none left.' }),
});
export type ScheduleSummary = Static<typeof ScheduleSummary>;

export const ScheduleParams = Type.Object({ id: Id }, { additionalProperties: false });
export const OccurrenceParams = Type.Object({ id: Id, n: Type.Integer({ minimum: 0, maximum: 100000 }) }, { additionalProperties: false });
export const ItemParams = Type.Object({ id: Id, n: Type.Integer({ minimum: 0, maximum: 100000 }), item: Type.String({ pattern: '^[a-z-]{1,40}$' }) }, { additionalProperties: false });
export const TickBody = Type.Object({ done: Type.Boolean(), by: Type.String({ minLength: 1, maxLength: 80, description: 'Who ticks it.' }) }, { additionalProperties: false });
export type TickBody = Static<typeof TickBody>;
export const CodeParams = Type.Object({ code: Type.String({ pattern: '^[A-Za-z0-9]{4,32}$' }) }, { additionalProperties: false });

export const JoinInfo = Type.Object({
  state: Type.Union([Type.Literal('scheduled'), Type.Literal('opened'), Type.Literal('missed'), Type.Literal('cancelled')]),
  title: Type.String(),
  teams: Type.Array(Type.String()),
  opensAt: Type.String(),
  local: Type.String({ description: 'When it opens, in the schedule\u2019s zone.' }),
  timeZone: Type.String(),
  durationMinutes: Type.Integer(),
  current: Type.Union([
    Type.Object({ joinCode: Type.String(), state: Type.String(), opensAt: Type.String(), local: Type.String() }),
    Type.Null(),
  ], { description: 'For a recurring schedule, its current game day when this code is an older one\u2019s.' }),
});
export type JoinInfo = Static<typeof JoinInfo>;

export const ScheduleList = Type.Object({ schedules: Type.Array(ScheduleSummary) });
export type ScheduleList = Static<typeof ScheduleList>;

export const StaffingBody = Type.Object({ staffing: Staffing }, { additionalProperties: false });

export const SessionReadiness = Type.Union([
  Type.Object({ scheduled: Type.Literal(true), schedule: Type.Object({ id: Type.String(), title: Type.String() }), n: Type.Integer(), ready: Type.Boolean(), readiness: Type.Array(Readiness) }),
  Type.Object({ scheduled: Type.Literal(false) }),
]);
export type SessionReadiness = Static<typeof SessionReadiness>;
