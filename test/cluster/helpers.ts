// Several `firedrill serve` nodes as child processes on loopback, sharing a fresh PostgreSQL schema
// and a Redis key prefix of their own; throwaway redis-servers and a TCP proxy in front of
// PostgreSQL that a test can cut; clients that move from node to node as a load balancer would
// send them after a node dies.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import pg from 'pg';
import { createClient } from 'redis';
import { nanoid, customAlphabet } from 'nanoid';
import { VISIBLE_EVENTS } from '../../server/engine/session/view.ts';
import type { SessionEvent } from '../../server/engine/session/events.ts';
import type { ActionSpec } from '../../server/engine/actions/schema.ts';
import { REPO_DIR, TestClient, freePort, type Auth } from '../helpers/live.ts';

export const PG_URL = process.env.FIREDRILL_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.FIREDRILL_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const ADMIN = 'admin-token-for-tests-0123456789';

const lower = customAlphabet('abcdefghijklmnopqrstuvwxyz0123456789', 10);

/** A fresh schema for one test file; `drop()` removes it and everything in it. */
export async function freshSchema(): Promise<{ name: string; drop(): Promise<void> }> {
  const name = `fd_cluster_${lower()}`;
  return {
    name,
    async drop() {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      try {
        await c.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
      } finally {
        await c.end();
      }
    },
  };
}

/** One query on the test database (in `schema`), with a short-lived client. */
export async function query<R extends pg.QueryResultRow>(schema: string, text: string, values: unknown[] = []): Promise<R[]> {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    await c.query(`SET search_path TO "${schema}"`);
    return (await c.query<R>(text, values)).rows;
  } finally {
    await c.end();
  }
}

export async function leaseOwner(schema: string, sessionId: string): Promise<string | undefined> {
  const rows = await query<{ owner: string }>(schema, 'SELECT owner FROM session_leases WHERE session_id = $1 AND expires_at > now()', [sessionId]);
  return rows[0]?.owner;
}

export interface NodeProcess {
  id: string;
  url: string;
  port: number;
  child: ChildProcess;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  alive(): boolean;
}

export interface NodeConfig {
  id: string;
  schema: string;
  prefix: string;
  databaseUrl?: string;
  redisUrl?: string;
  leaseTtlMs?: number;
  callTimeoutMs?: number;
  /** Milliseconds between clock steps (default 100). */
  env?: Record<string, string>;
}

/** `node server/bin/firedrill.mjs serve` with the cluster's environment; resolves once it listens. */
export async function startNode(config: NodeConfig, timeoutMs = 150_000): Promise<NodeProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [join(REPO_DIR, 'server/bin/firedrill.mjs'), 'serve', '--port', String(port), '--host', '127.0.0.1'], {
    cwd: REPO_DIR,
    env: {
      ...process.env,
      LOG_LEVEL: 'warn',
      FIREDRILL_ADMIN_TOKEN: ADMIN,
      DATABASE_URL: config.databaseUrl ?? PG_URL,
      FIREDRILL_PG_SCHEMA: config.schema,
      REDIS_URL: config.redisUrl ?? REDIS_URL,
      FIREDRILL_REDIS_PREFIX: config.prefix,
      FIREDRILL_NODE_ID: config.id,
      FIREDRILL_LEASE_TTL_MS: String(config.leaseTtlMs ?? 3000),
      FIREDRILL_CALL_TIMEOUT_MS: String(config.callTimeoutMs ?? 20_000),
      ...config.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let exitedFlag = false;
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      exitedFlag = true;
      resolve({ code, signal });
    }),
  );
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`node ${config.id} did not start within ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    const check = () => {
      if (out.includes('firedrill is running at')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stderr!.on('data', check);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`node ${config.id} exited (${code ?? signal}) before listening:\n${out}`));
    });
  });
  return { id: config.id, url: `http://127.0.0.1:${port}`, port, child, output: () => out, exited, alive: () => !exitedFlag };
}

export async function stopNode(node: NodeProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  // What the node said, for a failure's post-mortem.
  writeFileSync(join(tmpdir(), `firedrill-cluster-node-${node.id}.log`), node.output());
  if (!node.alive()) return;
  node.child.kill(signal);
  const timer = setTimeout(() => node.child.kill('SIGKILL'), 15_000);
  await node.exited;
  clearTimeout(timer);
}

