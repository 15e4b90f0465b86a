// docs/protocol.md stays in step with the code: every error code of the registry (with its
// status), every result code the engine can answer, every REST route, every socket event in both
// directions, every event type with its visibility, and the telemetry metric order.
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERRORS } from '../../server/protocol/errors.ts';
import { TELEMETRY_METRICS } from '../../server/protocol/events.ts';
import { VISIBLE_EVENTS } from '../../server/engine/session/view.ts';
import { buildApp } from '../../server/http/app.ts';
import { SessionManager } from '../../server/live/manager.ts';
import { createMemoryStore } from '../../server/store/memory.ts';
import { loadLibrary } from '../../server/engine/scenario/library.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const doc = readFileSync(join(root, 'docs/protocol.md'), 'utf8');
const source = (path: string) => readFileSync(join(root, path), 'utf8');

/** The text of a `##`/`###` section, up to the next heading of the same or a higher level. */
function section(heading: string): string {
  const level = heading.match(/^#+/)![0].length;
  const start = doc.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`no section "${heading}" in docs/protocol.md`);
  const rest = doc.slice(start + heading.length + 2);
  const end = rest.search(new RegExp(`^#{1,${level}} `, 'm'));
  return end < 0 ? rest : rest.slice(0, end);
}

describe('docs/protocol.md', () => {
  it('lists every error of the registry, in order, with its status', () => {
    const rows = [...section('### Error registry').matchAll(/^\| `([a-z/-]+)` \| (\d{3}) \|/gm)].map((m) => [m[1], Number(m[2])]);
    expect(rows).toEqual(Object.entries(ERRORS).map(([code, e]) => [code, e.status]));
  });

  it('lists every result code the engine and the session host answer', () => {
    const dirs = ['server/engine/session', 'server/engine/actions', 'server/engine/workload', 'server/engine/faults'];
    const texts = [...dirs.flatMap((d) => readdirSync(join(root, d)).filter((f) => f.endsWith('.ts')).map((f) => source(`${d}/${f}`))), source('server/live/host.ts')];
    const codes = new Set<string>();
    for (const text of texts) {
      for (const m of text.matchAll(/(?:fail|err)\(\s*'([a-z-]+\/[a-z-]+)'/g)) codes.add(m[1]);
      for (const m of text.matchAll(/\bcode: '([a-z-]+\/[a-z-]+)'/g)) codes.add(m[1]);
    }
    expect(codes.size).toBeGreaterThanOrEqual(25);
    const listed = new Set([...section('### Engine result codes').matchAll(/^\| `([a-z-]+\/[a-z-]+)` \|/gm)].map((m) => m[1]));
    expect([...codes].filter((c) => !listed.has(c)).sort()).toEqual([]);
  });

  it('documents every REST route the app serves', async () => {
    const lib = loadLibrary([]);
    const manager = new SessionManager({ store: createMemoryStore(), library: { scenario: () => undefined, workload: () => undefined, runbooks: () => [] } });
    const app = await buildApp({ manager, library: lib, libraryDir: 'scenarios', logger: false, adminToken: 'admin-token-0123456789' });
    const openapi = (await app.inject('/docs/json')).json() as { paths: Record<string, Record<string, unknown>> };
    await app.close();
    const routes = Object.entries(openapi.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`));
    expect(routes.length).toBeGreaterThanOrEqual(13);
    for (const route of routes) {
      expect(doc, route).toContain(`\n### ${route}\n`);
      expect(section('## REST'), route).toContain(`\`${route}\``);
    }
    for (const path of ['/healthz', '/readyz', '/metrics']) expect(section('### Operations')).toContain(`\`GET ${path}\``);
  });

  it('documents every socket event in both directions', () => {
    const events = source('server/protocol/events.ts');
    const members = (iface: string) => [...events.slice(events.indexOf(`export interface ${iface} {`)).split('\n}')[0].matchAll(/^ {2}(\w+): \(/gm)].map((m) => m[1]);
    const toServer = members('ClientToServer');
    const toClient = members('ServerToClient');
    expect(toServer).toEqual(['action', 'command', 'logs', 'view', 'resume']);
    expect(toClient).toEqual(['welcome', 'event', 'telemetry', 'presence', 'error']);
    for (const name of toServer) expect(section('### Client → server')).toContain(`\n#### \`${name}\`\n`);
    for (const name of toClient) expect(section('### Server → client')).toMatch(new RegExp(`^\\| \`${name}\` \\|`, 'm'));
  });

  it('has a row for every event type, marked visible exactly when participants see it', () => {
    const body = source('server/engine/session/events.ts');
    const union = body.slice(body.indexOf('export type EventBody'), body.indexOf('export type SessionEvent'));
    const types = [...union.matchAll(/type: '([a-z.]+)'/g)].map((m) => m[1]);
    expect(types.length).toBe(31);
    const rows = new Map([...section('## Events').matchAll(/^\| `([a-z.]+)` \| (yes|no) \|/gm)].map((m) => [m[1], m[2] === 'yes']));
    expect([...rows.keys()].sort()).toEqual([...types].sort());
    for (const t of types) expect(rows.get(t), t).toBe(VISIBLE_EVENTS.has(t as never));
  });

  it('gives the telemetry metrics in their order', () => {
    expect(section('### Telemetry frames')).toContain('`' + TELEMETRY_METRICS.join(', ') + '`');
  });
});
