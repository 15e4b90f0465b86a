// The Fastify app, built by a factory so tests use `inject` and real listeners alike.
// Listening, socket.io and shutdown live in server/serve.ts.
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { nanoid } from 'nanoid';
import type { Logger } from 'pino';
import type { SessionManager } from '../live/manager.ts';
import type { Library } from '../engine/scenario/library.ts';
import { ERRORS, errorBody, type ErrorCode } from '../protocol/errors.ts';
import { registerRoutes } from './routes.ts';

export interface AppOptions {
  manager: SessionManager;
  library: Library;
  /** Where the library was read from (validation of uploads resolves workloads and runbooks there). */
  libraryDir: string;
  logger: Logger | false;
  /** Operator token for /api/admin/*; without one, the admin routes answer 404. */
  adminToken?: string;
  /** The built web client, served at / when present. */
  clientDir?: string;
  /** Largest request body, in bytes. */
  bodyLimit?: number;
}

declare module 'fastify' {
  interface FastifyInstance {
    firedrill: { manager: SessionManager; library: Library; libraryDir: string; adminToken?: string; shuttingDown: boolean };
  }
}

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const fastifyOptions: FastifyServerOptions = {
    logger: options.logger === false ? false : (options.logger as unknown as FastifyServerOptions['logger']),
    genReqId: () => nanoid(12),
    requestIdHeader: 'x-request-id',
    bodyLimit: options.bodyLimit ?? 2 * 1024 * 1024,
    // Refuse prototype-polluting keys in JSON bodies outright.
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
  };
  const app = Fastify(options.logger === false ? fastifyOptions : { ...fastifyOptions, logger: undefined, loggerInstance: options.logger as never });
  app.decorate('firedrill', { manager: options.manager, library: options.library, libraryDir: options.libraryDir, adminToken: options.adminToken, shuttingDown: false });

  app.setErrorHandler((err, req, reply) => {
    const e = err as Error & { statusCode?: number; validation?: unknown; code?: string };
    if (e.validation) return reply.status(400).send(errorBody('request/invalid', e.message));
    if (e.statusCode === 413 || e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return reply.status(413).send(errorBody('message/too-large', e.message));
    if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
      const code: ErrorCode = e.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || /proto|constructor/i.test(e.message) ? 'request/invalid' : 'request/invalid';
      return reply.status(e.statusCode).send(errorBody(code, e.message));
    }
    req.log.error({ err }, 'request failed');
    return reply.status(500).send(errorBody('internal'));
  });
  app.setNotFoundHandler((req, reply) => reply.status(404).send(errorBody('not-found', `no route ${req.method} ${req.url.split('?')[0]}`)));

  await app.register(swagger, {
    openapi: {
      info: { title: 'firedrill', description: 'Game days and incident-response drills: REST API. The real-time protocol (socket.io) is in docs/protocol.md.', version: '0.1.0' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  app.get('/healthz', { schema: { hide: true } }, async () => ({ ok: true }));
  app.get('/readyz', { schema: { hide: true } }, async (_req, reply) => {
    const f = app.firedrill;
    const store = await f.manager.store.ping().catch(() => false);
    const ready = store && !f.shuttingDown;
    return reply.status(ready ? 200 : 503).send({
      ready,
      store: store ? 'ok' : 'unreachable',
      shuttingDown: f.shuttingDown,
      haltedAll: f.manager.haltedAll,
    });
  });
  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => reply.type('text/plain; version=0.0.4').send(app.firedrill.manager.metrics.render()));

  await registerRoutes(app);
  return app;
}

export { ERRORS };
