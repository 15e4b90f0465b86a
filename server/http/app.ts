// The Fastify app, built by a factory so tests use `inject` and real listeners alike.
// Listening, socket.io and shutdown live in server/serve.ts.
import Fastify, { type FastifyError, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox';
import { nanoid } from 'nanoid';
import type { Logger } from 'pino';
import type { SessionManager } from '../live/manager.ts';
import type { Library } from '../engine/scenario/library.ts';
import { ERRORS, type ErrorCode } from '../protocol/errors.ts';
import { hasForbiddenKey } from '../protocol/messages.ts';
import { RateLimiter } from '../realtime/rate-limit.ts';
import { HttpMetrics } from './http-metrics.ts';
import { sendError } from './reply.ts';
import { registerRoutes } from './routes.ts';
import { registerClient } from './static.ts';

export interface AppOptions {
  manager: SessionManager;
  library: Library;
  /** Where the library was read from (validation of uploads resolves workloads and runbooks there). */
  libraryDir: string;
  logger: Logger | false;
  /** Operator token for /api/admin/* and GET /api/sessions; without one, those routes answer 404. */
  adminToken?: string;
  /** The built web client, served at / when present. */
  clientDir?: string;
  /** Largest request body, in bytes. */
  bodyLimit?: number;
  /** Wall clock (tests). */
  now?: () => number;
}

export interface FiredrillContext {
  manager: SessionManager;
  library: Library;
  libraryDir: string;
  adminToken?: string;
  shuttingDown: boolean;
  /** Failed token lookups per IP (REST; the socket gateway keeps its own). */
  authLimiter: RateLimiter;
  /** POST /api/scenarios/validate per IP: parsing a 1 MiB file costs real CPU. */
  validateLimiter: RateLimiter;
  httpMetrics: HttpMetrics;
  startedAt: number;
  now: () => number;
}

declare module 'fastify' {
  interface FastifyInstance {
    firedrill: FiredrillContext;
  }
}

/** Largest request body by default: a 1 MiB file to validate, JSON-escaped, fits. */
export const DEFAULT_BODY_LIMIT = 2 * 1024 * 1024;

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const now = options.now ?? Date.now;
  const fastifyOptions: FastifyServerOptions = {
    genReqId: () => nanoid(12),
    requestIdHeader: 'x-request-id',
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    schemaErrorFormatter: (errors, dataVar) => new Error(validationDetails(errors as SchemaError[], dataVar).map((d) => `${d.field}: ${d.message}`).join('; ')),
  };
  const app = Fastify(options.logger === false ? { ...fastifyOptions, logger: false } : { ...fastifyOptions, loggerInstance: options.logger as never });
  app.decorate('firedrill', {
    manager: options.manager,
    library: options.library,
    libraryDir: options.libraryDir,
    adminToken: options.adminToken || undefined,
    shuttingDown: false,
    authLimiter: new RateLimiter(10, 10 / 60, now),
    validateLimiter: new RateLimiter(20, 1, now),
    httpMetrics: new HttpMetrics(),
    startedAt: now(),
    now,
  } satisfies FiredrillContext);

  // TypeBox checks every part (the same compiler as the socket gateway): bodies strictly, while
  // querystrings and params are converted from text first (`?limit=10` is the integer 10).
  app.setValidatorCompiler(TypeBoxValidatorCompiler);

  // JSON only. Our parser names the two ways a body goes wrong: not JSON, or a prototype key.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = body as string;
    if (text.trim() === '') return done(null, undefined);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      return done(codedError('request/invalid', `the body is not valid JSON: ${(err as Error).message}`), undefined);
    }
    if (hasForbiddenKey(value)) return done(codedError('message/forbidden-key'), undefined);
    done(null, value);
  });

  app.setErrorHandler((err: FastifyError & { firedrillCode?: ErrorCode; validation?: SchemaError[] }, req, reply) => {
    if (err.firedrillCode) return sendError(reply, err.firedrillCode, err.message);
    if (err.validation) return sendError(reply, 'request/invalid', err.message, validationDetails(err.validation, err.validationContext ?? 'request'));
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || err.statusCode === 413) return sendError(reply, 'message/too-large', `the body is over the limit of ${req.routeOptions.bodyLimit ?? app.initialConfig.bodyLimit} bytes`);
    if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || err.statusCode === 415) return sendError(reply, 'request/unsupported-media-type');
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) return sendError(reply, 'request/invalid', err.message);
    req.log.error({ err }, 'request failed');
    return sendError(reply, 'internal');
  });
  // The web client, when built, answers its own pages (and installs the not-found handler that
  // sends unknown non-API paths to index.html); otherwise unknown paths get the JSON error.
  const client = options.clientDir ? await registerClient(app, options.clientDir) : false;
  if (!client) app.setNotFoundHandler((req, reply) => sendError(reply, 'not-found', `no route ${req.method} ${req.url.split('?')[0]}`));

  // Answers to a token are for that caller only, and a created session carries its secret token:
  // no cache may keep either.
  app.addHook('onSend', async (req, reply, payload) => {
    if (req.headers.authorization || (req.method === 'POST' && req.url.startsWith('/api/'))) reply.header('cache-control', 'no-store');
    return payload;
  });

  app.addHook('onResponse', async (req, reply) => {
    app.firedrill.httpMetrics.requests.inc({ method: req.method, route: req.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) });
  });

  await app.register(swagger, {
    openapi: {
      info: {
        title: 'firedrill',
        description: 'Game days and incident-response drills: the REST API. The real-time protocol (socket.io) and every error code are in docs/protocol.md.',
        version: '0.1.0',
      },
      tags: [
        { name: 'scenarios', description: 'The scenario library, workloads, and checking uploaded files.' },
        { name: 'sessions', description: 'Game days: create, read state, events, scores and reports.' },
        { name: 'admin', description: 'The operator: halt every game day at once, release, status.' },
      ],
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  app.get('/healthz', { schema: { hide: true } }, async () => ({ ok: true }));
  app.get('/readyz', { schema: { hide: true } }, async (_req, reply) => {
    const f = app.firedrill;
    const store = await f.manager.store.ping().catch(() => false);
    // One node of a cluster also needs Redis to reach the owners of sessions it does not run.
    const cluster = f.manager.cluster?.status();
    const ready = store && !f.shuttingDown && (!cluster || cluster.redis === 'ok');
    return reply.status(ready ? 200 : 503).send({
      ready,
      store: store ? 'ok' : 'unreachable',
      ...(cluster ? { redis: cluster.redis, node: cluster.node, sessionsOwned: cluster.sessionsOwned } : {}),
      shuttingDown: f.shuttingDown,
      haltedAll: f.manager.haltedAll,
    });
  });
  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) =>
    reply.type('text/plain; version=0.0.4').send(app.firedrill.manager.metrics.render() + app.firedrill.httpMetrics.render()),
  );

  await registerRoutes(app);
  return app;
}

