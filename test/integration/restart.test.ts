// A server restart loses no session: `firedrill serve` as a child process, killed with SIGKILL in
// the middle of a game day and started again on the same data directory; and a graceful SIGTERM.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { VISIBLE_EVENTS } from '../../server/engine/session/view.ts';
import type { SessionEvent } from '../../server/engine/session/events.ts';
import { runResult } from '../../server/engine/session/result.ts';
import { leaderboard } from '../../server/engine/scoring/index.ts';
import { createSqliteStore } from '../../server/store/sqlite.ts';
import { TestClient, createSession, freePort, isStrictlyIncreasing, replayHeadless, spawnServer, type ChildServer } from '../helpers/live.ts';

const children: ChildServer[] = [];
const clients: TestClient[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const s of children.splice(0)) {
    if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
    await s.exited;
  }
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function dataDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'firedrill-restart-'));
  dirs.push(d);
  return d;
}

async function serve(port: number, dir: string): Promise<ChildServer> {
  const s = await spawnServer(port, dir);
  children.push(s);
  return s;
}

async function connect(url: string, auth: Parameters<typeof TestClient.connect>[1]): Promise<TestClient> {
  const c = await TestClient.connect(url, auth);
  clients.push(c);
  return c;
}

const visibleToBlue = (e: SessionEvent) => (e.team === undefined || e.team === 'blue') && VISIBLE_EVENTS.has(e.type);

