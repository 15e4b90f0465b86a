// The minimal bot of docs/protocol.md works: the block in the doc is the file in
// test/fixtures/protocol-bot.ts, and that file, run as its own process against a real server,
// joins a team and acknowledges the alerts of friday-deploy as they fire.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { defaultServeOptions, startServer, type Running } from '../../server/serve.ts';
import { createMemoryStore } from '../../server/store/memory.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const BOT = fileURLToPath(new URL('../fixtures/protocol-bot.ts', import.meta.url));

/** The TypeScript block under "## A minimal bot" in docs/protocol.md. */
export function botFromDoc(doc: string): string | undefined {
  return /^## A minimal bot$[\s\S]*?^```ts\n([\s\S]*?)^```$/m.exec(doc)?.[1];
}

describe('the minimal bot of docs/protocol.md', () => {
  let running: Running;
  let child: ChildProcess | undefined;
  beforeAll(async () => {
    running = await startServer({
      ...defaultServeOptions(fileURLToPath(new URL('../../scenarios/', import.meta.url))),
      port: 0,
      host: '127.0.0.1',
      store: createMemoryStore(),
      logger: pino({ level: 'silent' }),
      stepMs: 20,
    });
  });
  afterAll(async () => {
    if (child && child.exitCode === null) child.kill();
    await running.close();
  });

  it('is the same code as test/fixtures/protocol-bot.ts', () => {
    const doc = readFileSync(new URL('../../docs/protocol.md', import.meta.url), 'utf8');
    const block = botFromDoc(doc);
    expect(block).toBeDefined();
    expect(block).toBe(readFileSync(BOT, 'utf8'));
    expect(block!.split('\n').length).toBeLessThanOrEqual(50);
  });

  it('joins a team of a real server and acknowledges alerts as they fire', async () => {
    const res = await fetch(`${running.url}/api/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ scenario: 'friday-deploy', teams: ['blue'], speed: 60, seed: 3 }),
    });
    const created = (await res.json()) as { id: string; joinCode: string };

    let stdout = '';
    let stderr = '';
    child = spawn(process.execPath, ['--import', 'tsx', BOT], {
      cwd: REPO,
      env: { ...process.env, FIREDRILL_URL: running.url, JOIN_CODE: created.joinCode, TEAM: 'blue' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));

    const until = async (what: string, ok: () => boolean, ms = 20_000) => {
      const end = Date.now() + ms;
      while (!ok()) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}; bot stdout:\n${stdout}\nstderr:\n${stderr}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    await until('the bot to join', () => stdout.includes(`joined ${created.id} "Friday deploy — orders v2.14 exhausts its connection pool" as blue (phase lobby)`));

    const host = (await running.manager.get(created.id))!;
    expect((await host.command({ command: 'start' }, null)).result.ok).toBe(true);
    const acks = () =>
      host.session.events.filter((e) => e.type === 'action' && e.team === 'blue' && e.action.action === 'acknowledge' && e.actor === 'ack-bot' && e.result.ok);
    await until('an acknowledged alert', () => acks().length > 0);

    const firing = host.session.events.filter((e) => e.type === 'alert.firing' && e.team === 'blue');
    const [first] = acks();
    if (first.type !== 'action' || first.action.action !== 'acknowledge') throw new Error('not an acknowledgement');
    // The bot answered the first alert that fired, within the same simulated minute (speed ×60).
    expect(first.action.alert).toBe((firing[0] as { alert: string }).alert);
    expect(first.t - firing[0].t).toBeLessThan(60);
    await until('the bot to print the effect', () => stdout.includes(`acknowledged ${first.action.action === 'acknowledge' ? first.action.alert : ''}`));
    expect(stderr).toBe('');
    child.kill();
  });
});
