// The scenario editor's routes: POST /api/scenarios/preview (problems, timeline, branches),
// POST /api/scenarios/dry-run (three bots, scoreability), GET /api/scenarios/:id/source, and how
// each refuses hostile input — with the exact figures an author sees.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../server/http/app.ts';
import { readLibrary } from '../../server/library/fs.ts';
import type { Library } from '../../server/engine/scenario/library.ts';
import { SessionManager } from '../../server/live/manager.ts';
import { createMemoryStore } from '../../server/store/memory.ts';
import { DryRunError, DryRunner } from '../../server/http/editor/runner.ts';
import { SCENARIO_TEMPLATE, TEMPLATE_ID } from '../../client/src/lib/editor-template.ts';

const LIBRARY_DIR = fileURLToPath(new URL('../../scenarios/', import.meta.url));
const read = (rel: string) => readFileSync(new URL(rel, import.meta.url), 'utf8');
const FRIDAY = read('../../scenarios/friday-deploy.scenario.yaml');
const T0 = 1_700_000_000_000;

let library: Library;
let app: FastifyInstance;
let now = T0;
beforeAll(async () => {
  library = await readLibrary(LIBRARY_DIR);
  const manager = new SessionManager({
    store: createMemoryStore(),
    library: { scenario: (id) => library.scenarios.get(id)?.spec, workload: (id) => library.workloads.get(id), runbooks: () => [...library.runbooks.values()] },
    now: () => now,
  });
  app = await buildApp({ manager, library, libraryDir: LIBRARY_DIR, logger: false, now: () => now });
});
afterAll(() => app.close());

// Each test posts from its own address, so the per-address rate limits do not couple them.
let nextAddress = 1;
const address = () => `10.0.${Math.floor(nextAddress / 250)}.${nextAddress++ % 250}`;
const post = (url: string, body: unknown, remoteAddress = address()) =>
  app.inject({ method: 'POST', url, remoteAddress, headers: { 'content-type': 'application/json' }, payload: typeof body === 'string' ? body : JSON.stringify(body) });
const preview = (body: object, ip?: string) => post('/api/scenarios/preview', body, ip);
const dryRun = (body: object, ip?: string) => post('/api/scenarios/dry-run', body, ip);

/** The text with line `n` (1-based) replaced, after checking what it was. */
function withLine(text: string, n: number, was: string, now: string): string {
  const lines = text.split('\n');
  expect(lines[n - 1]).toBe(was);
  lines[n - 1] = now;
  return lines.join('\n');
}

