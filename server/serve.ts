// `firedrill serve` / `npm start`: one process, one port, SQLite under ./data — nothing else to run.
// Builds the app, attaches socket.io, brings back unfinished sessions, and shuts down gracefully:
// it stops accepting, pauses running sessions (recorded, so everyone sees it), persists and closes.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Server } from 'socket.io';
import pino, { type Logger } from 'pino';
import { nanoid } from 'nanoid';
import type { FastifyInstance } from 'fastify';
import { readLibrary } from './library/fs.ts';
import { buildApp } from './http/app.ts';
import { SessionManager } from './live/manager.ts';
import { checkBackgroundNice, lowerBackgroundThreads } from './live/threads.ts';
import { attachGateway, originAllowed, type FiredrillServer } from './realtime/gateway.ts';
import { MAX_MESSAGE_BYTES } from './protocol/messages.ts';
import { createSqliteStore } from './store/sqlite.ts';
import { LEADER_CHECK_MS, Scheduler, workerDryRun, type SchedulerOptions } from './learning/scheduler.ts';
import { DryRunner } from './http/editor/runner.ts';
import { createPostgresStore, isPostgresUrl, redactDatabaseUrl } from './store/postgres.ts';
import type { Store } from './store/store.ts';
import { ClusterNode, defaultNodeId } from './cluster/node.ts';
import { LeaseStore, withNodeSetting } from './cluster/lease.ts';

export interface ServeOptions {
  port: number;
  host: string;
  dataDir: string;
  libraryDir: string;
  allowedOrigins: string[];
  adminToken?: string;
  logger?: Logger;
  /** Use this store instead of SQLite in dataDir (tests). */
  store?: Store;
  /** postgres:// or postgresql:// (DATABASE_URL, --database-url): the PostgreSQL store instead of SQLite in dataDir. */
  databaseUrl?: string;
  /** The PostgreSQL schema for every table (FIREDRILL_PG_SCHEMA); default the connection's search_path. */
  databaseSchema?: string;
  /**
   * redis:// (REDIS_URL): this server is one node of a cluster (needs the PostgreSQL store). See
   * server/cluster/node.ts and docs/operations.md.
   */
  redisUrl?: string;
  /** Cluster tuning (FIREDRILL_NODE_ID, FIREDRILL_REDIS_PREFIX, FIREDRILL_LEASE_TTL_MS, FIREDRILL_CALL_TIMEOUT_MS). */
  cluster?: { nodeId?: string; prefix?: string; leaseTtlMs?: number; callTimeoutMs?: number };
  stepMs?: number;
  /** An ended session nobody follows is dropped from memory after this long (default 10 min); see SessionManager. */
  endedSessionTtlMs?: number;
  clientDir?: string;
  /**
   * Niceness for every thread but the event loop's (V8's GC and compiler workers, libuv's pool):
   * FIREDRILL_BACKGROUND_NICE, default 10; 0 leaves them alone. See server/live/threads.ts.
   */
  backgroundNice?: number;
  /** The scheduler's clock and timers (tests drive scheduled game days with them). */
  scheduler?: Pick<SchedulerOptions, 'now' | 'setTimeout' | 'clearTimeout' | 'dryRun' | 'leader'>;
}

export interface Running {
  app: FastifyInstance;
  io: FiredrillServer;
  manager: SessionManager;
  scheduler: Scheduler;
  url: string;
  close(reason?: string): Promise<void>;
}

