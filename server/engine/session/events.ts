// The event log: everything that happened in a session, in order, with simulated time.
// It is the single source of truth for reports, scores and reconnecting clients.
import type { ActionSpec } from '../actions/schema.ts';
import type { FaultKind } from '../faults/schema.ts';

export type Phase = 'lobby' | 'briefing' | 'running' | 'paused' | 'halted' | 'ended';
export type Outcome = 'resolved' | 'unresolved' | 'halted';

export type ResultSummary =
  | { ok: true; effect: string; completesAt?: number; data?: Record<string, unknown> }
  | { ok: false; code: string; message: string };

export interface AlertFields {
  alert: string;
  service: string;
  severity: string;
  route: string;
  value: number;
  summary: string;
}

export type EventBody =
  | { type: 'session.phase'; phase: Phase; reason?: string }
  | { type: 'session.ended'; outcome: Outcome; reason: string }
  | { type: 'session.speed'; speed: number }
  | { type: 'scores.revealed' }
  | { type: 'team.ended'; outcome: Outcome; reason: string }
  | { type: 'fault.injected'; fault: string; kind: FaultKind; service: string; description?: string; source: string }
  | { type: 'fault.cleared'; fault: string; by: string; actionSeq: number | null }
  | { type: 'fault.expired'; fault: string }
  | { type: 'deploy'; service: string; version: string; previous: string; reason: string }
  | { type: 'audit'; service: string; kind: 'deploy' | 'config' | 'ops'; text: string; source: string }
  | ({ type: 'alert.pending' } & AlertFields)
  | ({ type: 'alert.firing' } & AlertFields)
  | ({ type: 'alert.resolved' } & AlertFields)
  | { type: 'page'; oncall: string; level: number; name: string; reason: string }
  | { type: 'action'; action: ActionSpec; actor?: string; result: ResultSummary; via?: { runbook: string; step: number } }
  | { type: 'action.completed'; ref: number; action: string; service: string; effect: string }
  | { type: 'responder.joined'; oncall: string; name: string }
  | { type: 'branch.fired'; branch: string }
  | { type: 'trap.sprung'; branch: string; text: string }
  | { type: 'hint.released'; hint: string; text: string; cost: number; source: string }
  | { type: 'message'; text: string; source: string }
  | { type: 'impact.started' }
  | { type: 'impact.ended' }
  | { type: 'metrics'; services: Record<string, number[]> }
  | { type: 'slo.report'; slos: { id: string; service: string; objective: number; burnedPct: number }[] }
  | { type: 'team.mitigated' }
  | { type: 'team.resolved' }
  // practice sessions (session/companions.ts): hints on demand, bot responders, a comms bot
  | { type: 'session.practice'; hints: { id: string; cost: number }[]; askEvery: number; comms: string }
  | { type: 'page.acknowledged'; oncall: string; name: string; text: string }
  | { type: 'comms.requested'; request: number; by: string; text: string }
  | { type: 'comms.answered'; request: number; after: number; update: number; by: string; text: string };

export type SessionEvent = EventBody & { seq: number; t: number; team?: string };

/** The metrics of a `metrics` sample, in this order, for each sampled service. */
export const SAMPLED_METRICS = ['rps', 'error_rate', 'latency_p50_ms', 'latency_p99_ms', 'cpu', 'saturation', 'error_budget_burned_pct'] as const;
/** Seconds of simulated time between two `metrics` samples in the event log. */
export const SAMPLE_EVERY = 15;
export type EventType = SessionEvent['type'];
