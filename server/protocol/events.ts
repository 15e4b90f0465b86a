// The socket.io contract, shared by the server and the client: event names and payloads.
// `ClientToServer` events take an acknowledgement callback; the server always calls it once.
import type { SessionEvent } from '../engine/session/events.ts';
import type { TeamView } from '../engine/session/view.ts';
import type { LogLine } from '../engine/workload/world.ts';
import type { ActionMessage, CommandMessage, LogsRequest, ResumeRequest, ViewRequest } from './messages.ts';
import type { ErrorBody } from './errors.ts';
import type { ResultSummary } from '../engine/session/events.ts';

/** Metrics in a telemetry frame, in this order per service. */
export const TELEMETRY_METRICS = [
  'rps', 'error_rate', 'latency_p50_ms', 'latency_p99_ms', 'saturation', 'cpu', 'memory_pct', 'queue_depth',
  'healthy_replicas', 'pool_utilisation', 'connections', 'disk_pct', 'cache_hit_ratio', 'burn_rate_5m', 'burn_rate_1h', 'error_budget_burned_pct',
] as const;

/**
 * The dead band of each metric (same order as TELEMETRY_METRICS): a service is left out of a frame
 * unless one of its metrics moved by more than `abs` AND more than `rel` × the value last sent — a
 * chart cannot show a 2 % wobble, and leaving it out lets the delta encoding work (frames were
 * every service, every second). Every TELEMETRY_REFRESH_S simulated seconds a frame carries every
 * service, so small moves show up within that time.
 */
export const TELEMETRY_DEAD_BAND: readonly { abs: number; rel: number }[] = [
  { abs: 1, rel: 0.02 }, // rps
  { abs: 0.001, rel: 0.02 }, // error_rate (a ratio: 0.1 percentage point)
  { abs: 1, rel: 0.02 }, // latency_p50_ms
  { abs: 2, rel: 0.02 }, // latency_p99_ms
  { abs: 0.01, rel: 0.02 }, // saturation
  { abs: 0.01, rel: 0.02 }, // cpu
  { abs: 0.5, rel: 0.02 }, // memory_pct
  { abs: 2, rel: 0.02 }, // queue_depth
  { abs: 0, rel: 0 }, // healthy_replicas: every change
  { abs: 0.01, rel: 0.02 }, // pool_utilisation
  { abs: 1, rel: 0.02 }, // connections
  { abs: 0.5, rel: 0.02 }, // disk_pct
  { abs: 0.005, rel: 0.02 }, // cache_hit_ratio
  { abs: 0.1, rel: 0.02 }, // burn_rate_5m
  { abs: 0.1, rel: 0.02 }, // burn_rate_1h
  { abs: 0.1, rel: 0.02 }, // error_budget_burned_pct
];

/** Every this many simulated seconds, a team's frame carries all its services. */
export const TELEMETRY_REFRESH_S = 10;

/** One tick of telemetry for a team: only services whose metrics moved (see TELEMETRY_DEAD_BAND). */
export interface TelemetryFrame {
  team: string;
  t: number;
  /** service id → values in TELEMETRY_METRICS order, rounded. */
  services: Record<string, number[]>;
  /** alert id → state, for alerts whose state changed since the last frame. */
  alerts?: Record<string, 'inactive' | 'pending' | 'firing'>;
}

export interface Participant {
  id: string;
  name: string;
  team: string;
  role: string;
  connected: boolean;
}

export interface Welcome {
  sessionId: string;
  you: { kind: 'facilitator' } | { kind: 'participant'; participant: Participant; token: string };
  scenario: { id: string; title: string; summary: string; briefing: string; difficulty: string; duration: number; objectives: string[]; workload: string };
  teams: string[];
  phase: string;
  t: number;
  speed: number;
  /** The sequence number of the newest event at the moment of joining; events after it follow. */
  lastSeq: number;
  scoresVisible: boolean;
}

export type Ack<T> = (reply: ({ ok: true } & T) | { ok: false; error: ErrorBody }) => void;

export interface ActionReply {
  seq: number | null;
  result: ResultSummary;
  duplicate: boolean;
}

export interface ServerToClient {
  welcome: (w: Welcome) => void;
  /** One event of the log, in order, never twice. Participants see their team's and the session's. */
  event: (e: SessionEvent) => void;
  /** Sent volatile: superseded every tick, so nothing buffers it. */
  telemetry: (f: TelemetryFrame) => void;
  presence: (p: Participant[]) => void;
  error: (e: ErrorBody) => void;
}

export interface ClientToServer {
  action: (m: ActionMessage, ack: Ack<ActionReply>) => void;
  command: (m: CommandMessage, ack: Ack<{ effect: string; duplicate: boolean }>) => void;
  logs: (m: LogsRequest, ack: Ack<{ lines: LogLine[] }>) => void;
  view: (m: ViewRequest, ack: Ack<{ view: TeamView }>) => void;
  resume: (m: ResumeRequest, ack: Ack<{ replayed: number; lastSeq: number }>) => void;
}
