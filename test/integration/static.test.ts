// Serving the built web client: pages get index.html (never cached), hashed assets are cached for
// a year, and API paths keep their JSON 404 — whether or not the app installed its own 404 first.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerClient } from '../../server/http/static.ts';

let dir: string;
const INDEX = '<!doctype html><html><body><div id="root"></div></body></html>';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'fd-client-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), INDEX);
  writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function appWith(ownNotFound: boolean): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  if (ownNotFound) app.setNotFoundHandler((req, reply) => reply.status(404).send({ code: 'not-found', message: `no route ${req.method} ${req.url}` }));
  app.get('/api/scenarios', async () => ({ scenarios: [] }));
  expect(await registerClient(app, dir)).toBe(true);
  await app.ready();
  return app;
}

describe.each([false, true])('registerClient (app has its own 404 handler: %s)', (ownNotFound) => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await appWith(ownNotFound);
  });
  afterAll(() => app.close());

  it('serves index.html at / and at every client page, uncached', async () => {
    for (const url of ['/', '/team/abc123', '/facilitate/abc123', '/debrief/abc123?x=1']) {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.body).toBe(INDEX);
    }
  });

  it('serves hashed assets with a one-year immutable cache', async () => {
    const res = await app.inject({ url: '/assets/index-abc123.js' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/javascript/);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });

  it('keeps API routes and their JSON 404', async () => {
    expect((await app.inject({ url: '/api/scenarios' })).json()).toEqual({ scenarios: [] });
    const res = await app.inject({ url: '/api/nope' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'not-found' });
    const asset = await app.inject({ url: '/assets/missing.js' });
    expect(asset.statusCode).toBe(404);
  });
});

it('serves nothing (and says so) when the client was not built', async () => {
  const app = Fastify({ logger: false });
  expect(await registerClient(app, join(dir, 'no-such-build'))).toBe(false);
  await app.ready();
  expect((await app.inject({ url: '/' })).statusCode).toBe(404);
  await app.close();
});