export async function startServer(options: ServeOptions): Promise<Running> {
  const logger = options.logger ?? pino({ level: process.env.LOG_LEVEL ?? 'info' });
  checkBackgroundNice(options.backgroundNice ?? 10);
  const library = await readLibrary(options.libraryDir);
  if (library.problems.length) logger.warn({ problems: library.problems.length }, 'the scenario library has problems; run `firedrill validate`');
  let store = options.store;
  // One node of a cluster: every database connection carries the node's id, for the lease fence.
  const nodeId = options.redisUrl ? (options.cluster?.nodeId ?? defaultNodeId()) : undefined;
  if (!store && isPostgresUrl(options.databaseUrl)) {
    const database = redactDatabaseUrl(options.databaseUrl);
    store = await createPostgresStore({
      url: nodeId ? withNodeSetting(options.databaseUrl, nodeId) : options.databaseUrl,
      schema: options.databaseSchema,
      onIdleError: (err) => logger.warn({ err: err.message, database }, 'a PostgreSQL connection was lost; the next query opens a new one'),
    });
    logger.info({ store: 'postgres', database }, 'store: PostgreSQL');
  } else if (!store) {
    if (options.databaseUrl) logger.warn({ databaseUrl: redactDatabaseUrl(options.databaseUrl) }, 'DATABASE_URL is not a postgres:// URL; using SQLite');
    mkdirSync(options.dataDir, { recursive: true });
    const path = join(options.dataDir, 'firedrill.db');
    store = await createSqliteStore({ path });
    logger.info({ store: 'sqlite', path }, 'store: SQLite');
  }
  const manager = new SessionManager({
    store,
    library: {
      scenario: (id) => library.scenarios.get(id)?.spec,
      workload: (id) => library.workloads.get(id),
      runbooks: () => [...library.runbooks.values()],
    },
    stepMs: options.stepMs,
    endedTtlMs: options.endedSessionTtlMs,
    onError: (err, where) => logger.error({ err, where }, 'session error'),
  });
  let cluster: ClusterNode | undefined;
  if (options.redisUrl) {
    if (store.kind !== 'postgres') throw new Error('REDIS_URL makes this server one node of a cluster, which needs DATABASE_URL=postgres://… (the nodes share their sessions through PostgreSQL)');
    const shared = store as Store & { pool: import('pg').Pool; schema: string };
    cluster = await ClusterNode.start({
      manager,
      leases: new LeaseStore({ pool: shared.pool, schema: shared.schema }),
      redisUrl: options.redisUrl,
      logger: logger.child({ component: 'cluster' }),
      ...options.cluster,
      nodeId,
    });
    logger.info({ node: cluster.nodeId, leaseTtlMs: cluster.leaseTtlMs }, 'cluster node: sessions are shared through PostgreSQL leases and Redis');
  }
  const recovered = await manager.recover();
  if (recovered) logger.info({ sessions: recovered }, 'recovered unfinished sessions (running ones are paused)');
  // Scheduled game days: what fell due while the server was down opens now (or is recorded as
  // missed when its window has closed); then one timer waits for the next.
  // The checklist's dry runs go to a worker thread of their own (a few seconds of CPU each).
  const dryRunner = new DryRunner({ maxQueued: 8, timeoutMs: 120_000 });
  const scheduler = new Scheduler({
    store,
    manager,
    library,
    dryRun: workerDryRun(dryRunner),
    ...options.scheduler,
    onError: (err, where) => logger.error({ err, where }, 'scheduler error'),
    onOccurrence: (o, s) => logger.info({ schedule: s.id, n: o.n, status: o.status, session: o.sessionId, note: o.note }, `scheduled game day ${o.status}`),
    // Several nodes: one of them (the holder of the `~scheduler` lease) opens the lobbies.
    ...(cluster ? { leader: schedulerLeader(cluster) } : {}),
  });
  const due = await scheduler.start();
  if (due.opened || due.missed) logger.info(due, 'scheduled game days due while the server was down');

  const app = await buildApp({ manager, library, libraryDir: options.libraryDir, logger, adminToken: options.adminToken, clientDir: options.clientDir });
  const io: FiredrillServer = new Server(app.server, {
    serveClient: false,
    // The transport takes 4× the message limit, so a message between the two gets a named
    // `message/too-large` answer from the gateway instead of a dropped connection.
    maxHttpBufferSize: MAX_MESSAGE_BYTES * 4,
    allowRequest: (req, callback) => callback(null, originAllowed(req, options.allowedOrigins)),
    // Recovery comes from the event log (by sequence number), which survives restarts; socket.io's
    // own connection-state recovery does not, so it stays off.
  });
  if (cluster) io.adapter(cluster.adapter());
  manager.metrics.gauge('firedrill_sockets_connected', 'socket.io connections open.', () => io.engine.clientsCount);
  const gateway = attachGateway(io, { manager, logger: logger.child({ component: 'realtime' }), allowedOrigins: options.allowedOrigins });
  await app.listen({ port: options.port, host: options.host });
  manager.start();
  cluster?.run();
  // Last, so that the threads started so far (V8's workers, libuv's pool) are all there.
  const threads = lowerBackgroundThreads(options.backgroundNice ?? 10);
  logger.debug({ nice: options.backgroundNice ?? 10, ...threads }, 'background threads yield to the event loop');
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const url = `http://${options.host === '0.0.0.0' ? 'localhost' : options.host}:${port}`;

  let closing: Promise<void> | null = null;
  const close = (reason = 'the server is shutting down') => {
    closing ??= (async () => {
      app.firedrill.shuttingDown = true;
      scheduler.stop();
      await dryRunner.close();
      await manager.shutdown(reason);
      // In a cluster: release the leases now, so that other nodes take the sessions over at once.
      await cluster?.close();
      for (const socket of await io.local.fetchSockets()) socket.emit('error', { code: 'server/shutting-down', message: reason });
      await closeConnections(io, 2000);
      gateway.close();
      io.close();
      await app.close();
      await store.close();
    })();
    return closing;
  };
  return { app, io, manager, scheduler, url, close };
}

