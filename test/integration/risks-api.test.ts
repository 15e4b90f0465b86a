// The risk register over REST (operator only) and the export of a scenario (public): who may,
// what is checked, priorities and rehearsal badges from real ended sessions, and the export's
// figures. Same harness as debrief-api.test.ts: a memory store (and SQLite once), a fake clock.
import { fileURLToPath } from 'node:url';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../server/http/app.ts';
import { readLibrary } from '../../server/library/fs.ts';
import type { Library } from '../../server/engine/scenario/library.ts';
import { SessionManager } from '../../server/live/manager.ts';
import { createMemoryStore } from '../../server/store/memory.ts';
import { createSqliteStore } from '../../server/store/sqlite.ts';
import type { Store } from '../../server/store/store.ts';

const LIBRARY_DIR = fileURLToPath(new URL('../../scenarios/', import.meta.url));
const ADMIN = 'admin-token-for-risk-tests-0123456789';
const T0 = 1_700_000_000_000;
const DAY = 86_400_000;

let library: Library;
beforeAll(async () => {
  library = await readLibrary(LIBRARY_DIR);
});

interface Harness {
  app: FastifyInstance;
  manager: SessionManager;
  clock: { now: () => number; advance: (ms: number) => void };
}

async function harness(options: { adminToken?: string | null; store?: Store } = {}): Promise<Harness> {
  let now = T0;
  const clock = { now: () => now, advance: (ms: number) => void (now += ms) };
  const view = { scenario: (id: string) => library.scenarios.get(id)?.spec, workload: (id: string) => library.workloads.get(id), runbooks: () => [...library.runbooks.values()] };
  const manager = new SessionManager({ store: options.store ?? createMemoryStore(), library: view, now: clock.now });
  const app = await buildApp({ manager, library, libraryDir: LIBRARY_DIR, logger: false, adminToken: options.adminToken === null ? undefined : (options.adminToken ?? ADMIN), now: clock.now });
  return { app, manager, clock };
}

function call(h: Harness, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, token?: string, body?: unknown) {
  return h.app.inject({
    method,
    url,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
  });
}

/** Plays a game day of `scenario` for a minute and ends it: a rehearsal, ending at the clock's now. */
async function rehearse(h: Harness, scenario: string): Promise<void> {
  const res = await call(h, 'POST', '/api/sessions', undefined, { scenario, teams: ['blue'], seed: 3 });
  expect(res.statusCode).toBe(201);
  const host = (await h.manager.get(res.json().id))!;
  expect((await host.command({ command: 'start' }, null)).result.ok).toBe(true);
  h.clock.advance(60_000);
  await host.advance();
  expect((await host.command({ command: 'end', reason: 'rehearsed' }, null)).result.ok).toBe(true);
  expect(host.phase).toBe('ended');
}

const DISK = { title: 'The primary database fills its disk', description: 'An abandoned replication slot keeps every WAL segment.', likelihood: 3, impact: 5, detection: 2, scenarioIds: ['disk-full'] };

describe('who may use the risk register', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness();
  });
  afterAll(() => h.app.close());

  it('the operator only: 401 without a token, 403 with another, 404 on a server without an admin token', async () => {
    for (const [method, url, body] of [['GET', '/api/risks'], ['POST', '/api/risks', DISK], ['PATCH', '/api/risks/abc', { impact: 1 }], ['DELETE', '/api/risks/abc'], ['GET', '/api/risks/abc']] as const) {
      const none = await call(h, method, url, undefined, body);
      expect([none.statusCode, none.json().code], `${method} ${url}`).toEqual([401, 'auth/missing']);
      const wrong = await call(h, method, url, 'fac-token-of-someone-else-000000000', body);
      expect([wrong.statusCode, wrong.json().code], `${method} ${url}`).toEqual([403, 'auth/not-admin']);
    }
    const bare = await harness({ adminToken: null });
    const res = await call(bare, 'GET', '/api/risks', ADMIN);
    expect([res.statusCode, res.json().code]).toEqual([404, 'not-found']);
    await bare.app.close();
  });

  it('a session\'s facilitator token is not enough', async () => {
    const created = (await call(h, 'POST', '/api/sessions', undefined, { scenario: 'friday-deploy', teams: ['blue'] })).json();
    const res = await call(h, 'GET', '/api/risks', created.facilitatorToken);
    expect([res.statusCode, res.json().code]).toEqual([403, 'auth/not-admin']);
  });
});

