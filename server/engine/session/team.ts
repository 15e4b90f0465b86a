// One team's side of a session: its copy of the workload, its scenario actor and its incident.
import type { Actor, AnyStateMachine } from 'xstate';
import type { World } from '../workload/world.ts';
import type { MetricCondition } from '../schema-common.ts';
import type { Static } from 'typebox';
import type { DoneAction } from '../scenario/compile.ts';
import type { ActionSpec } from '../actions/schema.ts';
import type { Outcome } from './events.ts';

/** The runbook shape the session needs (parsed from Markdown by scenario/runbook.ts). */
export interface RunbookStepLike {
  n: number;
  title: string;
  directive?:
    | { type: 'run'; action: ActionSpec }
    | { type: 'check'; what: 'deploys' | 'logs' | 'metric' | 'audit' | 'alerts'; service?: string; metric?: string };
}
export interface RunbookLike {
  id: string;
  title: string;
  services?: string[];
  steps: RunbookStepLike[];
}

export interface Incident {
  declaredAt: number | null;
  severity: string | null;
  summary: string | null;
  services: string[];
  roles: Record<string, string>;
  paged: Map<string, { at: number; joinedAt: number | null }>;
  runbooks: Map<string, { openedAt: number; steps: number[] }>;
  updates: { t: number; audience: string; text: string }[];
  hypotheses: { t: number; text: string }[];
  mitigatedClaimAt: number | null;
  resolvedAt: number | null;
}

export interface WatchedCondition {
  key: string;
  cond: Static<typeof MetricCondition>;
  service: number;
  forSeconds: number;
  since: number | null;
}

export interface TeamRuntime {
  id: string;
  world: World;
  machine: AnyStateMachine;
  actor: Actor<AnyStateMachine>;
  incident: Incident;
  watched: WatchedCondition[];
  held: Record<string, boolean>;
  done: DoneAction[];
  hints: Set<string>;
  impact: boolean;
  /** Error-budget burn rate at the SLO services, smoothed over ~30 s. */
  impactLevel: number;
  impactSince: number | null;
  firstInjectionAt: number | null;
  mitigatedAt: number | null;
  ended: { outcome: Outcome; reason: string; t: number } | null;
  /** Sequence number of the last input applied: inputs are replayed in this order after a restart. */
  actions: number;
}

export function newIncident(): Incident {
  return {
    declaredAt: null,
    severity: null,
    summary: null,
    services: [],
    roles: {},
    paged: new Map(),
    runbooks: new Map(),
    updates: [],
    hypotheses: [],
    mitigatedClaimAt: null,
    resolvedAt: null,
  };
}
