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
import { attachGateway, originAllowed, type FiredrillServer } from './realtime/gateway.ts';
import { MAX_MESSAGE_BYTES } from './protocol/messages.ts';
import { createSqliteStore } from './store/sqlite.ts';
import type { Store } from './store/store.ts';

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
  stepMs?: number;
  clientDir?: string;
}

export interface Running {
  app: FastifyInstance;
  io: FiredrillServer;
  manager: SessionManager;
  url: string;
  close(reason?: string): Promise<void>;
}

export async function startServer(options: ServeOptions): Promise<Running> {
  const logger = options.logger ?? pino({ level: process.env.LOG_LEVEL ?? 'info' });
  const library = await readLibrary(options.libraryDir);
  if (library.problems.length) logger.warn({ problems: library.problems.length }, 'the scenario library has problems; run `firedrill validate`');
  let store = options.store;
  if (!store) {
    mkdirSync(options.dataDir, { recursive: true });
    store = await createSqliteStore({ path: join(options.dataDir, 'firedrill.db') });
  }
  const manager = new SessionManager({
    store,
    library: {
      scenario: (id) => library.scenarios.get(id)?.spec,
      workload: (id) => library.workloads.get(id),
      runbooks: () => [...library.runbooks.values()],
    },
    stepMs: options.stepMs,
    onError: (err, where) => logger.error({ err, where }, 'session error'),
  });
  const recovered = await manager.recover();
  if (recovered) logger.info({ sessions: recovered }, 'recovered unfinished sessions (running ones are paused)');

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
  manager.metrics.gauge('firedrill_sockets_connected', 'socket.io connections open.', () => io.engine.clientsCount);
  const gateway = attachGateway(io, { manager, logger: logger.child({ component: 'realtime' }), allowedOrigins: options.allowedOrigins });
  await app.listen({ port: options.port, host: options.host });
  manager.start();
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const url = `http://${options.host === '0.0.0.0' ? 'localhost' : options.host}:${port}`;

  let closing: Promise<void> | null = null;
  const close = (reason = 'the server is shutting down') => {
    closing ??= (async () => {
      app.firedrill.shuttingDown = true;
      await manager.shutdown(reason);
      for (const socket of await io.fetchSockets()) socket.emit('error', { code: 'server/shutting-down', message: reason });
      await closeConnections(io, 2000);
      gateway.close();
      io.close();
      await app.close();
      await store.close();
    })();
    return closing;
  };
  return { app, io, manager, url, close };
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
    libraryDir,
    allowedOrigins: (process.env.FIREDRILL_ORIGINS ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    adminToken: process.env.FIREDRILL_ADMIN_TOKEN ?? nanoid(32),
    clientDir: fileURLToPath(new URL('../client/dist/', import.meta.url)),
  };
}
