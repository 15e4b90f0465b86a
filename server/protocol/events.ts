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

/** One tick of telemetry for a team: only services whose metrics changed since the last frame. */
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