describe('POST /api/scenarios/preview', () => {
  it('lists friday-deploy\'s timeline at its exact seconds and lines, root cause marked', async () => {
    const res = await preview({ text: FRIDAY, filename: 'friday-deploy.scenario.yaml' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const body = res.json();
    expect(body).toMatchObject({ ok: true, id: 'friday-deploy', problems: [], duration: 2400, title: 'Friday deploy — orders v2.14 exhausts its connection pool', workload: { id: 'shop', title: 'shop — e-commerce storefront and checkout' } });
    expect(body.timeline.map((s: { at: number; kind: string; source: string; line: number }) => [s.at, s.kind, s.source, s.line])).toEqual([
      [30, 'inject', 'timeline[0]', 37],
      [160, 'event', 'timeline[1]', 52],
      [240, 'event', 'timeline[2]', 57],
      [420, 'message', 'timeline[3]', 62],
      [720, 'hint', 'hint:hint-deploys', 127],
      [1200, 'hint', 'hint:hint-rollback', 133],
    ]);
    expect(body.timeline[0].fault).toEqual({ id: 'orders-v2-14', kind: 'bad-deploy', service: 'orders', rootCause: true });
    expect(body.timeline[0].text).toMatch(/^bad-deploy on orders — orders v2\.14 adds a "delivery promise"/);
    expect(body.timeline[1].text).toBe('ops on postgres-main: autovacuum: VACUUM (ANALYZE) public.order_lines started (scheduled maintenance window 16:30-18:00)');
    expect(body.timeline[4].text).toMatch(/^hint-deploys: What changed right before this started\?/);
  });

  it('describes each branch: trigger in words, consequences, traps flagged', async () => {
    const body = (await preview({ text: FRIDAY })).json();
    expect(body.branches.map((b: { id: string; trigger: string; trap: boolean; ends: boolean; delay: number; line: number }) => [b.id, b.trigger, b.trap, b.ends, b.delay, b.line])).toEqual([
      ['restart-orders-trap', 'when the team restarts orders while orders-v2-14 is active', true, false, 0, 68],
      ['scale-out-orders-trap', 'when the team scales out orders while orders-v2-14 is active', true, false, 0, 93],
      ['support-chasing', 'if the team does not post a status update by T+15:00', false, false, 0, 108],
      ['impact-widening', 'if not mitigated by T+18:00', false, false, 0, 116],
    ]);
    expect(body.branches.map((b: { at: number | null }) => b.at)).toEqual([null, null, 900, 1080]);
    expect(body.branches[0].consequences).toHaveLength(3);
    expect(body.branches[0].consequences[0]).toMatch(/^trap: Restarted orders while v2\.14 was live\./);
    expect(body.branches[0].consequences[1]).toBe('inject cpu-saturation on postgres-main (reconnect-storm)');
    expect(body.branches[3].consequences[1]).toBe('release hint hint-rollback');
    expect(body.stops).toEqual([
      { text: 'halted when orders error_rate > 0.5 for 10:00: Guardrail — simulated checkout errors stayed above 50% for 10 minutes.', at: null, line: 165 },
      { text: 'unresolved at T+40:00: Time is up.', at: 2400, line: 169 },
    ]);
  });

  it('previews the editor\'s built-in template without problems', async () => {
    const body = (await preview({ text: SCENARIO_TEMPLATE })).json();
    expect(body).toMatchObject({ ok: true, id: TEMPLATE_ID, problems: [], duration: 1800 });
    expect(body.timeline.map((s: { at: number; kind: string }) => [s.at, s.kind])).toEqual([[60, 'inject'], [360, 'message']]);
    expect(body.branches.map((b: { trigger: string; trap: boolean }) => [b.trigger, b.trap])).toEqual([
      ['when the team restarts cart while cart-v3-9 is active', true],
      ['if not mitigated by T+15:00', false],
    ]);
  });

  it('places a reference error on its line, field and code — and still previews the timeline', async () => {
    const text = withLine(FRIDAY, 41, '      service: orders', '      service: ordrs');
    const body = (await preview({ text, filename: 'mine.scenario.yaml' })).json();
    expect(body.ok).toBe(false);
    expect(body.problems).toContainEqual({ file: 'mine.scenario.yaml', line: 41, column: 7, field: 'timeline[0].inject.service', code: 'ref/unknown-service', message: 'unknown service "ordrs" (did you mean "orders"?)' });
    expect(body.timeline[0]).toMatchObject({ at: 30, kind: 'inject', fault: { service: 'ordrs' } });
  });

  it('places a shape error (a misspelt field) on its line; without a valid shape there is no timeline', async () => {
    const text = withLine(FRIDAY, 154, '    severity: SEV2', '    sevrity: SEV2');
    const body = (await preview({ text })).json();
    expect(body.problems).toContainEqual({ file: 'upload.scenario.yaml', line: 154, column: 5, field: 'expectations.escalation.sevrity', code: 'schema/unknown-field', message: 'unknown field "sevrity" (did you mean "severity"?)' });
    expect(body).toMatchObject({ ok: false, id: 'friday-deploy', duration: null, workload: null, title: null });
    expect(body.timeline).toBeUndefined();
    expect(body.branches).toBeUndefined();
  });

  it('gives a time past the end as timeline/past-end on the entry\'s line', async () => {
    const text = withLine(FRIDAY, 37, '  - at: 30s', '  - at: 45m');
    const body = (await preview({ text })).json();
    expect(body.problems.map((p: { line: number; field: string; code: string }) => [p.line, p.field, p.code])).toEqual([[37, 'timeline[0].at', 'timeline/past-end']]);
  });

  it('answers hostile input quickly, as problems: alias bomb, deep nesting, 2 MB of text, junk', async () => {
    const started = performance.now();
    const bomb = (await preview({ text: read('../fixtures/invalid/yaml-alias-limit.scenario.yaml') })).json();
    expect(bomb.problems).toEqual([{ file: 'upload.scenario.yaml', line: 1, column: 1, field: '', code: 'yaml/alias-limit', message: 'too many alias expansions (over 50); refused as an entity-expansion attack' }]);
    expect(bomb).toMatchObject({ ok: false, duration: null });
    const deep = (await preview({ text: read('../fixtures/invalid/limits-too-deep.scenario.yaml') })).json();
    expect(deep.problems.map((p: { code: string }) => p.code)).toEqual(['limits/too-deep']);
    const big = await preview({ text: 'id: x\nsummary: "' + 'x'.repeat(2_000_000) + '"\n' });
    expect(big.statusCode).toBe(200);
    expect(big.json().problems.map((p: { code: string }) => p.code)).toEqual(['limits/too-large']);
    const junk = (await preview({ text: '\u0000\u0001{{{[[[:::---\n\t\u00ff: !!binary ]]]' })).json();
    expect(junk.ok).toBe(false);
    expect(junk.problems[0].code).toMatch(/^yaml\//);
    const notAMap = (await preview({ text: '- just\n- a list\n' })).json();
    expect(notAMap.problems[0]).toMatchObject({ code: 'schema/type', line: 1 });
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('refuses a body over 2 MiB with 413, unknown fields and unsafe names with 400', async () => {
    const huge = await preview({ text: 'x'.repeat(2 * 1024 * 1024 + 10) });
    expect(huge.statusCode).toBe(413);
    expect(huge.json().code).toBe('message/too-large');
    const extra = await preview({ text: 'x: 1', kind: 'workload' });
    expect(extra.statusCode).toBe(400);
    expect(extra.json()).toMatchObject({ code: 'request/invalid', details: [{ field: 'body/kind', message: 'unknown field "kind"' }] });
    const name = await preview({ text: 'x: 1', filename: '../etc/passwd' });
    expect(name.statusCode).toBe(400);
    const notJson = await post('/api/scenarios/preview', '{"text":');
    expect(notJson.statusCode).toBe(400);
    expect(notJson.json().code).toBe('request/invalid');
  });

  it('shares the rate limit of POST /api/scenarios/validate: 20 at once, then 429', async () => {
    const ip = address();
    const codes: number[] = [];
    for (let i = 0; i < 12; i++) codes.push((await preview({ text: 'x: 1' }, ip)).statusCode);
    for (let i = 0; i < 8; i++) codes.push((await post('/api/scenarios/validate', { text: 'x: 1' }, ip)).statusCode);
    expect(codes.every((c) => c === 200)).toBe(true);
    const limited = await preview({ text: 'x: 1' }, ip);
    expect(limited.statusCode).toBe(429);
    expect(limited.json().code).toBe('request/rate-limited');
    now += 2000; // one a second
    expect((await preview({ text: 'x: 1' }, ip)).statusCode).toBe(200);
  });
});

describe('POST /api/scenarios/dry-run', () => {
  type Run = { policy: string; outcome: string | null; total: number; dimensions: Record<string, number>; ttmSeconds: number | null; trapsSprung: number; hints: number; findings: { dimension: string; text: string; cost: number }[] };

  it('plays a shipped scenario with perfect, naive and idle: perfect ≥ 90 > naive > idle, scoreable', async () => {
    const started = performance.now();
    const res = await dryRun({ text: FRIDAY });
    expect(res.statusCode).toBe(200);
    const body = res.json() as { id: string; duration: number; runs: Run[]; scoreable: boolean; problems: unknown[]; ms: number };
    expect(performance.now() - started).toBeLessThan(15_000);
    expect(body).toMatchObject({ id: 'friday-deploy', duration: 2400, scoreable: true, problems: [] });
    const [perfect, naive, idle] = body.runs;
    expect(body.runs.map((r) => r.policy)).toEqual(['perfect', 'naive', 'idle']);
    expect(perfect.total).toBeGreaterThanOrEqual(90);
    expect(perfect.total).toBeGreaterThan(naive.total);
    expect(naive.total).toBeGreaterThan(idle.total);
    expect(idle.total).toBeLessThanOrEqual(20);
    expect(perfect.outcome).toBe('resolved');
    expect(idle.outcome).toBe('unresolved');
    expect(perfect.ttmSeconds).toBeGreaterThan(0);
    expect(perfect.ttmSeconds).toBeLessThan(900); // within the 15-minute expectation
    expect(idle.ttmSeconds).toBeNull();
    expect(perfect.trapsSprung).toBe(0);
    expect(naive.trapsSprung).toBeGreaterThanOrEqual(1); // the naive bot restarts the red service: the trap
    expect(Object.keys(perfect.dimensions)).toEqual(['detection', 'escalation', 'runbook', 'mitigation', 'communication']);
    for (const run of body.runs) {
      expect(run.findings.length).toBeLessThanOrEqual(5);
      const costs = run.findings.map((f) => f.cost);
      expect(costs).toEqual([...costs].sort((a, b) => b - a));
    }
    expect(idle.findings.map((f) => f.text)).toContain('Never mitigated: the cause was still active at the end: +0');
  });

  it('finds the built-in template scoreable', async () => {
    const body = (await dryRun({ text: SCENARIO_TEMPLATE })).json() as { runs: Run[]; scoreable: boolean };
    expect(body.scoreable).toBe(true);
    const [perfect, naive, idle] = body.runs.map((r) => r.total);
    expect(perfect).toBeGreaterThanOrEqual(90);
    expect(perfect).toBeGreaterThan(naive);
    expect(naive).toBeGreaterThan(idle);
  });

  it('says why a scenario with an impossible expectation is not scoreable, on the expectations line', async () => {
    const text = read('../fixtures/unscoreable.scenario.yaml');
    const body = (await dryRun({ text, filename: 'impossible.scenario.yaml' })).json() as { runs: Run[]; scoreable: boolean; problems: { file: string; line: number; field: string; code: string; message: string }[] };
    expect(body.scoreable).toBe(false);
    expect(body.problems).toHaveLength(1);
    expect(body.problems[0]).toMatchObject({ file: 'impossible.scenario.yaml', line: 147, column: 1, field: 'expectations', code: 'scoreability/perfect-low' });
    expect(body.problems[0].message).toMatch(/^the perfect bot scores (7\d|8\d) \(needs 90\); the expectations that cost it most: mitigation: Mitigated at T\+\d+:\d\d, \d+:\d\d after the fault began \(target 1:00\)/);
    expect(body.runs[0].total).toBeLessThan(90);
  });

  it('refuses a scenario with problems: 422 scenario/invalid with the problems', async () => {
    const text = withLine(FRIDAY, 41, '      service: orders', '      service: ordrs');
    const res = await dryRun({ text });
    expect(res.statusCode).toBe(422);
    const body = res.json();
    expect(body.code).toBe('scenario/invalid');
    expect(body.message).toBe('the scenario has 1 problem; fix it before a dry run (first: line 41 timeline[0].inject.service: unknown service "ordrs" (did you mean "orders"?) [ref/unknown-service])');
    expect(body.details).toEqual([{ file: 'upload.scenario.yaml', line: 41, column: 7, field: 'timeline[0].inject.service', code: 'ref/unknown-service', message: 'unknown service "ordrs" (did you mean "orders"?)' }]);
  });

  it('refuses a scenario longer than 4 hours of simulated time, without running it', async () => {
    const text = withLine(FRIDAY, 10, 'duration: 40m', 'duration: 4h0m1s');
    const started = performance.now();
    const res = await dryRun({ text });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toEqual({ code: 'scenario/too-long', message: '"friday-deploy" lasts 4:00:01 of simulated time; dry runs are limited to 4:00:00 (4 hours)' });
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('answers hostile input quickly: alias bomb, 2 MB of text, junk, a body over 2 MiB', async () => {
    const started = performance.now();
    const bomb = await dryRun({ text: read('../fixtures/invalid/yaml-alias-limit.scenario.yaml') });
    expect(bomb.statusCode).toBe(422);
    expect(bomb.json().details.map((p: { code: string }) => p.code)).toEqual(['yaml/alias-limit']);
    const big = await dryRun({ text: 'x'.repeat(2_000_000) });
    expect(big.statusCode).toBe(422);
    expect(big.json().details.map((p: { code: string }) => p.code)).toEqual(['limits/too-large']);
    const junk = await dryRun({ text: '{{{{ ]]] :::' });
    expect(junk.statusCode).toBe(422);
    expect(junk.json().details[0].code).toMatch(/^yaml\//);
    const huge = await dryRun({ text: 'x'.repeat(3 * 1024 * 1024) });
    expect(huge.statusCode).toBe(413);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('is rate-limited per address: 6 at once, then one every 10 s', async () => {
    const ip = address();
    const bad = { text: 'x: 1' }; // refused before running, but it still counts
    for (let i = 0; i < 6; i++) expect((await dryRun(bad, ip)).statusCode).toBe(422);
    const limited = await dryRun(bad, ip);
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toEqual({ code: 'request/rate-limited', message: 'too many dry runs from this address: wait ten seconds' });
    now += 10_000;
    expect((await dryRun(bad, ip)).statusCode).toBe(422);
  });
});

describe('the dry-run worker', () => {
  const spec = () => library.scenarios.get('friday-deploy')!.spec;
  const workload = () => library.workloads.get('shop')!;

  it('refuses more work than its queue holds, and stops a run that takes too long', async () => {
    const runner = new DryRunner({ maxQueued: 0, timeoutMs: 1 });
    try {
      const first = runner.run(spec(), workload(), library.runbooks);
      const second = runner.run(spec(), workload(), library.runbooks);
      await expect(second).rejects.toMatchObject({ reason: 'busy' });
      await expect(first).rejects.toBeInstanceOf(DryRunError);
      await expect(first).rejects.toMatchObject({ reason: 'timeout', message: 'the dry run took over 0 s and was stopped' });
    } finally {
      await runner.close();
    }
  });

  it('after a timeout, runs the next jobs one after another in a fresh worker', async () => {
    const runner = new DryRunner({ maxQueued: 2, timeoutMs: 1 });
    try {
      await expect(runner.run(spec(), workload(), library.runbooks)).rejects.toMatchObject({ reason: 'timeout' });
      runner.timeoutMs = 30_000;
      const [a, b] = await Promise.all([runner.run(spec(), workload(), library.runbooks), runner.run(spec(), workload(), library.runbooks)]);
      expect(a.runs.map((r) => r.total)).toEqual(b.runs.map((r) => r.total)); // deterministic
      expect(a.runs[0].total).toBeGreaterThanOrEqual(90);
    } finally {
      await runner.close();
    }
  });
});

describe('GET /api/scenarios/:id/source', () => {
  it('answers the library file as YAML', async () => {
    const res = await app.inject('/api/scenarios/friday-deploy/source');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/yaml; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('inline; filename="friday-deploy.scenario.yaml"');
    expect(res.body).toBe(FRIDAY);
  });

  it('404 for an unknown scenario, 400 for an id that is not one', async () => {
    const res = await app.inject('/api/scenarios/no-such-thing/source');
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ code: 'scenario/not-found', message: 'no scenario "no-such-thing"' });
    expect((await app.inject('/api/scenarios/..%2F..%2Fetc/source')).statusCode).toBe(400);
  });
});
