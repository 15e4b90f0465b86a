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
    practice: Type.Optional(Type.Boolean({ description: 'Practice mode (solo drills): bots answer pages and ask for status updates, and players may ask for hints (each costs its points). Default false.' })),
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

// ---- scenarios and workloads ----

export const ScenarioIdParams = Type.Object({ id: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$', description: 'A scenario id from GET /api/scenarios.' }) }, { additionalProperties: false });
export const RunbookIdParams = Type.Object({ id: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$', description: 'A runbook id (from a workload\u2019s services or alert rules).' }) }, { additionalProperties: false });

export const RunbookDetail = Type.Object({
  id: Type.String(),
  title: Type.String(),
  services: Type.Array(Type.String()),
  steps: Type.Array(
    Type.Object({
      n: Type.Integer(),
      title: Type.String(),
      body: Type.String({ description: 'The step\u2019s Markdown, without its heading and directive.' }),
      directive: Type.Optional(Type.Object({ type: Type.String(), text: Type.String({ description: 'What the step runs or checks, e.g. `rollback service=orders`.' }) })),
    }),
  ),
});

export const WorkloadIdParams = Type.Object({ id: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$', description: 'A workload id (a scenario\u2019s `workload`).' }) }, { additionalProperties: false });

export const OnCallTeamSummary = Type.Object({
  id: Type.String(),
  name: Type.String(),
  responseSeconds: Type.Number({ description: 'A paged responder joins after this long.' }),
  escalation: Type.Array(Type.String(), { description: 'Who is paged at each level, in order.' }),
});

/** What anyone may read about a scenario: no timeline, branches, root cause, hints or expectations. */
export const ScenarioPublic = Type.Object({
  id: Type.String(),
  title: Type.String(),
  summary: Type.String(),
  difficulty: Type.String(),
  duration: Type.Number({ description: 'Seconds of simulated time.' }),
  tags: Type.Array(Type.String()),
  objectives: Type.Array(Type.String()),
  briefing: Type.String({ description: 'Markdown, read to the teams before the start.' }),
  players: Type.Array(Type.String(), { description: 'On-call teams the players act as (empty: every team).' }),
  hints: Type.Integer({ description: 'How many hints the scenario has (their text is for the facilitator).' }),
  workload: Type.Object({
    id: Type.String(),
    title: Type.String(),
    services: Type.Integer(),
    teams: Type.Array(Type.Object({ id: Type.String(), name: Type.String() })),
  }),
});

export const ScenarioDetail = Type.Object({
  access: Type.Union([Type.Literal('public'), Type.Literal('full')], { description: '`full` with the admin token or the facilitator token of a session of this scenario.' }),
  scenario: ScenarioPublic,
  spec: Type.Optional(Type.Unknown({ description: 'The whole scenario as written (timeline, branches, root cause, hints, expectations): `access: full` only.' })),
});

export const WorkloadMap = Type.Object({
  id: Type.String(),
  title: Type.String(),
  description: Type.Union([Type.String(), Type.Null()]),
  zones: Type.Array(Type.String()),
  entry: Type.Array(Type.Object({ service: Type.String(), rps: Type.Number() }), { description: 'Where outside traffic enters, at the daily peak.' }),
  services: Type.Array(
    Type.Object({
      id: Type.String(),
      name: Type.String(),
      kind: Type.String(),
      team: Type.String({ description: 'The owning on-call team.' }),
      replicas: Type.Integer(),
      version: Type.String(),
      flags: Type.Array(Type.String()),
      runbooks: Type.Array(Type.String()),
      dependencies: Type.Array(
        Type.Object({
          service: Type.String(),
          fallback: Type.Boolean({ description: 'Errors of the dependency degrade a feature instead of failing the caller.' }),
          flag: Type.Union([Type.String(), Type.Null()], { description: 'Called only while this feature flag of the caller is on.' }),
          onCacheMissOf: Type.Union([Type.String(), Type.Null()], { description: 'Only the misses of this cache reach the dependency.' }),
        }),
      ),
    }),
  ),
  teams: Type.Array(OnCallTeamSummary),
  slos: Type.Array(Type.Object({ id: Type.String(), service: Type.String(), objective: Type.Number() })),
  alerts: Type.Array(Type.Object({ id: Type.String(), service: Type.String(), metric: Type.String(), severity: Type.String(), route: Type.String(), summary: Type.String() })),
});

export const ValidateBody = Type.Object(
  {
    text: Type.String({ maxLength: 2 * 1024 * 1024, description: 'The file: YAML of a scenario or a workload, or a Markdown runbook (at most 1 MiB of UTF-8).' }),
    filename: Type.Optional(
      Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$', description: 'Its name, e.g. `my.scenario.yaml`: decides what the file holds and how problems name it.' }),
    ),
    kind: Type.Optional(Type.Union([Type.Literal('scenario'), Type.Literal('workload'), Type.Literal('runbook')], { description: 'What the file holds, when the name does not say.' })),
  },
  { additionalProperties: false },
);
export type ValidateBody = Static<typeof ValidateBody>;

export const ProblemSchema = Type.Object({
  file: Type.String(),
  line: Type.Integer({ description: '1-based.' }),
  column: Type.Integer({ description: '1-based.' }),
  field: Type.String({ description: 'Where in the document, e.g. `timeline[2].inject.service`; empty for the whole file.' }),
  message: Type.String(),
  code: Type.String({ description: 'A problem code of docs/scenario-format.md, e.g. `ref/unknown-service`.' }),
});

export const ValidateResult = Type.Object({
  ok: Type.Boolean({ description: 'True when the file has no problems.' }),
  kind: Type.Union([Type.Literal('scenario'), Type.Literal('workload'), Type.Literal('runbook')]),
  id: Type.Union([Type.String(), Type.Null()], { description: 'The id the file declares, when it has one.' }),
  problems: Type.Array(ProblemSchema),
});

// ---- sessions ----

export const SessionIdParams = Type.Object({ id: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }) }, { additionalProperties: false });

export const IsoTime = Type.String({ description: 'Wall-clock time, ISO 8601 (UTC).' });

export const SessionListQuery = Type.Object(
  { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })), offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 })) },
  { additionalProperties: false },
);

