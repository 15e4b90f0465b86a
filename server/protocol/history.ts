// REST bodies of the history, trends and evidence routes (server/http/routes/history.ts), as
// TypeBox schemas: validation, OpenAPI and the client's types.
import Type, { type Static } from 'typebox';
import { IsoTime } from './rest.ts';

const Day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'A UTC calendar day, YYYY-MM-DD (inclusive).' });
const Team = Type.String({ minLength: 1, maxLength: 32, description: 'A team name as it was played.' });

export const HistoryQuery = Type.Object(
  {
    team: Type.Optional(Team),
    participant: Type.Optional(Type.String({ minLength: 1, maxLength: 80, description: 'Only results this person took part in (their name as they joined).' })),
    kind: Type.Optional(Type.Union([Type.Literal('game-day'), Type.Literal('practice')])),
    from: Type.Optional(Day),
    to: Type.Optional(Day),
    format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')], { default: 'json' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000, default: 1000 })),
    offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 })),
  },
  { additionalProperties: false },
);
export type HistoryQuery = Static<typeof HistoryQuery>;

const Seconds = Type.Union([Type.Number(), Type.Null()]);
const Dimensions = Type.Object({ detection: Type.Number(), escalation: Type.Number(), runbook: Type.Number(), mitigation: Type.Number(), communication: Type.Number() });

export const HistoryResult = Type.Object({
  sessionId: Type.String(),
  team: Type.String(),
  kind: Type.Union([Type.Literal('game-day'), Type.Literal('practice')]),
  scenarioId: Type.String(),
  scenarioTitle: Type.String(),
  tags: Type.Array(Type.String()),
  participants: Type.Array(Type.Object({ name: Type.String(), role: Type.String() })),
  endedAt: IsoTime,
  outcome: Type.Union([Type.String(), Type.Null()]),
  total: Type.Number(),
  dimensions: Dimensions,
  metrics: Type.Object({ ttaSeconds: Seconds, ttdSeconds: Seconds, ttmSeconds: Seconds, ttrSeconds: Seconds, errorBudgetBurnedPct: Seconds }),
  hints: Type.Object({ count: Type.Integer(), cost: Type.Number() }),
  trapsSprung: Type.Integer(),
});
export type HistoryResult = Static<typeof HistoryResult>;

const MeanOf = Type.Object({ meanSeconds: Seconds, n: Type.Integer() });
export const TimesSummary = Type.Object(
  {
    exercises: Type.Integer(),
    mtta: MeanOf,
    mttd: MeanOf,
    mttm: MeanOf,
    mttr: MeanOf,
    meanErrorBudgetBurnedPct: Seconds,
    hintsUsed: Type.Integer(),
    hintCost: Type.Number(),
    meanTotal: Seconds,
  },
  { description: 'MTTA, MTTD, MTTM, MTTR: means of the per-run times over the runs that have one (docs/scoring.md).' },
);

export const HistoryPage = Type.Object({
  results: Type.Array(HistoryResult, { description: 'Oldest first.' }),
  teams: Type.Array(Type.String(), { description: 'Every team with a recorded result (for a picker), whatever the filters.' }),
  summary: TimesSummary,
  from: Type.Union([Type.String(), Type.Null()]),
  to: Type.Union([Type.String(), Type.Null()]),
  limit: Type.Integer(),
  offset: Type.Integer(),
});
export type HistoryPage = Static<typeof HistoryPage>;

export const TrendsQuery = Type.Object({ team: Team }, { additionalProperties: false });

const PeriodValue = Type.Object({ period: Type.String(), value: Type.Number() });
const DimensionTrend = Type.Object({
  points: Type.Array(Type.Object({ sessionId: Type.String(), scenarioId: Type.String(), endedAt: Type.Number(), day: Type.String(), value: Type.Number() })),
  baseline: Seconds,
  baselineRuns: Type.Integer(),
  latest: Seconds,
  change: Seconds,
  byPeriod: Type.Array(PeriodValue),
  orgMedian: Type.Array(PeriodValue),
});

export const TrendsResponse = Type.Object({
  team: Type.String(),
  gameDays: Type.Integer(),
  practice: Type.Integer(),
  periods: Type.Array(Type.String(), { description: 'UTC months (YYYY-MM) in which anyone played a game day.' }),
  dimensions: Type.Object({
    detection: DimensionTrend, escalation: DimensionTrend, runbook: DimensionTrend, mitigation: DimensionTrend, communication: DimensionTrend, total: DimensionTrend,
  }),
  coverage: Type.Array(Type.Object({ id: Type.String(), label: Type.String(), runs: Type.Integer(), lastDay: Type.Union([Type.String(), Type.Null()]), scenarios: Type.Array(Type.String()) })),
  neverPractised: Type.Array(Type.String()),
  times: TimesSummary,
});
export type TrendsResponse = Static<typeof TrendsResponse>;

export const EvidenceQuery = Type.Object(
  {
    team: Type.Optional(Team),
    from: Type.Optional(Day),
    to: Type.Optional(Day),
    format: Type.Optional(Type.Union([Type.Literal('md'), Type.Literal('html')], { default: 'html' })),
    download: Type.Optional(Type.Boolean({ description: 'Send `Content-Disposition: attachment` with a file name.' })),
  },
  { additionalProperties: false },
);
