// The scenario file format (`scenarios/*.scenario.yaml`): a pre-mortem written as code.
import Type, { type Static } from 'typebox';
import { Duration, Id, IncidentSeverity, MetricCondition } from '../schema-common.ts';
import { Fault } from '../faults/schema.ts';
import { AlertRule } from '../workload/schema.ts';
import { REMEDIATIONS, WORKFLOW } from '../actions/schema.ts';

export const AuditEvent = Type.Object(
  {
    service: Id,
    kind: Type.Union([Type.Literal('deploy'), Type.Literal('config'), Type.Literal('ops')], {
      description: '`deploy` shows in the service\u2019s deploy history, `config` and `ops` in the audit log.',
    }),
    text: Type.String({ minLength: 1, maxLength: 300 }),
  },
  { additionalProperties: false, description: 'A benign change that shows in deploy history or the audit log (a red herring, or context).' },
);

export const TimelineEntry = Type.Object(
  {
    at: Duration,
    inject: Type.Optional(Fault),
    message: Type.Optional(Type.String({ minLength: 1, maxLength: 1000, description: 'A message to the team, as if from a colleague or customer support.' })),
    event: Type.Optional(AuditEvent),
  },
  { additionalProperties: false, description: 'At `at`, exactly one of: inject a fault, send a message, record an audit event.' },
);
export type TimelineEntrySpec = Static<typeof TimelineEntry>;

const ACTION_NAMES = [...REMEDIATIONS, ...WORKFLOW] as const;

export const ActionMatch = Type.Object(
  {
    action: Type.Enum(ACTION_NAMES),
    service: Type.Optional(Id),
    oncall: Type.Optional(Id),
    flag: Type.Optional(Id),
    runbook: Type.Optional(Id),
    alert: Type.Optional(Id),
    severity: Type.Optional(IncidentSeverity),
    while: Type.Optional(
      Type.Object(
        { faultActive: Id },
        { additionalProperties: false, description: 'Only while this fault is still active.' },
      ),
    ),
  },
  { additionalProperties: false, description: 'Matches a team action by kind and, where given, its parameters.' },
);

export const Trigger = Type.Object(
  {
    action: Type.Optional(ActionMatch),
    metric: Type.Optional(MetricCondition),
    notMitigatedBy: Type.Optional(Duration),
    notDone: Type.Optional(
      Type.Object(
        { action: Type.Enum(ACTION_NAMES), oncall: Type.Optional(Id), service: Type.Optional(Id), by: Duration },
        { additionalProperties: false, description: 'Fires at `by` if the team has not done this action yet.' },
      ),
    ),
    after: Type.Optional(Id),
  },
  {
    additionalProperties: false,
    description:
      'Exactly one of: `action` (the team does something), `metric` (a condition holds), `notMitigatedBy` (impact still on at that time), ' +
      '`notDone` (an action not done by a deadline), `after` (another branch fired).',
  },
);
export type TriggerSpec = Static<typeof Trigger>;

export const Consequence = Type.Object(
  {
    inject: Type.Optional(Fault),
    message: Type.Optional(Type.String({ minLength: 1, maxLength: 1000 })),
    trap: Type.Optional(Type.String({ minLength: 1, maxLength: 1000, description: 'Marks a trap sprung, with the lesson to show in the report.' })),
    hint: Type.Optional(Id),
    end: Type.Optional(
      Type.Object(
        { outcome: Type.Union([Type.Literal('halted'), Type.Literal('unresolved')]), reason: Type.String({ maxLength: 300 }) },
        { additionalProperties: false },
      ),
    ),
    event: Type.Optional(AuditEvent),
  },
  { additionalProperties: false, description: 'Exactly one of: inject a fault, message the team, mark a trap, release a hint, end the run, record an audit event.' },
);

export const Branch = Type.Object(
  {
    id: Id,
    description: Type.Optional(Type.String({ maxLength: 500 })),
    when: Trigger,
    delay: Type.Optional(Duration),
    then: Type.Array(Consequence, { minItems: 1, maxItems: 16 }),
  },
  { additionalProperties: false, description: 'Reacts once to the team or the system: when `when` holds, after `delay`, do `then`.' },
);
export type BranchSpec = Static<typeof Branch>;

export const Hint = Type.Object(
  {
    id: Id,
    at: Type.Optional(Duration),
    text: Type.String({ minLength: 1, maxLength: 1000 }),
    cost: Type.Optional(Type.Number({ minimum: 0, maximum: 50, default: 5, description: 'Points a team loses for the hint.' })),
  },
  { additionalProperties: false, description: 'Released at `at` (or by a facilitator or a branch).' },
);