interface SchemaError {
  keyword?: string;
  schemaPath?: string;
  instancePath?: string;
  message?: string;
  params?: { additionalProperties?: string[] };
}

/**
 * Schema errors as `{ field, message }`, e.g. `{ field: 'body/teem', message: 'unknown field "teem"' }`:
 * TypeBox reports an unknown field twice (as `schema is false` on the field and as
 * `additionalProperties` on its object); one plain entry is kept.
 */
export function validationDetails(errors: readonly SchemaError[], context: string): { field: string; message: string }[] {
  const out: { field: string; message: string }[] = [];
  const seen = new Set<string>();
  const add = (field: string, message: string) => {
    const key = `${field}\u0000${message}`;
    if (seen.has(key) || out.length >= 10) return;
    seen.add(key);
    out.push({ field, message });
  };
  for (const e of errors) {
    const path = `${context}${e.instancePath ?? ''}`;
    if (e.keyword === 'boolean' && e.schemaPath?.endsWith('/additionalProperties')) add(path, `unknown field "${path.slice(path.lastIndexOf('/') + 1)}"`);
    else if (e.keyword === 'additionalProperties') for (const name of e.params?.additionalProperties ?? []) add(`${path}/${name}`, `unknown field "${name}"`);
    else add(path, e.message ?? 'invalid');
  }
  return out;
}

/** An error the error handler answers with a registry code (thrown by content-type parsers). */
function codedError(code: ErrorCode, message?: string): Error {
  const err = new Error(message ?? ERRORS[code].message) as Error & { firedrillCode: ErrorCode; statusCode: number };
  err.firedrillCode = code;
  err.statusCode = ERRORS[code].status;
  return err;
}

export { ERRORS };
