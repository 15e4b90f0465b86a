// REST bodies of the learning loop: the pre-mortem risk register and the export of a scenario to
// Chaos Toolkit or AWS FIS (TypeBox: validation, OpenAPI and the client's types).
import Type, { type Static } from 'typebox';
import { ErrorResponse, IsoTime } from './rest.ts';

export { ErrorResponse };

const Score = (what: string) => Type.Integer({ minimum: 1, maximum: 5, description: what });
const ScenarioRef = Type.String({ pattern: '^[A-Za-z][A-Za-z0-9_.-]{0,63}$', description: 'A scenario id of the library.' });

const RiskTitle = Type.String({ minLength: 1, maxLength: 200, description: 'The failure, in a line: up to 200 characters, not blank.' });
const RiskDescription = Type.String({ maxLength: 4000, description: 'How it would happen and what it would do: up to 4000 characters.' });
const Owner = Type.String({ minLength: 1, maxLength: 80, description: 'Who looks after it: up to 80 characters, not blank.' });
const Scores = {
  likelihood: Score('1 rare … 5 almost certain (see `scales`).'),
  impact: Score('1 negligible … 5 severe (see `scales`).'),
  detection: Score('How sure the team is that it would detect it: 1 would not notice … 5 alerted at once.'),
};

export const RiskIdParams = Type.Object({ riskId: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }) }, { additionalProperties: false });

export const CreateRiskBody = Type.Object(
  {
    title: RiskTitle,
    description: Type.Optional(RiskDescription),
    ...Scores,
    scenarioIds: Type.Optional(Type.Array(ScenarioRef, { maxItems: 32, uniqueItems: true, description: 'Library scenarios that rehearse it.' })),
    owner: Type.Optional(Owner),
  },
  { additionalProperties: false },
);
export type CreateRiskBody = Static<typeof CreateRiskBody>;

export const UpdateRiskBody = Type.Object(
  {
    title: Type.Optional(RiskTitle),
    description: Type.Optional(RiskDescription),
    likelihood: Type.Optional(Scores.likelihood),
    impact: Type.Optional(Scores.impact),
    detection: Type.Optional(Scores.detection),
    scenarioIds: Type.Optional(Type.Array(ScenarioRef, { maxItems: 32, uniqueItems: true })),
    owner: Type.Optional(Type.Union([Owner, Type.Null()], { description: '`null` removes it.' })),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateRiskBody = Static<typeof UpdateRiskBody>;

export const RisksQuery = Type.Object(
  {
    staleAfterDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650, default: 90, description: 'A rehearsal older than this many days is stale.' })),
    top: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 5, description: 'How many of the highest priorities count as the top risks.' })),
  },
  { additionalProperties: false },
);

export const Rehearsal = Type.Object({
  status: Type.Union([Type.Literal('never'), Type.Literal('stale'), Type.Literal('recent')]),
  lastAt: Type.Union([IsoTime, Type.Null()]),
  scenarioId: Type.Union([Type.String(), Type.Null()]),
  daysAgo: Type.Union([Type.Integer(), Type.Null()]),
});

export const Risk = Type.Object({
  id: Type.String(),
  title: Type.String(),
  description: Type.String(),
  likelihood: Type.Integer(),
  impact: Type.Integer(),
  detection: Type.Integer(),
  scenarioIds: Type.Array(Type.String()),
  owner: Type.Optional(Type.String()),
  createdAt: IsoTime,
  updatedAt: IsoTime,
  priority: Type.Integer({ description: 'likelihood × impact × (6 − detection): 1 … 125.' }),
  band: Type.Union([Type.Literal('high'), Type.Literal('medium'), Type.Literal('low')]),
  rank: Type.Integer({ description: '1 = the highest priority.' }),
  rehearsal: Rehearsal,
  needsRehearsal: Type.Boolean({ description: 'Among the top risks and never rehearsed, or not within `staleAfterDays`.' }),
  unknownScenarios: Type.Array(Type.String(), { description: 'Linked ids no longer in the library.' }),
});
export type RiskOut = Static<typeof Risk>;

export const RiskRegister = Type.Object({
  risks: Type.Array(Risk, { description: 'Highest priority first.' }),
  staleAfterDays: Type.Integer(),
  top: Type.Integer(),
  scales: Type.Object({ likelihood: Type.Array(Type.String()), impact: Type.Array(Type.String()), detection: Type.Array(Type.String()) }),
  bands: Type.Object({ high: Type.Integer(), medium: Type.Integer() }),
});
export type RiskRegister = Static<typeof RiskRegister>;

// ── export ──────────────────────────────────────────────────────────────────────────────────

export const ExportQuery = Type.Object(
  { format: Type.Union([Type.Literal('chaostoolkit'), Type.Literal('fis')], { description: '`chaostoolkit` (an experiment) or `fis` (an AWS FIS experiment template).' }) },
  { additionalProperties: false },
);

export const Unmapped = Type.Object({
  part: Type.String({ description: 'Where in the scenario: `timeline[3]`, `branch restart-orders-trap`, `stop[0]`.' }),
  kind: Type.String({ description: 'A fault kind, `message`, `event`, `hint` or `stop`.' }),
  id: Type.Optional(Type.String()),
  at: Type.Optional(Type.Number({ description: 'Simulated seconds from the start, when timed.' })),
  reason: Type.String(),
});
export type UnmappedOut = Static<typeof Unmapped>;

export const ExportResult = Type.Object({
  format: Type.Union([Type.Literal('chaostoolkit'), Type.Literal('fis')]),
  scenario: Type.String(),
  filename: Type.String(),
  document: Type.Unknown({ description: 'The experiment (Chaos Toolkit) or the CreateExperimentTemplate input (FIS).' }),
  mapped: Type.Array(Type.Object({ fault: Type.String(), kind: Type.String(), service: Type.String(), at: Type.Number(), action: Type.String() })),
  unmapped: Type.Array(Unmapped),
  placeholders: Type.Array(Type.String({ description: 'Values to fill in before running it, e.g. `{{account-id}}`.' })),
});