describe('firedrill serve restarts', () => {
  it('brings a session back after kill -9: paused, same log, same clients, same score as a headless run', async () => {
    const port = await freePort();
    const dir = dataDir();
    const first = await serve(port, dir);
    const created = await createSession(first.url, { scenario: 'friday-deploy', teams: ['blue'], seed: 11, speed: 60 });
    const fac = await connect(first.url, { token: created.facilitatorToken });
    const blue = await connect(first.url, { code: created.joinCode, team: 'blue', name: 'Ana', role: 'incident-commander' });
    const token = blue.welcome.you.kind === 'participant' ? blue.welcome.you.token : '';
    expect(await fac.command('start')).toMatchObject({ ok: true });

    const firing = await blue.waitForEvent((e) => e.type === 'alert.firing', 'an alert', 20_000);
    expect(await blue.act({ action: 'acknowledge', alert: firing.type === 'alert.firing' ? firing.alert : '' })).toMatchObject({ ok: true, result: { ok: true } });
    expect(await blue.act({ action: 'declare', severity: 'SEV2', summary: 'checkout failing' })).toMatchObject({ ok: true, result: { ok: true } });
    const rollback = await blue.act({ action: 'rollback', service: 'orders' });
    if (!rollback.ok) throw new Error(rollback.error.message);
    expect(rollback.result.ok).toBe(true);
    const rollbackEvent = await fac.waitForEvent((e) => e.seq === rollback.seq, 'the rollback event');
    const lastInputT = rollbackEvent.t;
    // The game goes on for a while after the last input: ticks, samples, the rollback completing.
    await fac.waitForEvent((e) => e.type === 'metrics' && e.t >= lastInputT + 40, 'a sample 40 s after the rollback', 10_000);

    first.child.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    const preKill = [...fac.events];
    const blueHad = [...blue.events];
    fac.close();
    blue.close();
    expect(preKill.at(-1)!.t).toBeGreaterThan(lastInputT);

    const second = await serve(port, dir);
    // The facilitator reconnects from scratch and gets the whole log as the restarted server has it.
    const fac2 = await connect(second.url, { token: created.facilitatorToken, lastSeq: 0 });
    expect(fac2.welcome.phase).toBe('paused');
    const restartPause = await fac2.waitForEvent((e) => e.type === 'session.phase' && e.phase === 'paused', 'the restart pause');
    expect(restartPause).toMatchObject({ reason: expect.stringMatching(/restarted/) });
    const restored = fac2.events.slice(0, fac2.events.indexOf(restartPause));
    expect(isStrictlyIncreasing(fac2.events.map((e) => e.seq))).toBe(true);
    // Nothing anyone saw is rewritten: the log before the crash is a prefix of the log after it,
    // and the session resumes where the last persisted event left it (at or after the last input).
    expect(restored.length).toBeGreaterThanOrEqual(preKill.length);
    expect(JSON.stringify(restored.slice(0, preKill.length))).toBe(JSON.stringify(preKill));
    expect(fac2.welcome.t).toBe(restartPause.t);
    expect(restartPause.t).toBeGreaterThanOrEqual(lastInputT);
    expect(restartPause.t).toBe(restored.at(-1)!.t);

    // The participant comes back with its token and what it had: no gap, no duplicate.
    const blue2 = await connect(second.url, { token, lastSeq: blueHad.at(-1)!.seq });
    expect(blue2.welcome.you).toMatchObject({ kind: 'participant', participant: { team: 'blue', name: 'Ana' } });
    await blue2.waitForEvent((e) => e.seq === restartPause.seq, 'the restart pause for the participant');

    expect(await fac2.command('resume')).toMatchObject({ ok: true, effect: 'resumed' });
    if (!blueHad.some((e) => e.type === 'action.completed' && e.ref === rollback.seq)) {
      await blue2.waitForEvent((e) => e.type === 'action.completed' && e.ref === rollback.seq, 'the rollback to complete', 15_000);
    }
    expect(await blue2.act({ action: 'resolve', summary: 'rolled back orders v2.14' })).toMatchObject({ ok: true, result: { ok: true, data: { premature: false } } });
    const ended = await fac2.waitForEvent((e) => e.type === 'session.ended', 'the end', 10_000);
    expect(ended).toMatchObject({ outcome: 'resolved' });
    await blue2.waitForEvent((e) => e.type === 'session.ended', 'the end for the participant');
    const blueAll = [...blueHad, ...blue2.events];
    expect(isStrictlyIncreasing(blueAll.map((e) => e.seq))).toBe(true);
    expect(blueAll).toEqual(fac2.events.filter(visibleToBlue));

    // Stop it gracefully, then read the SQLite file: the live score equals a headless run's.
    second.child.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);
    const store = createSqliteStore({ path: join(dir, 'firedrill.db') });
    try {
      const record = (await store.getSession(created.id))!;
      expect(record).toMatchObject({ phase: 'ended', outcome: 'resolved' });
      const stored = await store.listEvents(created.id);
      expect(JSON.stringify(stored)).toBe(JSON.stringify(fac2.events));
      const inputs = await store.listInputs(created.id);
      expect(inputs.map((i) => (i.input.kind === 'action' ? i.input.action.action : i.input.command))).toEqual([
        'start', 'acknowledge', 'declare', 'rollback', 'pause', 'resume', 'resolve',
      ]);
      const headless = replayHeadless(record, inputs);
      expect(JSON.stringify(headless.events)).toBe(JSON.stringify(stored));
      const live = leaderboard(stored, record.scenario, record.teams, new Map(record.runbooks.map((r) => [r.id, r])));
      expect(runResult(headless).teams.map((t) => t.score)).toEqual(live.scores);
      expect(runResult(headless).outcome).toBe('resolved');
    } finally {
      await store.close();
    }
  }, 90_000);

  it('shuts down gracefully on SIGTERM: sessions paused, clients told, exit 0, back paused on restart', async () => {
    const port = await freePort();
    const dir = dataDir();
    const server = await serve(port, dir);
    const created = await createSession(server.url, { scenario: 'friday-deploy', teams: ['blue'], seed: 3, speed: 30 });
    const fac = await connect(server.url, { token: created.facilitatorToken });
    const blue = await connect(server.url, { code: created.joinCode, team: 'blue', name: 'Ana' });
    await fac.command('start');
    await blue.waitForTime(10);

    const sentAt = performance.now();
    server.child.kill('SIGTERM');
    for (const c of [fac, blue]) {
      const paused = await c.waitForEvent((e) => e.type === 'session.phase' && e.phase === 'paused', 'the shutdown pause', 5000);
      expect(paused).toMatchObject({ reason: expect.stringMatching(/shutting down/) });
      await c.waitFor(() => c.errors.find((e) => e.code === 'server/shutting-down'), 'server/shutting-down', 5000);
    }
    const { code } = await server.exited;
    expect(code).toBe(0);
    expect(performance.now() - sentAt).toBeLessThan(5000);
    const pausedAt = fac.events.find((e) => e.type === 'session.phase' && e.phase === 'paused')!;

    const again = await serve(port, dir);
    const fac2 = await connect(again.url, { token: created.facilitatorToken, lastSeq: fac.lastSeq });
    expect(fac2.welcome).toMatchObject({ phase: 'paused', t: pausedAt.t, lastSeq: fac.lastSeq });
    expect(fac2.events).toEqual([]);
    expect(await fac2.command('resume')).toMatchObject({ ok: true });
    await fac2.waitForTime(pausedAt.t + 5);
  }, 60_000);
});
