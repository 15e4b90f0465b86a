// Real listeners and real socket.io clients for integration tests: a server on a free port with
// SQLite in a temporary directory, REST helpers, and a client that records everything it receives
// (with the time it arrived) and waits for what a test expects without fixed sleeps.
//
//   const srv = await startTestServer();
//   const created = await createSession(srv.url, { scenario: 'friday-deploy', teams: ['blue'], speed: 60 });
//   const fac = await TestClient.connect(srv.url, { token: created.facilitatorToken });
//   await fac.command('start');
//   await fac.waitForEvent((e) => e.type === 'fault.injected');
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { nanoid } from 'nanoid';
import { io as ioClient, type Socket } from 'socket.io-client';
import { startServer, type Running, type ServeOptions } from '../../server/serve.ts';
import type { SessionEvent } from '../../server/engine/session/events.ts';
import type { ActionSpec } from '../../server/engine/actions/schema.ts';
import type { ClientToServer, Participant, ServerToClient, TelemetryFrame, Welcome } from '../../server/protocol/events.ts';
import type { CommandMessage } from '../../server/protocol/messages.ts';
import type { ErrorBody } from '../../server/protocol/errors.ts';
import type { SessionRecord, StoredInput } from '../../server/store/store.ts';
import { Session } from '../../server/engine/session/session.ts';

export const LIBRARY_DIR = fileURLToPath(new URL('../../scenarios/', import.meta.url));
export const REPO_DIR = fileURLToPath(new URL('../../', import.meta.url));

export interface TestServer {
  url: string;
  port: number;
  running: Running;
  dataDir: string;
  close(): Promise<void>;
}

/**
 * A live server on 127.0.0.1 and a free port, SQLite in a fresh temporary directory (removed on
 * close) or in `options.dataDir` (kept: a restart test starts a second server on it), silent logs.
 */
