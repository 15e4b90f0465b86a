// Every input a responder can make: remediation and incident workflow. One `action` discriminator.
import Type, { type Static, type TSchema } from 'typebox';
import { Fraction, Id, IncidentSeverity } from '../schema-common.ts';

export const REMEDIATIONS = [
  'restart',
  'rollback',
  'scale-out',
  'scale-in',
  'failover',
  'toggle-flag',
  'flush-cache',
  'restore-cache',
  'rate-limit',
  'shed-load',
  'drain-zone',
  'renew-cert',
  'free-disk',
  'kill-query',
  'revert-config',
] as const;
export type RemediationKind = (typeof REMEDIATIONS)[number];

export const WORKFLOW = [
  'observe',
  'acknowledge',
  'declare',
  'set-severity',
  'assign-role',
  'page',
  'open-runbook',
  'run-step',
  'status-update',
  'hypothesis',
  'mark-mitigated',
  'resolve',
] as const;
export type WorkflowKind = (typeof WORKFLOW)[number];
export type ActionKind = RemediationKind | WorkflowKind;
export const ACTION_KINDS: readonly ActionKind[] = [...REMEDIATIONS, ...WORKFLOW];

export const ROLES = ['incident-commander', 'ops-lead', 'comms-lead', 'scribe'] as const;

const common = {
  actor: Type.Optional(Type.String({ maxLength: 80, description: 'Who did it (display name); used to score incident command.' })),
};

function action<K extends string, P extends Record<string, TSchema>>(kind: K, description: string, props: P) {
  return Type.Object({ action: Type.Literal(kind), ...common, ...props }, { additionalProperties: false, description, title: kind });
}

const service = Id;

export const ACTION_VARIANTS = [
  // remediation
  action('restart', 'Restart the service\u2019s replicas (rolling by default). Clears leaked memory and connections; brings back the same version.', {
    service,
    rolling: Type.Optional(Type.Boolean()),
  }),
  action('rollback', 'Roll the service back to its previous version. Takes the service\u2019s `rollbackSeconds`.', { service }),
  action('scale-out', 'Add `count` replicas. They arrive after the service\u2019s `provisionSeconds` and open their own connection pools.', {
    service,
    count: Type.Integer({ minimum: 1, maximum: 100 }),
  }),
  action('scale-in', 'Remove `count` replicas at once.', { service, count: Type.Integer({ minimum: 1, maximum: 100 }) }),
  action('failover', 'Fail the database over to its replica: a write outage of `failoverSeconds`. Twice within 10 minutes splits the brain.', { service }),
  action('toggle-flag', 'Turn a feature flag of the service on or off. Instant.', { service, flag: Id, enabled: Type.Boolean() }),
  action('flush-cache', 'Empty the cache. It warms back up over `cacheWarmSeconds`; until then every miss goes to the origin.', { service }),
  action('restore-cache', 'Bring a failed cache back. It starts cold.', { service }),
  action('rate-limit', 'Accept at most `rps` requests per second at the service; the rest get 429.', {
    service,
    rps: Type.Number({ minimum: 0 }),
  }),
  action('shed-load', 'Reject a `fraction` of incoming requests at the service (0 turns shedding off).', { service, fraction: Fraction }),
  action('drain-zone', 'Take every replica in `zone` out of service (or back in with `undo: true`).', { zone: Id, undo: Type.Optional(Type.Boolean()) }),
  action('renew-cert', 'Issue and deploy a new certificate for the service. Takes 60 s.', { service }),
  action('free-disk', 'Rotate logs and free space on the service\u2019s volume.', { service }),
  action('kill-query', 'Kill the long-running queries on the database.', { service }),
  action('revert-config', 'Revert the last configuration push that reached the service.', { service }),
  // incident workflow
  action('observe', 'Open a service\u2019s dashboards, logs or deploy history. Free, but recorded.', {
    service,
    view: Type.Optional(Type.Union([Type.Literal('metrics'), Type.Literal('logs'), Type.Literal('deploys'), Type.Literal('traces')])),
  }),
  action('acknowledge', 'Acknowledge a firing alert (stops its escalation).', { alert: Id }),
  action('declare', 'Declare an incident with a severity and the services it affects.', {
    severity: IncidentSeverity,
    summary: Type.String({ minLength: 1, maxLength: 500 }),
    services: Type.Optional(Type.Array(Id, { maxItems: 32 })),
  }),
  action('set-severity', 'Change the incident\u2019s severity.', { severity: IncidentSeverity }),
  action('assign-role', 'Give a person a role in the incident.', {
    role: Type.Enum(ROLES),
    person: Type.String({ minLength: 1, maxLength: 80 }),
  }),
  action('page', 'Page an on-call team; its responder joins after the team\u2019s `responseSeconds`.', { oncall: Id, reason: Type.Optional(Type.String({ maxLength: 300 })) }),
  action('open-runbook', 'Open a runbook.', { runbook: Id }),
  action('run-step', 'Run step `step` (1-based) of a runbook: its action or check is carried out.', {
    runbook: Id,
    step: Type.Integer({ minimum: 1, maximum: 100 }),
  }),
  action('status-update', 'Post a status update. Good ones say Condition, Actions and Needs.', {
    audience: Type.Union([Type.Literal('internal'), Type.Literal('external')]),
    text: Type.String({ minLength: 1, maxLength: 2000 }),
  }),
  action('hypothesis', 'Write down a hypothesis about the cause.', { text: Type.String({ minLength: 1, maxLength: 1000 }) }),
  action('mark-mitigated', 'Say that customer impact has stopped.', {}),
  action('resolve', 'Resolve the incident.', { summary: Type.Optional(Type.String({ maxLength: 2000 })) }),
] as const;

export const Action = Type.Union([...ACTION_VARIANTS], { description: 'An action; `action` selects the shape.' });
export type ActionSpec = Static<typeof Action>;

/** Names an action that clears a fault: the action kind plus any parameters that must match. */
export const ResolverRef = Type.Object(
  {
    action: Type.Enum(REMEDIATIONS),
    service: Type.Optional(Id),
    flag: Type.Optional(Id),
    enabled: Type.Optional(Type.Boolean()),
    zone: Type.Optional(Id),
  },
  { additionalProperties: false, description: 'A remediation that clears the fault; `service` defaults to the fault\u2019s service.' },
);
export type ResolverRefSpec = Static<typeof ResolverRef>;