export const SessionListItem = Type.Object({
  id: Type.String(),
  scenario: Type.String(),
  title: Type.String(),
  teams: Type.Array(Type.String()),
  phase: Type.String(),
  outcome: Type.Union([Type.String(), Type.Null()]),
  createdAt: IsoTime,
  endedAt: Type.Union([IsoTime, Type.Null()]),
});

export const SessionList = Type.Object({ sessions: Type.Array(SessionListItem), limit: Type.Integer(), offset: Type.Integer() });

export const ScoreSummary = Type.Object({ total: Type.Number(), rank: Type.Integer() });

export const TeamState = Type.Object({
  id: Type.String(),
  participants: Type.Optional(Type.Array(Type.Object({ id: Type.String(), name: Type.String(), role: Type.String(), joinedAt: IsoTime }))),
  mitigatedAt: Type.Optional(Type.Union([Type.Number(), Type.Null()], { description: 'Simulated seconds.' })),
  ended: Type.Optional(Type.Union([Type.Object({ outcome: Type.String(), reason: Type.String(), t: Type.Number() }), Type.Null()])),
  score: Type.Optional(ScoreSummary),
}, { description: 'A team. A participant gets the details (participants, mitigation, end) of their own team only, and scores once they are visible.' });

export const SessionState = Type.Object({
  id: Type.String(),
  scenario: Type.Object({ id: Type.String(), title: Type.String(), difficulty: Type.String(), duration: Type.Number(), workload: Type.String() }),
  you: Type.Union([
    Type.Object({ role: Type.Literal('facilitator') }),
    Type.Object({ role: Type.Literal('participant'), id: Type.String(), name: Type.String(), team: Type.String(), teamRole: Type.String() }),
  ]),
  joinCode: Type.Optional(Type.String({ description: 'Facilitator only.' })),
  phase: Type.String(),
  outcome: Type.Union([Type.String(), Type.Null()]),
  t: Type.Number({ description: 'Simulated seconds since T+0.' }),
  speed: Type.Number(),
  lastSeq: Type.Integer({ description: 'Sequence number of the newest event in the log.' }),
  scoresVisible: Type.Boolean({ description: 'Whether participants see scores (revealed, or the session ended).' }),
  haltedAll: Type.Boolean({ description: 'The operator\u2019s halt-all holds: nothing starts until released.' }),
  createdAt: IsoTime,
  endedAt: Type.Union([IsoTime, Type.Null()]),
  teams: Type.Array(TeamState),
});

