// Hostile socket traffic against a real server (127.0.0.1, a free port, SQLite in a temporary
// directory): thousands of random and mutated messages on every client → server event and on
// unknown names — random shapes, wrong types, oversized strings, deep nesting, binary, `__proto__`
// keys, missing and repeated idempotency keys, with and without acknowledgements — plus raw
// socket.io frames that no client library would send. Each message must get its acknowledgement
// (or, without one, an `error` event) with a registered code, or be accepted as the protocol says;
// the server must keep serving; and the event log must hold only valid actions that were
// acknowledged as applied.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import WebSocket from 'ws';
import Value from 'typebox/value';
import { Action, ACTION_KINDS } from '../../server/engine/actions/schema.ts';
import { ActionMessage, CommandMessage, LogsRequest, ResumeRequest, ViewRequest, hasForbiddenKey, MAX_MESSAGE_BYTES, COMMANDS } from '../../server/protocol/messages.ts';
import { ERRORS } from '../../server/protocol/errors.ts';
import type { SessionEvent } from '../../server/engine/session/events.ts';
import { TestClient, createSession, key, startTestServer, type Created, type TestServer } from '../helpers/live.ts';

/** Error codes a reply may carry: the registry, and the engine's result codes from docs/protocol.md. */
const ENGINE_CODES = [...readFileSync(new URL('../../docs/protocol.md', import.meta.url), 'utf8').split('### Engine result codes')[1].split('\n## ')[0].matchAll(/^\| `([^`]+)`/gm)].map((m) => m[1]);
const KNOWN_CODES = new Set([...Object.keys(ERRORS), ...ENGINE_CODES]);
const SCHEMAS = { action: ActionMessage, command: CommandMessage, logs: LogsRequest, view: ViewRequest, resume: ResumeRequest } as const;
type EventName = keyof typeof SCHEMAS;
const EVENTS = Object.keys(SCHEMAS) as EventName[];

/** Messages per socket before a fresh one takes over: under the burst of 40, so none is rate-limited. */
const PER_SOCKET = 36;
const NUM_MESSAGES = Number(process.env.SOCKET_FUZZ_RUNS ?? 2400);
const NUM_FACILITATOR = Number(process.env.SOCKET_FUZZ_FACILITATOR_RUNS ?? 400);
const NUM_RAW = Number(process.env.SOCKET_FUZZ_RAW_RUNS ?? 300);

let srv: TestServer;
let a: Created; // the session the participants' messages go to
let b: Created; // the session the facilitator's commands go to
let fac: TestClient;
let normal: TestClient; // a well-behaved participant of team blue in session A
let fuzzerToken: string; // the participant of team red in session A whose sockets send the junk
const opened: TestClient[] = [];

beforeAll(async () => {
  srv = await startTestServer();
  a = await createSession(srv.url, { scenario: 'friday-deploy', teams: ['blue', 'red'], speed: 1, seed: 3 });
  b = await createSession(srv.url, { scenario: 'friday-deploy', teams: ['blue', 'red'], speed: 10, seed: 4 });
  fac = await TestClient.connect(srv.url, { token: a.facilitatorToken });
  expect(await fac.command('start')).toMatchObject({ ok: true });
  normal = await TestClient.connect(srv.url, { code: a.joinCode, team: 'blue', name: 'Normal', role: 'incident-commander' });
  const fuzzer = await TestClient.connect(srv.url, { code: a.joinCode, team: 'red', name: 'Fuzzer' });
  fuzzerToken = (fuzzer.welcome.you as { token: string }).token;
  fuzzer.close();
}, 60_000);

afterAll(async () => {
  for (const c of [fac, normal, ...opened]) c?.close();
  await srv?.close();
});

// ── generators ──────────────────────────────────────────────────────────────────────────────

const goodKey = fc.stringMatching(/^[A-Za-z0-9_-]{8,64}$/);
/** A small pool, so keys repeat: a repeated key must not act twice. */
const pooledKey = fc.constantFrom('dup-key-0001', 'dup-key-0002', 'dup-key-0003', 'dup_key_0004');
const badKey = fc.oneof(fc.string({ maxLength: 7 }), fc.constant('x'.repeat(65)), fc.constant('has space!'), fc.constant('ключ-ключ-ключ'), fc.integer(), fc.constant(null));

const SERVICES = ['orders', 'postgres-main', 'payments', 'edge-lb', 'no-such-service', 'ORDERS', '../etc/passwd', ''];
const junkString = fc.oneof(
  fc.constantFrom(...SERVICES),
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.integer({ min: 1_000, max: 40_000 }).map((n) => 'x'.repeat(n)),
);

function forbidden(): fc.Arbitrary<unknown> {
  return fc.constantFrom('__proto__', 'constructor', 'prototype').chain((k) =>
    fc.anything({ maxDepth: 2 }).map((v) => JSON.parse(`{"${k}": ${JSON.stringify(v ?? null) ?? 'null'}}`)),
  );
}

function nested(): fc.Arbitrary<unknown> {
  return fc.tuple(fc.integer({ min: 10, max: 3000 }), fc.boolean()).map(([depth, arrays]) => {
    let v: unknown = 'bottom';
    for (let i = 0; i < depth; i++) v = arrays ? [v] : { a: v };
    return v;
  });
}

/** An action, mostly plausible (real kinds, real or junk fields), sometimes with a wrong part. */
const action: fc.Arbitrary<unknown> = fc.oneof(
  fc.record({ action: fc.constantFrom(...ACTION_KINDS), service: junkString }, { requiredKeys: ['action'] }),
  fc.record({ action: fc.constant('acknowledge'), alert: fc.constantFrom('OrdersDbPoolSaturated', 'NoSuchAlert', '') }),
  fc.record({ action: fc.constant('declare'), severity: fc.constantFrom('SEV1', 'SEV2', 'SEV5', 1), summary: junkString }, { requiredKeys: ['action', 'severity'] }),
  fc.record({ action: fc.constant('scale-out'), service: fc.constant('orders'), count: fc.oneof(fc.integer({ min: -5, max: 200 }), fc.double(), fc.constant('3')) }),
  fc.record({ action: fc.constant('run-step'), runbook: fc.constantFrom('orders-latency', 'nope'), step: fc.oneof(fc.integer({ min: 0, max: 120 }), fc.constant(1.5)) }),
  fc.record({ action: fc.constant('status-update'), audience: fc.constantFrom('internal', 'external', 'everyone'), text: junkString }),
  fc.record({ action: fc.constant('observe'), service: fc.constantFrom('orders', 'payments'), actor: fc.oneof(fc.string({ maxLength: 90 }), fc.integer()) }, { requiredKeys: ['action', 'service'] }),
  fc.record({ action: fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.constant(null)), service: fc.constant('orders') }),
  fc.constantFrom({ action: 'restart', service: 'orders', extra: true }, { action: 'resolve' }, { action: 'mark-mitigated' }, { action: 'page', oncall: 'data-platform' }),
  forbidden(),
  fc.anything({ maxDepth: 3 }),
);

/** Actions that pass the schema, sensible or not. */
const validAction: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    { action: 'observe', service: 'orders' },
    { action: 'observe', service: 'no-such-service', view: 'logs' },
    { action: 'acknowledge', alert: 'OrdersDbPoolSaturated' },
    { action: 'acknowledge', alert: 'NoSuchAlert' },
    { action: 'declare', severity: 'SEV2', summary: 'checkout failing', services: ['orders'] },
    { action: 'set-severity', severity: 'SEV1' },
    { action: 'assign-role', role: 'ops-lead', person: 'Kim' },
    { action: 'page', oncall: 'data-platform', reason: 'db?' },
    { action: 'open-runbook', runbook: 'orders-latency' },
    { action: 'run-step', runbook: 'orders-latency', step: 1 },
    { action: 'run-step', runbook: 'orders-latency', step: 99 },
    { action: 'status-update', audience: 'internal', text: 'looking' },
    { action: 'hypothesis', text: 'the deploy' },
    { action: 'scale-out', service: 'orders', count: 100 },
    { action: 'rate-limit', service: 'edge-lb', rps: 0 },
    { action: 'drain-zone', zone: 'q', undo: true },
    { action: 'toggle-flag', service: 'orders', flag: 'nope', enabled: false },
    { action: 'failover', service: 'orders' },
    { action: 'restart', service: 'payments', rolling: false, actor: '' },
  ),
  fc.record({ action: fc.constantFrom('restart', 'rollback', 'flush-cache', 'kill-query', 'free-disk', 'observe'), service: fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/), actor: fc.string({ maxLength: 80 }) }, { requiredKeys: ['action', 'service'] }),
);

/** One payload for an event: the right shape with junk inside, the wrong shape, or hostile data. */
function payload(event: string): fc.Arbitrary<unknown> {
  const keyed = fc.oneof(goodKey, goodKey, pooledKey, pooledKey, badKey);
  const byEvent: Record<string, fc.Arbitrary<unknown>> = {
    action: fc.oneof(
      fc.record({ key: fc.oneof(goodKey, pooledKey), action: validAction }),
      fc.record({ key: fc.oneof(goodKey, pooledKey), action: validAction }),
      fc.record({ key: keyed, action }),
      fc.record({ key: keyed, action }, { requiredKeys: ['action'] }),
      fc.record({ key: keyed, action, extra: fc.anything({ maxDepth: 1 }) }),
    ),
    command: fc.record(
      { key: keyed, command: fc.oneof(fc.constantFrom(...COMMANDS), fc.string({ maxLength: 12 })), speed: fc.oneof(fc.double(), fc.integer()), text: junkString, team: fc.constantFrom('blue', 'red', 'green'), hint: junkString },
      { requiredKeys: ['command'] },
    ),
    logs: fc.oneof(
      fc.record({ service: fc.constantFrom('orders', 'postgres-main', 'nope'), limit: fc.integer({ min: 1, max: 300 }) }, { requiredKeys: ['service'] }),
      fc.record({ service: junkString, limit: fc.oneof(fc.integer({ min: -10, max: 400 }), fc.double()), team: fc.constantFrom('blue', 'red', 'x') }, { requiredKeys: [] }),
    ),
    view: fc.oneof(fc.constant({}), fc.record({ team: fc.constantFrom('blue', 'red', 'x', '') })),
    resume: fc.record({ after: fc.oneof(fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: -5, max: 0 }), fc.double(), fc.constant('3')) }, { requiredKeys: [] }),
  };
  const hostile = fc.oneof(
    fc.anything({ maxDepth: 4, withNullPrototype: true, withObjectString: true }),
    fc.jsonValue({ maxDepth: 4 }),
    forbidden(),
    nested(),
    fc.integer({ min: 1, max: 50_000 }).map((n) => ({ key: 'k'.repeat(12), blob: 'y'.repeat(n) })),
    fc.uint8Array({ maxLength: 2000 }).map((u) => Buffer.from(u)),
    fc.uint8Array({ maxLength: 200 }).map((u) => ({ key: 'binary-key-1', action: { action: 'restart', service: Buffer.from(u) } })),
  );
  return Object.hasOwn(byEvent, event) ? fc.oneof({ weight: 3, arbitrary: byEvent[event] }, { weight: 2, arbitrary: hostile }) : hostile;
}

interface Applied {
  key: string;
  /** null: sent without an acknowledgement. */
  reply: Record<string, unknown> | null;
  msg: Msg;
}

interface Msg {
  event: string;
  args: unknown[];
  ack: boolean;
}

const message: fc.Arbitrary<Msg> = fc
  .oneof(
    { weight: 8, arbitrary: fc.constantFrom<string>('action', 'action', 'action', ...EVENTS) },
    {
      weight: 1,
      arbitrary: fc
        .oneof(fc.string({ maxLength: 20 }), fc.constantFrom('error', 'welcome', 'event', 'hasOwnProperty', '__proto__', 'toString', 'constructor', 'x'.repeat(5000)))
        // names the socket.io client itself refuses to send
        .filter((n) => !['connect', 'connect_error', 'disconnect', 'disconnecting', 'newListener', 'removeListener'].includes(n)),
    },
  )
  .chain((event) =>
    fc.record({
      event: fc.constant(event),
      // usually one payload; sometimes none, or two
      args: fc.oneof({ weight: 8, arbitrary: payload(event).map((p) => [p]) }, { weight: 1, arbitrary: fc.constant([] as unknown[]) }, { weight: 1, arbitrary: fc.tuple(payload(event), fc.anything({ maxDepth: 1 })).map((t): unknown[] => [...t]) }),
      ack: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    }),
  )
  // under the transport's limit (64 KiB, where the connection is cut: tested in test/integration/abuse.test.ts)
  .filter((m) => (JSON.stringify(m.args) ?? '').length + m.event.length < 60_000);

// ── the expectations ────────────────────────────────────────────────────────────────────────

/** What the server must do with a message, from the protocol's own schemas. */
function expected(m: Msg): 'accept' | 'refuse' {
  if (!(EVENTS as string[]).includes(m.event)) return 'refuse';
  if (m.args.length !== 1) return 'refuse';
  const p = m.args[0];
  let size: number;
  try {
    size = JSON.stringify(p ?? null).length;
  } catch {
    return 'refuse';
  }
  if (size > MAX_MESSAGE_BYTES || hasForbiddenKey(p)) return 'refuse';
  // no valid message nests deeper than 3 levels (`{ action: { services: [] } }`)
  if (depthOf(p) > 8) return 'refuse';
  // what socket.io delivers: JSON, with binary kept as binary
  if (!Value.Check(SCHEMAS[m.event as EventName], roundTrip(p))) return 'refuse';
  if (m.event === 'command') return 'refuse'; // a participant cannot command
  if ((m.event === 'logs' || m.event === 'view') && (p as { team?: string }).team !== undefined && (p as { team?: string }).team !== 'red') return 'refuse';
  return 'accept';
}

function depthOf(v: unknown): number {
  let max = 0;
  const stack: [unknown, number][] = [[v, 0]];
  while (stack.length) {
    const [x, d] = stack.pop()!;
    max = Math.max(max, d);
    if (x !== null && typeof x === 'object' && !(x instanceof Uint8Array) && d < 50) for (const y of Object.values(x)) stack.push([y, d + 1]);
  }
  return max;
}

/** A payload as the server receives it: socket.io encodes with JSON.stringify, keeping Buffers. */
function roundTrip(p: unknown): unknown {
  if (p instanceof Uint8Array) return p;
  if (p === undefined) return undefined;
  return JSON.parse(JSON.stringify(p, (_k, v) => (v instanceof Uint8Array || (v && v.type === 'Buffer' && Array.isArray(v.data)) ? { __binary: true } : v)) ?? 'null');
}

function expectErrorBody(e: unknown, what: string) {
  const body = e as { code?: unknown; message?: unknown };
  expect(typeof body.code, `${what}: ${JSON.stringify(e)}`).toBe('string');
  expect(KNOWN_CODES.has(body.code as string), `${what}: unregistered code ${JSON.stringify(body.code)}`).toBe(true);
  expect(body.code, what).not.toBe('internal');
  expect(typeof body.message === 'string' && (body.message as string).length > 0 && (body.message as string).length < 1000, `${what}: message ${JSON.stringify(body.message)?.slice(0, 200)}`).toBe(true);
}

const describeMsg = (m: Msg) => `${m.event.slice(0, 30)}(${m.args.map((x) => JSON.stringify(x)?.slice(0, 160)).join(', ')})${m.ack ? ' with ack' : ''}`;

/** Sends messages on fresh sockets of the fuzzer, PER_SOCKET each, and checks every answer. */
async function fuzzAsParticipant(messages: Msg[], record: Applied[]) {
  const firstResult = new Map<string, unknown>();
  const UNKNOWN = Symbol('applied without an acknowledgement');
  for (let i = 0; i < messages.length; i += PER_SOCKET) {
    const batch = messages.slice(i, i + PER_SOCKET);
    const sock = await TestClient.connect(srv.url, { token: fuzzerToken, lastSeq: normal.lastSeq });
    opened.push(sock);
    // in order, one at a time: repeated keys must see the first delivery's result
    let refusedWithoutAck = 0;
    for (const m of batch) {
      const exp = expected(m);
      if (!m.ack) {
        sock.raw.emit(m.event, ...m.args);
        if (exp === 'refuse') refusedWithoutAck++;
        else if (m.event === 'action') {
          // fire and forget: applied unless its key was used before
          const k = (m.args[0] as { key: string }).key;
          if (!firstResult.has(k)) {
            firstResult.set(k, UNKNOWN);
            record.push({ key: k, reply: null, msg: m });
          }
        }
        continue;
      }
      let reply: Record<string, unknown>;
      try {
        reply = (await sock.raw.timeout(8000).emitWithAck(m.event, ...m.args)) as Record<string, unknown>;
      } catch (err) {
        throw new Error(`no acknowledgement within 8 s for ${describeMsg(m)}: ${(err as Error).message}`);
      }
      const what = describeMsg(m);
      expect(typeof reply === 'object' && reply !== null && typeof reply.ok === 'boolean', `${what} → ${JSON.stringify(reply)}`).toBe(true);
      if (reply.ok === false) expectErrorBody(reply.error, what);
      expect(reply.ok ? 'accept' : 'refuse', `${what} → ${JSON.stringify(reply).slice(0, 300)}`).toBe(exp);
      if (m.event === 'action' && reply.ok) {
        const k = (m.args[0] as { key: string }).key;
        const result = reply.result as { ok: boolean; code?: string };
        if (!result.ok) expect(KNOWN_CODES.has(result.code!), `engine code ${result.code}`).toBe(true);
        if (firstResult.has(k)) {
          expect(reply, `${what}: a repeated key`).toMatchObject({ duplicate: true, seq: null });
          if (firstResult.get(k) !== UNKNOWN) expect(reply.result).toEqual(firstResult.get(k));
        } else {
          expect(reply.duplicate, `${what}: a new key`).toBe(false);
          firstResult.set(k, reply.result);
        }
        record.push({ key: k, reply, msg: m });
      }
    }
    // Refusals without an acknowledgement come back as `error` events, one each, with a code.
    const view = (await sock.request('view', {})) as { ok: boolean };
    expect(view.ok, 'the socket still answers after its batch').toBe(true);
    await sock.waitFor(() => sock.errors.length >= refusedWithoutAck || undefined, `${refusedWithoutAck} error events`, 5000);
    expect(sock.errors.length).toBe(refusedWithoutAck);
    for (const e of sock.errors) expectErrorBody(e, 'an error event');
    expect(sock.disconnectReason, 'the server never drops a socket for a bad message under the size limit').toBeNull();
    sock.close();
  }
}

// ── tests ───────────────────────────────────────────────────────────────────────────────────

describe('socket fuzz: every message is answered or dropped as documented, and the server keeps serving', () => {
  const applied: Applied[] = [];
  const stats = { sent: 0, accepted: 0, ms: 0 };

  it(`${NUM_MESSAGES} random and mutated messages from a participant, on every event and unknown ones`, async () => {
    const started = performance.now();
    const messages = fc.sample(message, { numRuns: NUM_MESSAGES, seed: process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined });
    await fuzzAsParticipant(messages, applied);
    stats.sent = messages.length;
    stats.accepted = messages.filter((m) => expected(m) === 'accept').length;
    stats.ms = performance.now() - started;
    console.log(`socket fuzz: ${stats.sent} messages (${stats.accepted} valid, ${applied.length} actions applied) on ${Math.ceil(stats.sent / PER_SOCKET)} sockets in ${(stats.ms / 1000).toFixed(1)} s`);
    // the generator must reach both sides of the protocol
    expect(stats.accepted).toBeGreaterThan(NUM_MESSAGES * 0.1);
    expect(stats.sent - stats.accepted).toBeGreaterThan(NUM_MESSAGES * 0.3);
    expect(applied.filter((r) => r.reply?.duplicate === true).length).toBeGreaterThan(0);
  }, 600_000);

  it(`${NUM_FACILITATOR} random commands from a facilitator (another session): each answered with a registered code`, async () => {
    const fb = await TestClient.connect(srv.url, { token: b.facilitatorToken });
    opened.push(fb);
    const commands = fc.sample(
      fc.oneof(payload('command'), payload('resume')).filter((c) => (JSON.stringify(c) ?? '').length < 60_000),
      { numRuns: NUM_FACILITATOR },
    );
    let ok = 0;
    let sock = fb;
    for (const [i, c] of commands.entries()) {
      if (i % PER_SOCKET === PER_SOCKET - 1) {
        sock.close();
        sock = await TestClient.connect(srv.url, { token: b.facilitatorToken });
        opened.push(sock);
      }
      const event = i % 5 === 0 ? 'resume' : 'command';
      const reply = (await sock.raw.timeout(8000).emitWithAck(event, c)) as { ok: boolean; error?: unknown };
      expect(typeof reply.ok).toBe('boolean');
      if (!reply.ok) expectErrorBody(reply.error, `${event} ${String(JSON.stringify(c)).slice(0, 200)}`);
      else ok++;
    }
    expect(ok).toBeGreaterThan(0);
    sock.close();
  }, 300_000);

  it(`${NUM_RAW} raw socket.io frames no client library would send: the connection may close, the server never does`, async () => {
    const frames = fc.sample(
      fc.oneof(
        fc.string({ maxLength: 200 }),
        fc.string({ unit: 'binary', maxLength: 200 }),
        fc.constantFrom(
          '42["action",{"key":"rawkey-0001","action":{"action":"observe","service":"orders"}}]',
          '42',
          '42[',
          '42[]',
          '42[null]',
          '42[{}]',
          '42[123,{}]',
          '42["disconnect"]',
          '42["disconnecting"]',
          '42["newListener","x"]',
          '42["error",{"code":"x"}]',
          '421["error"]',
          '4299999999999999999999["view",{}]',
          '43["view"]',
          '431[]',
          '41',
          '40',
          '44{"message":"x"}',
          '451-["action",{"_placeholder":true,"num":"__proto__"}]',
          '451-["action",{"_placeholder":true,"num":99}]',
          '451-["view",{"_placeholder":true,"num":0}]',
          '42/admin,["view",{}]',
          '42["view",{"__proto__":{"polluted":true}}]',
          '4' + '['.repeat(30_000),
          '2',
          '3',
          '6',
          '5',
          '1',
        ),
        fc.array(fc.constantFrom('4', '2', '[', ']', '{', '}', '"', ',', ':', 'view', 'action', '_placeholder', 'true', '1', '-', '/'), { maxLength: 40 }).map((xs) => '42' + xs.join('')),
      ),
      { numRuns: NUM_RAW },
    );
    const url = srv.url.replace('http', 'ws') + '/socket.io/?EIO=4&transport=websocket';
    let closedByServer = 0;
    for (let i = 0; i < frames.length; i += 10) {
      const ws = new WebSocket(url);
      const received: string[] = [];
      ws.on('message', (d) => received.push(d.toString()));
      const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
      await new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('error', reject);
      });
      ws.send('40' + JSON.stringify({ token: fuzzerToken, lastSeq: 1_000_000 }));
      // wait for the namespace to accept us, then send the junk
      const until = Date.now() + 5000;
      while (!received.some((r) => r.startsWith('40{')) && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
      expect(received.some((r) => r.startsWith('40{')), 'the raw connection joins').toBe(true);
      for (const f of frames.slice(i, i + 10)) if (ws.readyState === WebSocket.OPEN) ws.send(f);
      if (ws.readyState === WebSocket.OPEN) ws.send('42["view",{},0]');
      await Promise.race([closed, new Promise((r) => setTimeout(r, 300))]);
      if (ws.readyState !== WebSocket.OPEN) closedByServer++;
      ws.terminate();
    }
    console.log(`raw frames: ${frames.length} in ${Math.ceil(frames.length / 10)} connections, ${closedByServer} closed by the server`);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const health = await fetch(`${srv.url}/healthz`);
    expect(health.status).toBe(200);
  }, 300_000);

  it('a normal participant is served as before, /healthz answers, and the log holds only valid actions that were acknowledged', async () => {
    const reply = await normal.act({ action: 'observe', service: 'orders' });
    expect(reply).toMatchObject({ ok: true, duplicate: false, result: { ok: true } });
    expect((await fetch(`${srv.url}/healthz`)).status).toBe(200);
    const host = (await srv.running.manager.get(a.id))!;
    await host.idle();
    const events = (await srv.running.manager.store.listEvents(a.id)) as SessionEvent[];
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    const actions = events.filter((e): e is Extract<SessionEvent, { type: 'action' }> => e.type === 'action');
    for (const e of actions) expect(Value.Check(Action, e.action), `invalid action in the log: ${JSON.stringify(e)}`).toBe(true);
    // Every action in the log that was not run by a runbook step is one the server acknowledged as
    // applied (with its seq), and each acknowledged one is there, as sent (the actor defaults to the name).
    const asLogged = (r: Applied) => {
      const sent = (r.msg.args[0] as { action: Record<string, unknown> }).action;
      return JSON.stringify(Object.entries({ ...sent, actor: sent.actor || 'Fuzzer' }).sort());
    };
    const acked = new Map(applied.filter((r) => r.reply !== null && r.reply.seq !== null).map((r) => [r.reply!.seq as number, r]));
    const unacked = applied.filter((r) => r.reply === null).map(asLogged);
    const direct = actions.filter((e) => !e.via);
    for (const e of direct) {
      if (e.team === 'blue') continue; // the normal participant's
      expect(e.team).toBe('red');
      const logged = JSON.stringify(Object.entries(e.action).sort());
      const r = acked.get(e.seq);
      if (r) expect(logged, `seq ${e.seq}`).toBe(asLogged(r));
      else {
        // one sent without an acknowledgement
        const i = unacked.indexOf(logged);
        expect(i, `an action in the log that was never sent as valid: ${JSON.stringify(e).slice(0, 300)}`).toBeGreaterThanOrEqual(0);
        unacked.splice(i, 1);
      }
    }
    expect(unacked, 'valid actions sent without an acknowledgement that are not in the log').toEqual([]);
    expect(direct.filter((e) => e.team === 'red').length).toBe(acked.size + applied.filter((r) => r.reply === null).length);
    const inputs = await srv.running.manager.store.listInputs(a.id);
    for (const { input } of inputs) if (input.kind === 'action') expect(Value.Check(Action, input.action)).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  }, 60_000);

  it('more than 40 messages at once on one socket: the rest are refused as rate-limited, and the socket recovers', async () => {
    const sock = await TestClient.connect(srv.url, { token: fuzzerToken, lastSeq: normal.lastSeq });
    opened.push(sock);
    const replies = (await Promise.all(Array.from({ length: 60 }, () => sock.request('view', {}, 8000)))) as { ok: boolean; error?: { code: string } }[];
    const limited = replies.filter((r) => !r.ok);
    expect(limited.length).toBeGreaterThanOrEqual(15);
    expect(new Set(limited.map((r) => r.error!.code))).toEqual(new Set(['message/rate-limited']));
    await new Promise((r) => setTimeout(r, 1200));
    expect(await sock.request('view', {})).toMatchObject({ ok: true });
    sock.close();
  }, 30_000);

  it('an unknown event with an acknowledgement is answered, not left hanging', async () => {
    const sock = await TestClient.connect(srv.url, { token: fuzzerToken, lastSeq: normal.lastSeq });
    opened.push(sock);
    expect(await sock.raw.timeout(5000).emitWithAck('teleport', { to: 'prod' })).toEqual({
      ok: false,
      error: { code: 'message/invalid', message: 'unknown event "teleport" (the events are action, command, logs, view, resume)' },
    });
    sock.raw.emit('teleport', {});
    await sock.waitFor(() => sock.errors[0], 'an error event');
    expect(sock.errors[0].code).toBe('message/invalid');
    sock.close();
  });
});

// keep `key` imported for ad-hoc debugging of a single message
void key;