export const Weights = Type.Object(
  {
    detection: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
    escalation: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
    runbook: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
    mitigation: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
    communication: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
  },
  { additionalProperties: false },
);

export const Expectations = Type.Object(
  {
    detection: Type.Object(
      {
        alerts: Type.Array(Id, { minItems: 1, maxItems: 32, description: 'Alerts that reveal the incident; acknowledging any of them counts.' }),
        services: Type.Array(Id, { minItems: 1, maxItems: 32, description: 'Services a good investigation looks at; the first should hold the root cause.' }),
        ackWithin: Type.Optional(Duration),
        declareWithin: Type.Optional(Duration),
      },
      { additionalProperties: false },
    ),
    escalation: Type.Object(
      {
        severity: IncidentSeverity,
        page: Type.Optional(Type.Array(Id, { maxItems: 16, description: 'On-call teams that must be paged.' })),
        within: Type.Optional(Duration),
      },
      { additionalProperties: false },
    ),
    runbook: Type.Optional(
      Type.Object(
        { id: Id, steps: Type.Optional(Type.Array(Type.Integer({ minimum: 1 }), { maxItems: 50, description: 'Steps expected to be run, in order. Default: all.' })) },
        { additionalProperties: false },
      ),
    ),
    mitigation: Type.Object({ within: Duration }, { additionalProperties: false }),
    communication: Type.Optional(
      Type.Object(
        { firstUpdateWithin: Duration, cadence: Type.Optional(Duration) },
        { additionalProperties: false },
      ),
    ),
    weights: Type.Optional(Weights),
  },
  { additionalProperties: false, description: 'What a good response looks like; scoring compares the event log with this.' },
);
export type ExpectationsSpec = Static<typeof Expectations>;

export const StopCondition = Type.Object(
  {
    when: Type.Object(
      { metric: Type.Optional(MetricCondition), at: Type.Optional(Duration) },
      { additionalProperties: false },
    ),
    outcome: Type.Union([Type.Literal('halted'), Type.Literal('unresolved')]),
    reason: Type.String({ minLength: 1, maxLength: 300 }),
  },
  { additionalProperties: false, description: 'Ends the run early, like a guardrail in a real game day.' },
);

export const Scenario = Type.Object(
  {
    id: Id,
    title: Type.String({ minLength: 1, maxLength: 120 }),
    summary: Type.String({ minLength: 1, maxLength: 1000 }),
    difficulty: Type.Union([Type.Literal('easy'), Type.Literal('medium'), Type.Literal('hard')]),
    duration: Duration,
    objectives: Type.Array(Type.String({ maxLength: 300 }), { minItems: 1, maxItems: 12, description: 'Learning objectives.' }),
    tags: Type.Optional(Type.Array(Id, { maxItems: 16 })),
    workload: Id,
    startHour: Type.Optional(Type.Number({ minimum: 0, maximum: 24, description: 'Time of day at T+0 for this scenario (16.5 is 16:30); overrides the workload\u2019s `traffic.startHour`.' })),
    briefing: Type.String({ minLength: 1, maxLength: 4000 }),
    players: Type.Optional(
      Type.Object(
        { teams: Type.Array(Id, { minItems: 1, maxItems: 16, description: 'On-call teams the players act as; other teams must be paged before their services can be changed.' }) },
        { additionalProperties: false },
      ),
    ),
    alerts: Type.Optional(Type.Array(AlertRule, { maxItems: 100, description: 'Extra alert rules for this scenario only.' })),
    timeline: Type.Array(TimelineEntry, { minItems: 1, maxItems: 200 }),
    branches: Type.Optional(Type.Array(Branch, { maxItems: 100 })),
    rootCause: Type.Object(
      { faults: Type.Array(Id, { minItems: 1, maxItems: 16 }), summary: Type.String({ minLength: 1, maxLength: 1000 }) },
      { additionalProperties: false, description: 'The faults that are the cause (all must be cleared to resolve) and the story.' },
    ),
    hints: Type.Optional(Type.Array(Hint, { maxItems: 20 })),
    expectations: Expectations,
    stop: Type.Optional(Type.Array(StopCondition, { maxItems: 10 })),
    debrief: Type.Optional(Type.String({ maxLength: 8000, description: 'Notes for the debrief, shown in the report.' })),
  },
  { additionalProperties: false },
);
export type ScenarioSpec = Static<typeof Scenario>;