export const EventsQuery = Type.Object(
  {
    after: Type.Optional(Type.Integer({ minimum: 0, default: 0, description: 'Only events with a larger `seq`.' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000, default: 1000 })),
    team: Type.Optional(Type.String({ maxLength: 64, description: 'Facilitator: one team\u2019s events and the session\u2019s. A participant may only name their own team.' })),
  },
  { additionalProperties: false },
);

export const SessionEventSchema = Type.Object(
  { seq: Type.Integer(), t: Type.Number(), team: Type.Optional(Type.String()), type: Type.String() },
  { additionalProperties: true, description: 'One event of the log; the fields besides seq, t, team and type depend on `type` (docs/protocol.md).' },
);

export const EventsPage = Type.Object({
  events: Type.Array(SessionEventSchema),
  lastSeq: Type.Integer({ description: 'The newest event of the whole log (what a client resumes from).' }),
  next: Type.Integer({ description: 'Pass as `after` for the next page.' }),
  more: Type.Boolean(),
});

export const ReportQuery = Type.Object(
  {
    format: Type.Optional(Type.Union([Type.Literal('md'), Type.Literal('html'), Type.Literal('json')], { default: 'html' })),
    download: Type.Optional(Type.Boolean({ description: 'Send `Content-Disposition: attachment` with a file name.' })),
  },
  { additionalProperties: false },
);

export const TeamScoreSchema = Type.Object(
  { team: Type.String(), total: Type.Number() },
  { additionalProperties: true, description: 'A team\u2019s score: dimensions, metrics, hints, traps and findings (docs/scoring.md).' },
);

export const ScoreResponse = Type.Object({
  visible: Type.Boolean({ description: 'Whether participants see scores.' }),
  final: Type.Boolean({ description: 'True once the session ended; before that, the score so far.' }),
  leaderboard: Type.Array(Type.Object({ rank: Type.Integer(), team: Type.String(), total: Type.Number(), ttmSeconds: Type.Union([Type.Number(), Type.Null()]) })),
  teams: Type.Array(TeamScoreSchema, { description: 'Per-team scores; a participant gets their own team only.' }),
});

// ---- admin ----

export const HaltAllBody = Type.Object({ reason: Type.String({ minLength: 1, maxLength: 300 }) }, { additionalProperties: false });
export const HaltAllResult = Type.Object({ halted: Type.Integer({ description: 'Sessions halted now (running or paused ones).' }), haltedAll: Type.Object({ reason: Type.String(), at: IsoTime }) });
export const ReleaseResult = Type.Object({ released: Type.Boolean({ description: 'False when no halt-all was in force.' }) });
export const AdminStatus = Type.Object({
  haltedAll: Type.Union([Type.Object({ reason: Type.String(), at: IsoTime }), Type.Null()]),
  shuttingDown: Type.Boolean(),
  store: Type.String(),
  uptimeSeconds: Type.Number(),
  sessions: Type.Object({ loaded: Type.Integer(), byPhase: Type.Record(Type.String(), Type.Integer()) }),
});

// ---- the scenario editor: preview, dry run, library sources ----

export const PreviewBody = Type.Object(
  {
    text: Type.String({ maxLength: 2 * 1024 * 1024, description: 'A scenario file (YAML, at most 1 MiB of UTF-8).' }),
    filename: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$', description: 'How problems name the file, e.g. `my.scenario.yaml`.' })),
  },
  { additionalProperties: false },
);
export type PreviewBody = Static<typeof PreviewBody>;

export const PreviewFault = Type.Object({
  id: Type.String(),
  kind: Type.String({ description: 'A fault kind (docs/scenario-format.md#fault-kinds).' }),
  service: Type.String(),
  rootCause: Type.Boolean({ description: 'One of the scenario\u2019s `rootCause.faults`.' }),
});

export const PreviewTimelineItem = Type.Object({
  at: Type.Number({ description: 'Simulated seconds since T+0.' }),
  kind: Type.Union([Type.Literal('inject'), Type.Literal('message'), Type.Literal('event'), Type.Literal('hint')]),
  text: Type.String({ description: 'What happens, in words.' }),
  source: Type.String({ description: '`timeline[3]` or `hint:<id>`.' }),
  line: Type.Integer({ description: 'Where the entry is written (1-based).' }),
  fault: Type.Optional(PreviewFault),
});