describe('the register', () => {
  for (const kind of ['memory', 'sqlite'] as const) {
    it(`${kind}: ranks, badges and flags the top risks from real ended sessions`, async () => {
      const dir = kind === 'sqlite' ? mkdtempSync(join(tmpdir(), 'firedrill-risks-')) : undefined;
      const h = await harness({ store: dir ? createSqliteStore({ path: join(dir, 'db.sqlite') }) : createMemoryStore() });
      try {
        const add = async (body: object) => {
          const res = await call(h, 'POST', '/api/risks', ADMIN, body);
          expect(res.statusCode, res.body).toBe(201);
          return res.json();
        };
        const disk = await add(DISK);
        expect(disk).toMatchObject({ title: DISK.title, priority: 60, band: 'high', rank: 1, rehearsal: { status: 'never', lastAt: null, scenarioId: null, daysAgo: null }, needsRehearsal: true, unknownScenarios: [] });
        expect(disk.createdAt).toBe(new Date(T0).toISOString());
        const deploy = await add({ title: '  A Friday deploy exhausts the orders pool  ', likelihood: 4, impact: 4, detection: 4, scenarioIds: ['friday-deploy', 'slow-query'], owner: 'Ana' });
        expect(deploy).toMatchObject({ title: 'A Friday deploy exhausts the orders pool', description: '', priority: 32, band: 'medium', rank: 2, owner: 'Ana' });
        await add({ title: 'DNS provider outage', likelihood: 1, impact: 5, detection: 1 });

        // disk-full rehearsed now; friday-deploy 100 days before the end of the test, slow-query 10.
        await rehearse(h, 'friday-deploy');
        const deployEnded = h.clock.now();
        h.clock.advance(90 * DAY);
        await rehearse(h, 'slow-query');
        const queryEnded = h.clock.now();
        h.clock.advance(10 * DAY);

        let reg = (await call(h, 'GET', '/api/risks', ADMIN)).json();
        expect(reg.staleAfterDays).toBe(90);
        expect(reg.top).toBe(5);
        expect(reg.bands).toEqual({ high: 48, medium: 18 });
        expect(reg.scales.detection).toHaveLength(5);
        expect(reg.risks.map((r: { title: string; priority: number; rank: number }) => [r.rank, r.priority, r.title])).toEqual([
          [1, 60, DISK.title],
          [2, 32, 'A Friday deploy exhausts the orders pool'],
          [3, 25, 'DNS provider outage'],
        ]);
        expect(reg.risks.map((r: { rehearsal: unknown }) => r.rehearsal)).toEqual([
          { status: 'never', lastAt: null, scenarioId: null, daysAgo: null },
          { status: 'recent', lastAt: new Date(queryEnded).toISOString(), scenarioId: 'slow-query', daysAgo: 10 },
          { status: 'never', lastAt: null, scenarioId: null, daysAgo: null },
        ]);
        expect(reg.risks.map((r: { needsRehearsal: boolean }) => r.needsRehearsal)).toEqual([true, false, true]);

        // Only friday-deploy linked: its rehearsal 100 days ago is stale at 90 days, recent at 120.
        const patched = await call(h, 'PATCH', `/api/risks/${deploy.id}`, ADMIN, { scenarioIds: ['friday-deploy'], owner: null, detection: 2 });
        expect(patched.statusCode).toBe(200);
        expect(patched.json()).toMatchObject({ priority: 64, rank: 1, rehearsal: { status: 'stale', lastAt: new Date(deployEnded).toISOString(), scenarioId: 'friday-deploy', daysAgo: 100 }, needsRehearsal: true });
        expect(patched.json().owner).toBeUndefined();
        reg = (await call(h, 'GET', '/api/risks?staleAfterDays=120&top=1', ADMIN)).json();
        expect(reg.risks.map((r: { title: string; rehearsal: { status: string }; needsRehearsal: boolean }) => [r.title, r.rehearsal.status, r.needsRehearsal])).toEqual([
          ['A Friday deploy exhausts the orders pool', 'recent', false],
          [DISK.title, 'never', false],
          ['DNS provider outage', 'never', false],
        ]);

        // Rehearsing disk-full clears its badge.
        await rehearse(h, 'disk-full');
        const one = (await call(h, 'GET', `/api/risks/${disk.id}`, ADMIN)).json();
        expect(one.rehearsal).toMatchObject({ status: 'recent', scenarioId: 'disk-full', daysAgo: 0 });

        const del = await call(h, 'DELETE', `/api/risks/${disk.id}`, ADMIN);
        expect(del.statusCode).toBe(204);
        const again = await call(h, 'DELETE', `/api/risks/${disk.id}`, ADMIN);
        expect([again.statusCode, again.json().message]).toEqual([404, `no risk "${disk.id}" in the register`]);
        expect((await call(h, 'GET', '/api/risks', ADMIN)).json().risks).toHaveLength(2);
      } finally {
        await h.app.close();
        if (dir) rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  it('refuses bad risks with the field named', async () => {
    const h = await harness();
    const bad = async (body: unknown, field: string, message: RegExp) => {
      const res = await call(h, 'POST', '/api/risks', ADMIN, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().code).toBe('request/invalid');
      expect(res.json().message).toMatch(message);
      expect(JSON.stringify(res.json().details)).toContain(field);
    };
    await bad({ ...DISK, likelihood: 6 }, 'body/likelihood', /likelihood/);
    await bad({ ...DISK, impact: 0 }, 'body/impact', /impact/);
    await bad({ ...DISK, title: '   ' }, 'body/title', /body\/title: must not be blank/);
    await bad({ ...DISK, scenarioIds: ['no-such-scenario'] }, 'body/scenarioIds', /body\/scenarioIds: no scenario "no-such-scenario" in the library/);
    await bad({ ...DISK, colour: 'red' }, 'colour', /unknown field "colour"/);
    const patch = await call(h, 'PATCH', '/api/risks/nope', ADMIN, { impact: 2 });
    expect([patch.statusCode, patch.json().code, patch.json().message]).toEqual([404, 'not-found', 'no risk "nope" in the register']);
    await h.app.close();
  });
});

describe('GET /api/scenarios/:id/export', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness();
  });
  afterAll(() => h.app.close());

  it('answers the FIS template of zone-partition: four subnet cuts at T+2m, the rest listed unmapped', async () => {
    const res = await call(h, 'GET', '/api/scenarios/zone-partition/export?format=fis');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.filename).toBe('zone-partition.fis.json');
    expect(body.mapped.map((m: { fault: string; action: string; at: number }) => [m.fault, m.action, m.at])).toEqual(
      ['zb-orders', 'zb-cart', 'zb-catalog', 'zb-payments'].map((f) => [f, 'aws:network:disrupt-connectivity', 120]),
    );
    expect(Object.keys(body.document.actions)).toEqual(['wait-until-2m', 'wait-until-end', 'zb-orders', 'zb-cart', 'zb-catalog', 'zb-payments']);
    expect(body.unmapped.filter((u: { kind: string }) => u.kind === 'branch')).toHaveLength(7);
    expect(body.placeholders).toEqual(['{{account-id}}', '{{fis-experiment-role}}', '{{region}}']);
  });

  it('answers the Chaos Toolkit experiment of friday-deploy with its bad deploy listed unmapped', async () => {
    const body = (await call(h, 'GET', '/api/scenarios/friday-deploy/export?format=chaostoolkit')).json();
    expect(body.document.version).toBe('1.0.0');
    expect(body.mapped).toEqual([]);
    expect(body.unmapped.find((u: { id?: string }) => u.id === 'orders-v2-14')).toMatchObject({ part: 'timeline[0]', kind: 'bad-deploy', at: 30 });
  });

  it('names what is wrong: an unknown format, an unknown scenario', async () => {
    const bad = await call(h, 'GET', '/api/scenarios/friday-deploy/export?format=yaml');
    expect([bad.statusCode, bad.json().code]).toEqual([400, 'request/invalid']);
    expect(bad.json().message).toContain('querystring/format');
    const missing = await call(h, 'GET', '/api/scenarios/no-such/export?format=fis');
    expect([missing.statusCode, missing.json().code, missing.json().message]).toEqual([404, 'scenario/not-found', 'no scenario "no-such"']);
  });
});