export async function readyz(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  try {
    const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(8000) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  } catch (err) {
    return { status: 0, body: { error: (err as Error).message } };
  }
}

/** Polls `check` until it returns a value (not undefined/false), or fails naming `what`. */
export async function until<T>(check: () => Promise<T | undefined | false> | T | undefined | false, what: string, timeoutMs = 30_000, everyMs = 200): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export function visibleTo(team: string) {
  return (e: SessionEvent) => (e.team === undefined || e.team === team) && VISIBLE_EVENTS.has(e.type);
}

/**
 * A participant or facilitator that may reconnect to another node (as a load balancer would send
 * it after its node died), resuming with its token and the last seq it holds. `events` gathers
 * every connection's events in arrival order.
 */
export class Roamer {
  readonly connections: TestClient[] = [];
  token: string;
  private constructor(first: TestClient, token: string) {
    this.connections.push(first);
    this.token = token;
  }

  static async connect(url: string, auth: Auth): Promise<Roamer> {
    const c = await TestClient.connect(url, auth, { timeoutMs: 20_000 });
    const token = c.welcome.you.kind === 'participant' ? c.welcome.you.token : (auth as { token: string }).token;
    return new Roamer(c, token);
  }

  get client(): TestClient {
    return this.connections[this.connections.length - 1];
  }

  get events(): SessionEvent[] {
    return this.connections.flatMap((c) => c.events);
  }

  get lastSeq(): number {
    return this.events.reduce((m, e) => Math.max(m, e.seq), 0);
  }

  async moveTo(url: string): Promise<void> {
    this.client.close();
    this.connections.push(await TestClient.connect(url, { token: this.token, lastSeq: this.lastSeq }, { timeoutMs: 20_000 }));
  }

  /** An action with an ack timeout long enough to wait through a failover. */
  act(action: ActionSpec, key = nanoid(16), timeoutMs = 30_000) {
    return this.client.request<{ seq: number | null; result: { ok: boolean; code?: string; effect?: string }; duplicate: boolean }>('action', { key, action }, timeoutMs);
  }

  close(): void {
    this.client.close();
  }
}

/** A redis-server of the test's own on a free port, nothing on disk; `kill()` and `start()` again on the same port. */
export class ThrowawayRedis {
  private child: ChildProcess | null = null;
  private constructor(readonly port: number) {}

  static async start(): Promise<ThrowawayRedis> {
    const r = new ThrowawayRedis(await freePort());
    await r.start();
    return r;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    let out = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`redis-server on port ${this.port} did not start:\n${out}`)), 10_000);
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited (${code}):\n${out}`));
      });
    });
  }

  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    this.child = null;
  }
}

/** A TCP proxy to PostgreSQL that the test can cut (every connection dropped, new ones refused) and restore. */
export class CuttableProxy {
  private readonly sockets = new Set<Socket>();
  private cutOff = false;
  private constructor(private readonly server: Server, readonly port: number) {}

  static async start(target: { host: string; port: number }): Promise<CuttableProxy> {
    let proxy: CuttableProxy | undefined;
    const server = createServer((client) => {
      if (!proxy || proxy.cutOff) return void client.destroy();
      const upstream = connect(target.port, target.host);
      proxy.sockets.add(client);
      proxy.sockets.add(upstream);
      const drop = () => {
        client.destroy();
        upstream.destroy();
        proxy!.sockets.delete(client);
        proxy!.sockets.delete(upstream);
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    proxy = new CuttableProxy(server, typeof address === 'object' && address ? address.port : 0);
    return proxy;
  }

  /** PostgreSQL's URL through this proxy. */
  url(base = PG_URL): string {
    const u = new URL(base);
    u.hostname = '127.0.0.1';
    u.port = String(this.port);
    return u.toString();
  }

  cut(): void {
    this.cutOff = true;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  restore(): void {
    this.cutOff = false;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise((r) => this.server.close(r));
  }
}

/** Deletes what a test run's nodes left in a Redis (presence lists, liveness keys) under its prefix. */
export async function dropRedisPrefix(prefix: string, url = REDIS_URL): Promise<void> {
  const client = createClient({ url });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const keys: string[] = [];
    for await (const batch of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) keys.push(...(Array.isArray(batch) ? batch : [batch]));
    if (keys.length) await client.del(keys);
  } finally {
    await client.quit();
  }
}

export function uniquePrefix(): string {
  return `fdtest-${nanoid(8)}`;
}