export const PreviewBranch = Type.Object({
  id: Type.String(),
  description: Type.Union([Type.String(), Type.Null()]),
  trigger: Type.String({ description: 'When it fires, in words: "when the team restarts orders while orders-v2-14 is active", "if not mitigated by T+18:00".' }),
  delay: Type.Number({ description: 'Seconds between the trigger and the consequences.' }),
  at: Type.Union([Type.Number(), Type.Null()], { description: 'For `notMitigatedBy` and `notDone` triggers: the earliest second the consequences can happen (delay included); null for the others.' }),
  consequences: Type.Array(Type.String()),
  trap: Type.Boolean({ description: 'One of its consequences marks a trap sprung.' }),
  ends: Type.Boolean({ description: 'One of its consequences ends the run.' }),
  line: Type.Integer(),
});

export const PreviewResult = Type.Object({
  ok: Type.Boolean({ description: 'True when the file has no problems.' }),
  id: Type.Union([Type.String(), Type.Null()], { description: 'The id the file declares, when it has one.' }),
  problems: Type.Array(ProblemSchema),
  title: Type.Union([Type.String(), Type.Null()]),
  duration: Type.Union([Type.Number(), Type.Null()], { description: 'Seconds of simulated time; null until the file has a valid shape.' }),
  workload: Type.Union([Type.Object({ id: Type.String(), title: Type.String() }), Type.Null()], { description: 'Null when the shape is invalid or the workload is not in the library.' }),
  timeline: Type.Optional(Type.Array(PreviewTimelineItem, { description: 'Timeline entries and timed hints in time order; present when the shape is valid.' })),
  branches: Type.Optional(Type.Array(PreviewBranch)),
  stops: Type.Optional(Type.Array(Type.Object({ text: Type.String(), at: Type.Union([Type.Number(), Type.Null()]), line: Type.Integer() }))),
});

export const DryRunBody = PreviewBody;
export type DryRunBody = PreviewBody;

export const DryRunPolicyResult = Type.Object({
  policy: Type.Union([Type.Literal('perfect'), Type.Literal('naive'), Type.Literal('idle')], { description: '`perfect` knows the answer; `naive` acts on the loudest alert late (restart, scale out, SEV3, pages everyone); `idle` does nothing.' }),
  outcome: Type.Union([Type.String(), Type.Null()], { description: '`resolved`, `unresolved` or `halted`.' }),
  total: Type.Number({ description: 'The score, 0–100.' }),
  dimensions: Type.Record(Type.String(), Type.Number(), { description: 'Each dimension\u2019s score, 0–100: detection, escalation, runbook, mitigation, communication.' }),
  ttmSeconds: Type.Union([Type.Number(), Type.Null()], { description: 'Time to mitigate, from the fault\u2019s onset.' }),
  trapsSprung: Type.Integer(),
  hints: Type.Integer({ description: 'Hints released during the run.' }),
  findings: Type.Array(
    Type.Object({ dimension: Type.String(), text: Type.String(), cost: Type.Number({ description: 'Points of the total this finding cost.' }) }),
    { description: 'The five findings that cost the most points.' },
  ),
});

export const DryRunResult = Type.Object({
  id: Type.String(),
  duration: Type.Number({ description: 'Seconds of simulated time per run.' }),
  runs: Type.Array(DryRunPolicyResult),
  scoreable: Type.Boolean({ description: 'The perfect bot resolves it and scores at least 90, and doing nothing scores at most 20.' }),
  problems: Type.Array(ProblemSchema, { description: '`scoreability/*` problems, placed on the `expectations:` line.' }),
  ms: Type.Number({ description: 'Wall-clock milliseconds the three runs took.' }),
});

// ---- the debrief: lessons learned and action items ----


export const LessonIdParams = Type.Object(
  { id: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }), lessonId: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }) },
  { additionalProperties: false },
);
export const ActionItemIdParams = Type.Object(
  { id: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }), itemId: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }) },
  { additionalProperties: false },
);