/**
 * Closes every client connection once what was written to it has gone out. `io.close()` discards
 * unsent packets (the pause and the shutting-down error would be lost); closing each connection
 * without discarding waits for its buffer to drain. Clients see a transport close and, being
 * socket.io clients, reconnect by themselves once the server is back.
 */
async function closeConnections(io: FiredrillServer, timeoutMs: number): Promise<void> {
  const sockets = io.of('/').sockets;
  for (const socket of sockets.values()) socket.conn.close();
  const until = Date.now() + timeoutMs;
  while (sockets.size > 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 10));
}

/** Options from flags and the environment, with the embedded defaults. */
export function defaultServeOptions(libraryDir: string): ServeOptions {
  return {
    port: Number(process.env.PORT ?? 3000),
    host: process.env.HOST ?? '0.0.0.0',
    dataDir: resolve(process.env.FIREDRILL_DATA ?? 'data'),
    databaseUrl: process.env.DATABASE_URL || undefined,
    databaseSchema: process.env.FIREDRILL_PG_SCHEMA || undefined,
    redisUrl: process.env.REDIS_URL || undefined,
    cluster: {
      nodeId: process.env.FIREDRILL_NODE_ID || undefined,
      prefix: process.env.FIREDRILL_REDIS_PREFIX || undefined,
      leaseTtlMs: process.env.FIREDRILL_LEASE_TTL_MS ? Number(process.env.FIREDRILL_LEASE_TTL_MS) : undefined,
      callTimeoutMs: process.env.FIREDRILL_CALL_TIMEOUT_MS ? Number(process.env.FIREDRILL_CALL_TIMEOUT_MS) : undefined,
    },
    libraryDir,
    allowedOrigins: (process.env.FIREDRILL_ORIGINS ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    adminToken: process.env.FIREDRILL_ADMIN_TOKEN ?? nanoid(32),
    endedSessionTtlMs: process.env.FIREDRILL_ENDED_SESSION_TTL_MS ? Number(process.env.FIREDRILL_ENDED_SESSION_TTL_MS) : undefined,
    backgroundNice: process.env.FIREDRILL_BACKGROUND_NICE === undefined || process.env.FIREDRILL_BACKGROUND_NICE === '' ? 10 : Number(process.env.FIREDRILL_BACKGROUND_NICE),
    clientDir: fileURLToPath(new URL('../client/dist/', import.meta.url)),
  };
}

/** The scheduler's leadership in a cluster: a lease like a session's, renewed at every check. */
function schedulerLeader(cluster: ClusterNode): () => Promise<boolean> {
  return async () => {
    try {
      const grant = await cluster.leases.acquire('~scheduler', cluster.nodeId, 3 * LEADER_CHECK_MS);
      return grant !== null && grant.owner === cluster.nodeId;
    } catch {
      return false; // the database is down: nobody opens anything until it is back
    }
  };
}