export async function startTestServer(options: Partial<ServeOptions> = {}): Promise<TestServer> {
  const ownDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'firedrill-it-'));
  const running = await startServer({
    port: 0,
    host: '127.0.0.1',
    libraryDir: LIBRARY_DIR,
    allowedOrigins: [],
    adminToken: 'admin-token-for-tests-0123456789',
    logger: pino({ level: 'silent' }),
    stepMs: 25,
    ...options,
    dataDir,
  });
  const port = Number(new URL(running.url).port);
  let closed = false;
  return {
    url: running.url,
    port,
    running,
    dataDir,
    async close() {
      if (closed) return;
      closed = true;
      await running.close();
      if (ownDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A port nothing listens on right now (for child processes that need a port on the command line). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export interface Created {
  id: string;
  joinCode: string;
  facilitatorToken: string;
}

/** POST /api/sessions; throws with the server's error body when it refuses. */
export async function createSession(url: string, body: { scenario: string; teams?: string[]; seed?: string | number; speed?: number }): Promise<Created> {
  const res = await fetch(`${url}/api/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = (await res.json()) as Created | ErrorBody;
  if (res.status !== 201) throw new Error(`POST /api/sessions answered ${res.status}: ${JSON.stringify(json)}`);
  return json as Created;
}

export function key(): string {
  return nanoid(16);
}

export type Auth = { token: string; lastSeq?: number } | { code: string; team: string; name: string; role?: string; lastSeq?: number };
type ClientSocket = Socket<ServerToClient, ClientToServer>;
/** The same socket without the contract's types, to send what a well-behaved client never would. */
export type RawSocket = { emit(event: string, ...args: unknown[]): unknown; timeout(ms: number): { emitWithAck(event: string, ...args: unknown[]): Promise<unknown> } };

export interface ConnectOptions {
  headers?: Record<string, string>;
  /** Milliseconds to wait for `welcome`. */
  timeoutMs?: number;
}

export type Reply<T = Record<string, unknown>> = ({ ok: true } & T) | { ok: false; error: ErrorBody };

/** A refused handshake: the server's error body (socket.io `connect_error` → `err.data`). */
export async function connectError(url: string, auth: unknown, options: ConnectOptions = {}): Promise<{ code: string; message: string }> {
  const socket = ioClient(url, { auth: auth as Record<string, unknown>, transports: ['websocket'], forceNew: true, reconnection: false, extraHeaders: options.headers });
  try {
    return await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('neither connected nor refused within 5 s')), options.timeoutMs ?? 5000);
      socket.once('connect', () => {
        clearTimeout(timer);
        reject(new Error('connected, but a refusal was expected'));
      });
      socket.once('connect_error', (err: Error & { data?: { code: string; message: string } }) => {
        clearTimeout(timer);
        resolve(err.data ?? { code: 'transport', message: err.message });
      });
    });
  } finally {
    socket.close();
  }
}

/** A connected client that records every event, frame, error and presence list it receives. */
export class TestClient {
  readonly socket: ClientSocket;
  welcome!: Welcome;
  readonly welcomes: Welcome[] = [];
  readonly events: SessionEvent[] = [];
  /** performance.now() when each entry of `events` arrived. */
  readonly arrivedAt: number[] = [];
  readonly telemetry: TelemetryFrame[] = [];
  readonly errors: ErrorBody[] = [];
  presence: Participant[] = [];
  disconnectReason: string | null = null;
  private readonly waiters = new Set<() => void>();

  private constructor(socket: ClientSocket) {
    this.socket = socket;
    const notify = () => {
      for (const w of [...this.waiters]) w();
    };
    socket.on('welcome', (w) => {
      this.welcome = w;
      this.welcomes.push(w);
      notify();
    });
    socket.on('event', (e) => {
      this.events.push(e);
      this.arrivedAt.push(performance.now());
      notify();
    });
    socket.on('telemetry', (f) => {
      this.telemetry.push(f);
      notify();
    });
    socket.on('error', (e) => {
      this.errors.push(e);
      notify();
    });
    socket.on('presence', (p) => {
      this.presence = p;
      notify();
    });
    socket.on('disconnect', (reason) => {
      this.disconnectReason = reason;
      notify();
    });
  }

  /** Connects and resolves once `welcome` arrived; rejects with the refusal's code. */
  static async connect(url: string, auth: Auth, options: ConnectOptions = {}): Promise<TestClient> {
    const socket: ClientSocket = ioClient(url, { auth, transports: ['websocket'], forceNew: true, reconnection: false, extraHeaders: options.headers });
    const client = new TestClient(socket);
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no welcome within the timeout')), options.timeoutMs ?? 5000);
        socket.once('welcome', () => {
          clearTimeout(timer);
          resolve();
        });
        socket.once('connect_error', (err: Error & { data?: ErrorBody }) => {
          clearTimeout(timer);
          reject(new Error(`connection refused: ${err.data?.code ?? err.message}`));
        });
      });
    } catch (err) {
      socket.close();
      throw err;
    }
    return client;
  }

  get raw(): RawSocket {
    return this.socket as unknown as RawSocket;
  }

  /** The highest event seq received so far (0 when none). */
  get lastSeq(): number {
    return this.events.reduce((max, e) => Math.max(max, e.seq), 0);
  }

  /** Resolves with `check()`'s first non-undefined value, re-checked whenever anything arrives. */
  waitFor<T>(check: () => T | undefined | false, what: string, timeoutMs = 10_000): Promise<T> {
    const first = check();
    if (first !== undefined && first !== false) return Promise.resolve(first);
    return new Promise((resolve, reject) => {
      const waiter = () => {
        const v = check();
        if (v !== undefined && v !== false) {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve(v);
        }
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  /** The first event (received so far or later) that matches, searching from index `from`. */
  waitForEvent(match: (e: SessionEvent) => boolean, what = 'an event', timeoutMs = 10_000, from = 0): Promise<SessionEvent> {
    return this.waitFor(() => this.events.slice(from).find(match), what, timeoutMs);
  }

  /** A telemetry frame with simulated time at least `t`. */
  waitForTime(t: number, timeoutMs = 10_000): Promise<TelemetryFrame> {
    return this.waitFor(() => this.telemetry.find((f) => f.t >= t), `telemetry at T+${t}s`, timeoutMs);
  }

  waitForDisconnect(timeoutMs = 5000): Promise<string> {
    return this.waitFor(() => this.disconnectReason ?? undefined, 'a disconnect', timeoutMs);
  }

  request<T = Record<string, unknown>>(event: keyof ClientToServer, payload: unknown, timeoutMs = 5000): Promise<Reply<T>> {
    return this.raw.timeout(timeoutMs).emitWithAck(event, payload) as Promise<Reply<T>>;
  }

  act(action: ActionSpec, k = key()) {
    return this.request<{ seq: number | null; result: { ok: boolean; code?: string; message?: string; effect?: string; completesAt?: number }; duplicate: boolean }>('action', { key: k, action });
  }

  command(command: CommandMessage['command'], extra: Omit<Partial<CommandMessage>, 'command' | 'key'> = {}, k = key()) {
    return this.request<{ effect: string; duplicate: boolean }>('command', { key: k, command, ...extra });
  }

  close(): void {
    this.socket.close();
  }
}

/** Seqs strictly increasing, no duplicates: what every client must see. */
export function isStrictlyIncreasing(seqs: number[]): boolean {
  return seqs.every((s, i) => i === 0 || s > seqs[i - 1]);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * The same session run headless: a fresh engine Session from the stored record, fed the stored
 * inputs at their simulated times, exactly as the host replays them after a restart.
 */
export function replayHeadless(record: SessionRecord, inputs: readonly StoredInput[]): Session {
  const session = new Session({
    scenario: record.scenario,
    workload: record.workload,
    runbooks: new Map(record.runbooks.map((r) => [r.id, r])),
    seed: record.seed,
    teams: record.teams,
  });
  for (const { input } of inputs) {
    if (input.kind !== 'facilitator' || input.command !== 'start') session.advanceTo(input.at);
    session.apply(input);
  }
  return session;
}

export interface ChildServer {
  child: ChildProcess;
  url: string;
  /** Everything the process wrote to stderr and stdout so far (for failure messages). */
  output(): string;
  /** Resolves when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `node server/bin/firedrill.mjs serve` as a child process; resolves once it listens. */
export async function spawnServer(port: number, dataDir: string, timeoutMs = 20_000): Promise<ChildServer> {
  const child = spawn(process.execPath, [join(REPO_DIR, 'server/bin/firedrill.mjs'), 'serve', '--port', String(port), '--host', '127.0.0.1', '--data', dataDir], {
    cwd: REPO_DIR,
    env: { ...process.env, LOG_LEVEL: 'warn', FIREDRILL_ADMIN_TOKEN: 'admin-token-for-tests-0123456789' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const url = `http://127.0.0.1:${port}`;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start within ${timeoutMs} ms:\n${out}`)), timeoutMs);
    const check = () => {
      if (out.includes('firedrill is running at')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stderr!.on('data', check);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${code ?? signal}) before listening:\n${out}`));
    });
  });
  return { child, url, output: () => out, exited };
}