// Texts are trimmed and must not be blank (checked by the route, which names the field).
const LessonText = Type.String({ minLength: 1, maxLength: 2000, description: 'What the team learned: up to 2000 characters, not blank.' });
const PersonName = (what: string) => Type.String({ minLength: 1, maxLength: 80, description: `${what}: up to 80 characters, not blank.` });
const ActionTitle = Type.String({ minLength: 1, maxLength: 200, description: 'What is to be done: up to 200 characters, not blank.' });
export const DueDate = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'A calendar day, `YYYY-MM-DD`.' });
export const HttpLink = Type.String({ minLength: 1, maxLength: 500, description: 'An http(s) URL of a ticket or a document (with a host, no spaces): up to 500 characters.' });
export const ActionItemStatusSchema = Type.Union([Type.Literal('open'), Type.Literal('in-progress'), Type.Literal('done'), Type.Literal('dropped')], {
  description: '`open`, `in-progress`, `done` or `dropped`.',
});

export const CreateLessonBody = Type.Object({ text: LessonText, author: Type.Optional(PersonName('Who said it')) }, { additionalProperties: false });
export type CreateLessonBody = Static<typeof CreateLessonBody>;

export const UpdateLessonBody = Type.Object(
  { text: Type.Optional(LessonText), author: Type.Optional(Type.Union([PersonName('Who said it'), Type.Null()], { description: '`null` removes it.' })) },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateLessonBody = Static<typeof UpdateLessonBody>;

export const Lesson = Type.Object({
  id: Type.String(),
  sessionId: Type.String(),
  text: Type.String(),
  author: Type.Optional(Type.String()),
  createdAt: IsoTime,
});

export const LessonList = Type.Object({ lessons: Type.Array(Lesson, { description: 'Oldest first.' }) });

export const CreateActionItemBody = Type.Object(
  {
    title: ActionTitle,
    owner: PersonName('Who owns it'),
    dueDate: Type.Optional(DueDate),
    link: Type.Optional(HttpLink),
    status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('in-progress'), Type.Literal('done'), Type.Literal('dropped')], { default: 'open' })),
  },
  { additionalProperties: false },
);
export type CreateActionItemBody = Static<typeof CreateActionItemBody>;

export const UpdateActionItemBody = Type.Object(
  {
    title: Type.Optional(ActionTitle),
    owner: Type.Optional(PersonName('Who owns it')),
    dueDate: Type.Optional(Type.Union([DueDate, Type.Null()], { description: '`null` removes it.' })),
    link: Type.Optional(Type.Union([HttpLink, Type.Null()], { description: '`null` removes it.' })),
    status: Type.Optional(ActionItemStatusSchema),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateActionItemBody = Static<typeof UpdateActionItemBody>;

export const ActionItem = Type.Object({
  id: Type.String(),
  sessionId: Type.String(),
  title: Type.String(),
  owner: Type.String(),
  dueDate: Type.Optional(DueDate),
  link: Type.Optional(Type.String()),
  status: ActionItemStatusSchema,
  overdue: Type.Boolean({ description: 'Due before today (UTC) and still `open` or `in-progress`.' }),
  createdAt: IsoTime,
  updatedAt: IsoTime,
});

export const ActionItemList = Type.Object({ actionItems: Type.Array(ActionItem, { description: 'Oldest first.' }), today: Type.String({ description: 'Today in UTC (`YYYY-MM-DD`): what `overdue` was computed against.' }) });

export const ActionItemsQuery = Type.Object(
  {
    status: Type.Optional(Type.String({ pattern: '^[a-z-]+(,[a-z-]+)*$', description: 'Only these statuses, comma-separated (`open,in-progress`); default all.' })),
    overdue: Type.Optional(Type.Boolean({ description: 'Only overdue items (due before today, UTC, and `open` or `in-progress`).' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
    offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 })),
  },
  { additionalProperties: false },
);

export const ActionItemAcrossSessions = Type.Object({
  ...ActionItem.properties,
  session: Type.Object({ id: Type.String(), scenario: Type.String(), title: Type.String(), phase: Type.String(), createdAt: IsoTime, endedAt: Type.Union([IsoTime, Type.Null()]) }),
});

export const ActionItemsAcrossSessions = Type.Object({
  actionItems: Type.Array(ActionItemAcrossSessions, { description: 'Soonest due first, undated last; then oldest first.' }),
  today: Type.String({ description: 'Today in UTC (`YYYY-MM-DD`): what `overdue` was computed against.' }),
  limit: Type.Integer(),
  offset: Type.Integer(),
});
