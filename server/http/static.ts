// Serves the built web client (client/dist) from the same port as the API and socket.io.
// Hashed assets are cached for a year; index.html never is, so a new build shows up on reload.
// The client's pages (/, /team/…, /facilitate/…, /debrief/…, and any other non-server path) are
// answered with index.html; API paths keep their JSON 404.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyStatic from '@fastify/static';
import { errorBody } from '../protocol/errors.ts';

/** Paths that belong to the server, never to the client's router. */
const SERVER_PATHS = /^\/(api|socket\.io|docs|healthz|readyz|metrics)(\/|$)/;

/** The client router's top-level pages (client/src/app.tsx). */
export const CLIENT_PAGES = ['team', 'facilitate', 'debrief', 'editor'] as const;

/**
 * Serves `clientDir` (a Vite build) at `/`. Returns false, and serves nothing, when the directory
 * has no index.html (the client was not built): the API still works.
 *
 * Client pages get index.html through explicit routes, and any other unknown GET of a
 * non-server path through the not-found handler when this function can install it (that is,
 * when it runs before anything else called `app.setNotFoundHandler`; Fastify allows one per
 * prefix). Either way, unknown /api paths answer the JSON `not-found` error.
 */
export async function registerClient(app: FastifyInstance, clientDir: string): Promise<boolean> {
  const root = resolve(clientDir);
  const indexFile = join(root, 'index.html');
  if (!existsSync(indexFile)) {
    app.log.warn({ clientDir: root }, 'web client not built (no index.html): run `npm run build:client`; serving the API only');
    return false;
  }

  await app.register(fastifyStatic, {
    root,
    prefix: '/',
    index: false,
    serveDotFiles: false,
    cacheControl: false,
    setHeaders(reply, path) {
      reply.header('Cache-Control', /[\\/]assets[\\/]/.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache');
      reply.header('X-Content-Type-Options', 'nosniff');
    },
  });

  // Read per request (it is small): a rebuild while the server runs is picked up.
  const sendIndex = (reply: FastifyReply) => {
    let html: string;
    try {
      html = readFileSync(indexFile, 'utf8');
    } catch {
      return reply.status(503).send(errorBody('not-found', 'the web client is being rebuilt; reload in a moment'));
    }
    return reply
      .status(200)
      .header('Cache-Control', 'no-cache')
      .header('X-Content-Type-Options', 'nosniff')
      .header('Referrer-Policy', 'same-origin')
      .type('text/html; charset=utf-8')
      .send(html);
  };

  app.get('/', { schema: { hide: true } }, (_req, reply) => sendIndex(reply));
  for (const page of CLIENT_PAGES) {
    app.get(`/${page}`, { schema: { hide: true } }, (_req, reply) => sendIndex(reply));
    app.get(`/${page}/*`, { schema: { hide: true } }, (_req, reply) => sendIndex(reply));
  }

  try {
    app.setNotFoundHandler((req, reply) => {
      const path = req.url.split('?')[0];
      const wantsPage = (req.method === 'GET' || req.method === 'HEAD') && !SERVER_PATHS.test(path) && !/\.[a-z0-9]+$/i.test(path);
      if (wantsPage) return sendIndex(reply);
      return apiNotFound(req, reply);
    });
  } catch {
    // The app already has its not-found handler (JSON 404): the explicit page routes above serve the client.
  }
  return true;
}

function apiNotFound(req: FastifyRequest, reply: FastifyReply) {
  return reply.status(404).send(errorBody('not-found', `no route ${req.method} ${req.url.split('?')[0]}`));
}
